//! Several instances: two server processes on different ports sharing one PostgreSQL. A session
//! made on one works on the other; a database session ended on one is gone on both; JWT
//! sessions work across both with the shared secret.
#![allow(clippy::unwrap_used)]

use crate::common::{
    self, postgres,
    process::{csrf, register, session, ServerProcess},
    test_db, SECRET,
};

async fn two_instances(strategy: &str) -> Option<(common::TestDb, ServerProcess, ServerProcess)> {
    let backend = postgres().await?;
    let db = test_db(&backend).await;
    let env = [
        ("AUTH_SECRET", SECRET),
        ("DATABASE_URL", db.url.as_str()),
        ("AUTH_SESSION_STRATEGY", strategy),
    ];
    // Started together: their migrations race, and PostgreSQL's advisory lock serializes them.
    let (a, b) = tokio::join!(ServerProcess::start(&env), ServerProcess::start(&env));
    Some((db, a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_sessions_are_shared_and_revoked_everywhere() {
    let Some((_db, a, b)) = two_instances("database").await else {
        return;
    };
    let browser = common::http_client();
    let res = register(
        &browser,
        &a.base,
        "multi@example.com",
        "correct horse battery",
    )
    .await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        session(&browser, &b.base).await["user"]["email"],
        "multi@example.com"
    );
    assert_eq!(
        session(&browser, &a.base).await["user"]["email"],
        "multi@example.com"
    );

    // Sign out on B: the row is gone, so A has no session for this browser either.
    let token = csrf(&browser, &b.base).await;
    let res = browser
        .post(format!("{}/api/auth/signout", b.base))
        .form(&[("csrfToken", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(session(&browser, &a.base).await, serde_json::Value::Null);
    assert_eq!(session(&browser, &b.base).await, serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_cookie_dies_on_every_instance_when_its_session_ends() {
    let Some((_db, a, b)) = two_instances("database").await else {
        return;
    };
    let browser = common::http_client();
    let res = register(
        &browser,
        &a.base,
        "copied@example.com",
        "correct horse battery",
    )
    .await;
    let copied = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("authjs.session-token="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let other_device = reqwest::Client::builder()
        .timeout(common::REQUEST_LIMIT)
        .build()
        .unwrap();
    let read = |base: String| {
        let client = other_device.clone();
        let cookie = copied.clone();
        async move {
            client
                .get(format!("{base}/api/auth/session"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        read(b.base.clone()).await["user"]["email"],
        "copied@example.com"
    );
    // The owner signs out on A; the copy stops working on B at once.
    let token = csrf(&browser, &a.base).await;
    browser
        .post(format!("{}/api/auth/signout", a.base))
        .form(&[("csrfToken", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(read(b.base.clone()).await, serde_json::Value::Null);
    assert_eq!(read(a.base.clone()).await, serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_sessions_work_across_instances() {
    let Some((_db, a, b)) = two_instances("jwt").await else {
        return;
    };
    let browser = common::http_client();
    register(
        &browser,
        &b.base,
        "jwt@example.com",
        "correct horse battery",
    )
    .await;
    assert_eq!(
        session(&browser, &a.base).await["user"]["email"],
        "jwt@example.com"
    );
    let token = csrf(&browser, &a.base).await;
    let res = browser
        .post(format!("{}/api/auth/callback/credentials", a.base))
        .form(&[
            ("csrfToken", token.as_str()),
            ("email", "jwt@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(
        session(&browser, &b.base).await["user"]["email"],
        "jwt@example.com"
    );
}
