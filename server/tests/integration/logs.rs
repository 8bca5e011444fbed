//! What the logs say (issue 11): every failed sign-in is logged at info with its reason and the
//! user id when there is one; nothing at warn or above names an email address; a value from
//! outside (a provider's `error`) cannot forge a log line.
#![allow(clippy::unwrap_used)]

use serde_json::Value;

use crate::common::{
    self,
    process::{csrf, register, ServerProcess},
    smtp::SmtpServer,
};

const SECRET: &str = "logs-test-secret-0123456789abcdef-0123456789";
const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_logged_by_reason_and_user_id_never_by_address() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/app.db?mode=rwc", dir.path().display());
    let smtp = SmtpServer::start(Some("refused@example.com")).await;
    let mut server = ServerProcess::start(&[
        ("AUTH_SECRET", SECRET),
        ("DATABASE_URL", &database),
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", "info"),
        ("AUTH_RATE_LIMIT_PER_ACCOUNT", "2"),
        ("AUTH_EMAIL_SERVER", &smtp.url()),
        ("AUTH_OAUTH_ID", "client"),
        ("AUTH_OAUTH_SECRET", "client-secret"),
        ("AUTH_OAUTH_AUTHORIZATION_URL", "http://127.0.0.1:9/auth"),
        ("AUTH_OAUTH_TOKEN_URL", "http://127.0.0.1:9/token"),
        ("AUTH_OAUTH_USERINFO_URL", "http://127.0.0.1:9/me"),
    ])
    .await;
    let base = server.base.clone();
    let browser = common::http_client();
    register(&browser, &base, "known@example.com", PASSWORD).await;

    let guest = common::http_client();
    let sign_in = |email: &'static str, password: &'static str| {
        let guest = guest.clone();
        let base = base.clone();
        async move {
            let token = csrf(&guest, &base).await;
            guest
                .post(format!("{base}/api/auth/callback/credentials"))
                .form(&[
                    ("csrfToken", token.as_str()),
                    ("email", email),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    sign_in("known@example.com", "wrong password").await;
    sign_in("unknown@example.com", "wrong password").await;
    sign_in("known@example.com", "wrong again").await;
    sign_in("known@example.com", "and again").await; // rate limited (per account: 2)
                                                     // SMTP refuses a recipient: an error-level line, about an address it must not name.
    let token = csrf(&guest, &base).await;
    guest
        .post(format!("{base}/api/auth/signin/email"))
        .form(&[
            ("csrfToken", token.as_str()),
            ("email", "refused@example.com"),
        ])
        .send()
        .await
        .unwrap();
    // A provider error with a forged log line in it.
    guest
        .get(format!(
            "{base}/api/auth/callback/oauth?error=server_error%0A%7B%22level%22%3A%22INFO%22%2C%22fields%22%3A%7B%22message%22%3A%22admin%20signed%20in%22%7D%7D"
        ))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server.terminate().await;

    let logs = server.output();
    let lines: Vec<Value> = logs
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let message = |line: &Value| line["fields"]["message"].as_str().unwrap_or("").to_owned();
    let failed: Vec<&Value> = lines
        .iter()
        .filter(|l| message(l) == "sign-in failed")
        .collect();
    let reasons: Vec<&str> = failed
        .iter()
        .map(|l| l["fields"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "wrong_password",
            "unknown_account",
            "wrong_password",
            "rate_limited"
        ],
        "{logs}"
    );
    assert!(failed.iter().all(|l| l["level"] == "INFO"));
    assert!(
        failed[0]["fields"]["user.id"].is_number(),
        "{:?}",
        failed[0]
    );
    assert!(failed[1]["fields"].get("user.id").is_none());

    for line in &lines {
        let level = line["level"].as_str().unwrap();
        if matches!(level, "WARN" | "ERROR") {
            let text = line.to_string();
            assert!(
                !text.contains("@example.com"),
                "an address at {level}: {text}"
            );
        }
    }
    assert!(
        lines.iter().any(|l| message(l) == "email provider error"),
        "the SMTP refusal was logged: {logs}"
    );
    // The forged line stayed inside its field: no log line says what the provider injected.
    assert!(
        !lines.iter().any(|l| message(l) == "admin signed in"),
        "{logs}"
    );
    let provider_error = lines
        .iter()
        .find(|l| message(l) == "OAuth provider error")
        .unwrap_or_else(|| panic!("no provider error logged: {logs}"));
    let logged = provider_error["fields"]["error"].as_str().unwrap();
    assert!(!logged.contains('\n'), "{logged}");
    assert!(logged.contains("server_error"), "{logged}");
}
