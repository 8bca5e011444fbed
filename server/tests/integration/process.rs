//! The server as a process: it stops on SIGTERM after finishing the requests in flight, answers
//! its health check, and its structured (JSON) logs never hold a secret, a token or a password.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{
    self,
    process::{csrf, register, session, ServerProcess},
};

const SECRET: &str = "process-test-secret-that-must-never-be-logged-0123";
const PASSWORD: &str = "a password that must never be logged";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_and_logs_hold_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/app.db?mode=rwc", dir.path().display());
    let mut server = ServerProcess::start(&[
        ("AUTH_SECRET", SECRET),
        ("DATABASE_URL", &database),
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", "debug,hyper=info,h2=info"),
    ])
    .await;
    let base = server.base.clone();

    // Some traffic with secrets in it: a password, a session cookie, a CSRF token.
    let browser = common::http_client();
    let res = register(&browser, &base, "logs@example.com", PASSWORD).await;
    let session_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("authjs.session-token="))
        .unwrap();
    let session_token = session_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    assert_eq!(
        session(&browser, &base).await["user"]["email"],
        "logs@example.com"
    );
    let token = csrf(&browser, &base).await;
    let wrong = browser
        .post(format!("{base}/api/auth/callback/credentials"))
        .form(&[
            ("csrfToken", "forged"),
            ("email", "logs@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 302);
    let health: serde_json::Value = reqwest::get(format!("{base}/api/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        health,
        serde_json::json!({"status": "ok", "database": "ok"})
    );

    // A request in flight: headers and half the body sent, then SIGTERM, then the rest.
    let body = format!("csrfToken={token}&email=logs%40example.com&password=whatever-else");
    let (head, tail) = body.split_at(body.len() / 2);
    let mut socket = tokio::net::TcpStream::connect(base.strip_prefix("http://").unwrap())
        .await
        .unwrap();
    socket
        .write_all(
            format!(
                "POST /api/auth/callback/credentials HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{head}",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let pid = server_pid(&server);
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    socket.write_all(tail.as_bytes()).await.unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
    // The server then exits cleanly, and takes no new connections.
    let status = server.terminate_wait().await;
    assert!(status.success(), "{status}");
    assert!(
        tokio::net::TcpStream::connect(base.strip_prefix("http://").unwrap())
            .await
            .is_err()
    );

    let logs = server.output();
    assert!(logs.contains("shutting down"));
    let json_lines = logs.lines().filter(|l| l.starts_with('{')).count();
    assert!(json_lines >= 3, "structured logs: {logs}");
    for line in logs.lines().filter(|l| l.starts_with('{')) {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    for secret in [SECRET, PASSWORD, session_token.as_str(), token.as_str()] {
        assert!(
            !logs.contains(secret),
            "a secret reached the logs: {secret}\n{logs}"
        );
    }
    // The refused CSRF was logged as a warning, without the token.
    assert!(logs.contains("CSRF check failed"));
}

fn server_pid(server: &ServerProcess) -> String {
    server.pid().to_string()
}

/// `AUTH_DEBUG=1` (and no `RUST_LOG`) turns on the auth debug logs: they say which check
/// refused what, and still hold no secret, token or password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_debug_says_what_was_refused_and_never_what_the_secrets_are() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/app.db?mode=rwc", dir.path().display());
    let mut server = ServerProcess::start(&[
        ("AUTH_SECRET", SECRET),
        ("DATABASE_URL", &database),
        ("AUTH_DEBUG", "1"),
    ])
    .await;
    let base = server.base.clone();
    let browser = common::http_client();

    // A protected page while signed out: the authorized callback refuses it.
    let res = browser
        .get(format!("{base}/protected"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let res = register(&browser, &base, "debug@example.com", PASSWORD).await;
    assert_eq!(res.status(), 302);
    // A sign-out that asks to go to another site: the redirect check refuses the target.
    let token = csrf(&browser, &base).await;
    let res = browser
        .post(format!("{base}/api/auth/signout"))
        .form(&[
            ("csrfToken", token.as_str()),
            ("callbackUrl", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], format!("{base}/"));

    drop(browser);
    assert!(server.terminate().await.success());
    let logs = server.output();
    for expected in [
        "authorized callback refused the page",
        "redirect target refused",
        "signed in",
        "provider=credentials",
    ] {
        assert!(logs.contains(expected), "missing {expected:?} in:\n{logs}");
    }
    for secret in [SECRET, PASSWORD, token.as_str()] {
        assert!(
            !logs.contains(secret),
            "a secret reached the logs: {secret}\n{logs}"
        );
    }
}
