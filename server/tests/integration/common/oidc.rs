//! A real OpenID provider for the tests (`end2end/fixtures/oidc-provider.mjs`, npm
//! `oidc-provider`), started on a free loopback port, and a browser-like walk through its
//! development login and consent pages.
#![allow(dead_code, clippy::unwrap_used)]

use std::{path::PathBuf, process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// The client the fixture registers for the app's `oidc` provider.
pub const OIDC_CLIENT: (&str, &str) = ("leptos-oidc", "leptos-oidc-secret-0123456789");
/// The client the fixture registers for the app's plain `oauth` provider.
pub const OAUTH_CLIENT: (&str, &str) = ("leptos-oauth", "leptos-oauth-secret-0123456789");

/// A running provider; stopped when dropped.
pub struct OidcProvider {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub issuer: String,
}

impl OidcProvider {
    /// Starts the provider (access tokens live `access_token_ttl` seconds).
    pub async fn start(access_token_ttl: u64) -> Self {
        let fixture =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/fixtures/oidc-provider.mjs");
        let mut child = Command::new("node")
            .arg(fixture)
            .env("OIDC_PORT", "0")
            .env("OIDC_ACCESS_TOKEN_TTL", access_token_ttl.to_string())
            .env("OIDC_REDIRECT_BASE", super::ORIGIN)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node must be installed (scripts/setup)");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let issuer = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(issuer) = line.strip_prefix("oidc-provider listening on ") {
                    return issuer.to_owned();
                }
            }
            panic!("the OIDC fixture exited before listening");
        })
        .await
        .expect("the OIDC fixture did not start in 20 s");
        Self { child, issuer }
    }

    /// The provider's authorization endpoint (the fixture's: `/auth`).
    pub fn authorization_url(&self) -> String {
        format!("{}/auth", self.issuer)
    }

    /// Its token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.issuer)
    }

    /// Its userinfo endpoint.
    pub fn userinfo_url(&self) -> String {
        format!("{}/me", self.issuer)
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A browser at the provider: follows its redirects and fills in its login and consent forms
/// as `login`, until the provider sends the browser back to the app. Returns the app URL
/// (`.../api/auth/callback/<id>?code=...&state=...`).
pub async fn authorize(authorization_url: &str, login: &str) -> String {
    let http = super::http_client();
    let mut next = Request::Get(authorization_url.to_owned());
    for _ in 0..20 {
        let response = match &next {
            Request::Get(url) => http.get(url).send().await.unwrap(),
            Request::Post(url, form) => http.post(url).form(form).send().await.unwrap(),
        };
        let current = match &next {
            Request::Get(url) | Request::Post(url, _) => url.clone(),
        };
        if let Some(location) = response.headers().get("location") {
            let location = url::Url::parse(&current)
                .unwrap()
                .join(location.to_str().unwrap())
                .unwrap()
                .to_string();
            if location.starts_with(super::ORIGIN) {
                return location;
            }
            next = Request::Get(location);
            continue;
        }
        let status = response.status();
        let page = response.text().await.unwrap();
        assert!(status.is_success(), "provider answered {status}: {page}");
        // The development pages: one form each (login, then consent). Submit it as a person
        // would: its hidden fields, plus a login and password where it asks for them.
        let action = attribute(&page, "<form", "action")
            .unwrap_or_else(|| panic!("unexpected provider page at {current}: {page}"));
        let mut fields: Vec<(String, String)> = page
            .split("<input")
            .skip(1)
            .filter(|tag| tag.contains(r#"type="hidden""#))
            .filter_map(|tag| Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default())))
            .collect();
        if page.contains(r#"name="login""#) {
            fields.push(("login".into(), login.into()));
            fields.push(("password".into(), "anything".into()));
        }
        let action = url::Url::parse(&current)
            .unwrap()
            .join(&action)
            .unwrap()
            .to_string();
        next = Request::Post(action, fields);
    }
    panic!("the provider did not send the browser back");
}

fn attribute(page: &str, tag: &str, name: &str) -> Option<String> {
    attr(page.split(tag).nth(1)?, name)
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let tag = tag.split('>').next()?;
    let start = tag.find(&format!(r#"{name}=""#))? + name.len() + 2;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}

enum Request {
    Get(String),
    Post(String, Vec<(String, String)>),
}
