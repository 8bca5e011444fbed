//! The real server over loopback TCP with a cookie-keeping HTTP client: what a browser without
//! JavaScript does, including per-IP limits keyed on the socket address.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use app::auth::ssr::config::RateLimits;

use crate::common::{config, http_client as client, Backend, TestApp};

async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn register_sign_out_and_sign_in_over_http() {
    let app = TestApp::new().await;
    let base = serve(&app).await;
    let http = client();
    let csrf: serde_json::Value = http
        .get(format!("{base}/api/auth/csrf"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = csrf["csrfToken"].as_str().unwrap().to_owned();
    let res = http
        .post(format!("{base}/api/register"))
        .header("accept", "text/html")
        .form(&[
            ("csrfToken", csrf.as_str()),
            ("name", "Ada"),
            ("email", "ada@example.com"),
            ("password", "correct horse battery"),
            ("callbackUrl", "/protected"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    // The origin comes from the Host header (trusted in tests), so it is this server's.
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("{base}/protected")
    );
    let page = http.get(format!("{base}/protected")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Protected page"));

    let res = http
        .post(format!("{base}/api/auth/signout"))
        .form(&[("csrfToken", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let session = http
        .get(format!("{base}/api/auth/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(session.text().await.unwrap(), "null");
}

#[tokio::test]
async fn failed_attempts_are_limited_per_client_ip() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().trust_host(false).rate_limits(RateLimits {
            per_account: 100,
            per_ip: 2,
            window: std::time::Duration::from_secs(600),
            ..RateLimits::default()
        }),
    )
    .await;
    let base = serve(&app).await;
    let http = client();
    let csrf: serde_json::Value = http
        .get(format!("{base}/api/auth/csrf"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = csrf["csrfToken"].as_str().unwrap().to_owned();
    let mut codes = Vec::new();
    for i in 0..3 {
        let res = http
            .post(format!("{base}/api/auth/callback/credentials"))
            .form(&[
                ("csrfToken", csrf.as_str()),
                ("email", format!("user{i}@example.com").as_str()),
                ("password", "wrong password"),
            ])
            .send()
            .await
            .unwrap();
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        codes.push(
            location
                .split("code=")
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(codes, ["credentials", "credentials", "rate_limited"]);
}
