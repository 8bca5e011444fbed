//! Pages go out compressed as the client's `Accept-Encoding` asks (brotli, else gzip), with
//! `Vary: Accept-Encoding`; the JSON routes do not. And since a compressed page that echoes a
//! visitor's input beside a fixed secret leaks it through its size (BREACH), the CSRF token a
//! page carries is different in every response, and every one of them is accepted.
#![allow(clippy::unwrap_used)]

use std::io::Read;

use http::{Method, StatusCode};

use crate::common::{Client, Res, TestApp};

async fn get_with(client: &mut Client, uri: &str, accept_encoding: Option<&str>) -> Res {
    let mut headers = vec![("accept", "text/html")];
    if let Some(value) = accept_encoding {
        headers.push(("accept-encoding", value));
    }
    client.raw(Method::GET, uri, &headers, Vec::new()).await
}

/// The body, decoded as its `Content-Encoding` says.
fn decoded(res: &Res) -> String {
    let mut text = String::new();
    match res.header("content-encoding") {
        None => text.clone_from(&res.body),
        Some("br") => {
            brotli::Decompressor::new(res.bytes.as_slice(), 4096)
                .read_to_string(&mut text)
                .unwrap();
        }
        Some("gzip") => {
            flate2::read::GzDecoder::new(res.bytes.as_slice())
                .read_to_string(&mut text)
                .unwrap();
        }
        Some(other) => panic!("unexpected Content-Encoding {other}"),
    }
    text
}

fn varies_on_encoding(res: &Res) -> bool {
    res.headers.get_all("vary").iter().any(|v| {
        v.to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding")
    })
}

#[tokio::test]
async fn pages_are_compressed_as_the_client_asks() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let plain = get_with(&mut client, "/api/auth/signin", None).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    assert!(plain.body.contains("Sign in with"), "{}", plain.body);
    assert!(varies_on_encoding(&plain));

    for (accept, expected) in [
        ("gzip, deflate, br, zstd", Some("br")),
        ("gzip", Some("gzip")),
        ("br;q=0, gzip;q=0.8", Some("gzip")),
        ("identity", None),
        ("deflate", None),
    ] {
        let res = get_with(&mut client, "/api/auth/signin", Some(accept)).await;
        assert_eq!(res.status, StatusCode::OK, "{accept}");
        assert_eq!(res.header("content-encoding"), expected, "{accept}");
        assert!(varies_on_encoding(&res), "{accept}");
        let page = decoded(&res);
        assert!(page.contains("Sign in with"), "{accept}: {page}");
        if expected.is_some() {
            assert!(
                res.bytes.len() * 2 < page.len(),
                "{accept}: {} bytes for a {}-byte page",
                res.bytes.len(),
                page.len()
            );
        }
    }
    // The 404 page and a guarded page's redirect go through the same layer.
    let missing = get_with(&mut client, "/no/such/page", Some("br")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(decoded(&missing).contains("</html>"));
}

#[tokio::test]
async fn json_answers_are_not_compressed() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client
        .register("Ada Lovelace", "ada@example.com", "correct horse battery")
        .await;
    for uri in ["/api/auth/session", "/api/auth/csrf", "/api/auth/providers"] {
        let res = client
            .raw(
                Method::GET,
                uri,
                &[("accept-encoding", "gzip, deflate, br")],
                Vec::new(),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        assert_eq!(res.header("content-encoding"), None, "{uri}");
        res.json();
    }
}

/// The `csrfToken` hidden field of a page.
fn page_token(page: &str) -> String {
    let start = page
        .find(r#"name="csrfToken" value=""#)
        .unwrap_or_else(|| panic!("no csrfToken field: {page}"))
        + r#"name="csrfToken" value=""#.len();
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_token_in_a_page_differs_every_time_and_each_is_accepted() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let bare = client.csrf().await;
    let first = decoded(&get_with(&mut client, "/api/auth/signin", Some("br")).await);
    let second = decoded(&get_with(&mut client, "/api/auth/signin", Some("br")).await);
    let (a, b) = (page_token(&first), page_token(&second));
    assert_ne!(a, b, "the same token in two pages");
    assert!(!first.contains(&bare) && !second.contains(&bare));
    // The cookie did not change: both pages' tokens stand for the one in the cookie.
    client
        .register("Ada Lovelace", "ada@example.com", "correct horse battery")
        .await;
    let out = client
        .post_form(
            "/api/auth/signout",
            &[("csrfToken", &a), ("callbackUrl", "/")],
        )
        .await;
    assert_eq!(out.status, StatusCode::FOUND);
    assert!(!out.location().unwrap().contains("error="), "{out:?}");
    assert!(client.session().await.is_null());
    let back = client
        .post_form(
            "/api/auth/callback/credentials",
            &[
                ("csrfToken", &b),
                ("email", "ada@example.com"),
                ("password", "correct horse battery"),
                ("callbackUrl", "/"),
            ],
        )
        .await;
    assert_eq!(back.status, StatusCode::FOUND);
    assert!(!back.location().unwrap().contains("error="), "{back:?}");
    assert_eq!(client.session().await["user"]["email"], "ada@example.com");
    // A token of another visitor's page is refused.
    let mut stranger = app.client();
    let theirs = page_token(&stranger.get_html("/api/auth/signin").await.body);
    let refused = client
        .post_form(
            "/api/auth/signout",
            &[("csrfToken", &theirs), ("callbackUrl", "/")],
        )
        .await;
    assert!(
        refused.location().unwrap().contains("error=MissingCSRF"),
        "{refused:?}"
    );
}
