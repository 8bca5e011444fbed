//! The SQL adapter on SQLite and PostgreSQL: Auth.js's tables, the starter's additions, and the
//! database session strategy.
#![allow(clippy::unwrap_used)]

use app::auth::ssr::{
    adapter::{AdapterError, NewUser},
    SessionOptions, SessionStrategy,
};
use http::StatusCode;
use time::{Duration, OffsetDateTime};

use crate::common::{config, Backend, TestApp};

async fn migrations_are_idempotent_and_users_are_unique(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let db = &app.state.db;
    db.migrate().await.unwrap();
    let user = db
        .create_user(&NewUser {
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            email_verified: Some(OffsetDateTime::now_utc()),
            image: None,
        })
        .await
        .unwrap();
    assert_eq!(db.get_user(user.id).await.unwrap().unwrap(), user);
    assert_eq!(
        db.get_user_by_email("ada@example.com")
            .await
            .unwrap()
            .unwrap()
            .id,
        user.id
    );
    let duplicate = db
        .create_user(&NewUser {
            email: Some("ada@example.com".into()),
            ..NewUser::default()
        })
        .await;
    assert!(matches!(duplicate, Err(AdapterError::Conflict)));
    db.ping().await.unwrap();
}

async fn user_and_password_are_created_together_or_not_at_all(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let db = &app.state.db;
    let new = NewUser {
        name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        ..NewUser::default()
    };
    let user = db
        .create_user_with_password(&new, "$argon2id$hash")
        .await
        .unwrap();
    assert!(db.has_password(user.id).await.unwrap());
    // A second attempt fails on the email and leaves no half-made user behind.
    assert!(matches!(
        db.create_user_with_password(&new, "$argon2id$other").await,
        Err(AdapterError::Conflict)
    ));
    let (_, hash) = db
        .get_user_and_password_hash("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hash, "$argon2id$hash");
    db.delete_user(user.id).await.unwrap();
    assert!(db.get_user(user.id).await.unwrap().is_none());
    assert!(db
        .get_user_and_password_hash("ada@example.com")
        .await
        .unwrap()
        .is_none());
}

async fn rate_limit_counters_count_per_window(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let db = &app.state.db;
    assert_eq!(db.hit_rate_limit("k", 100).await.unwrap(), 1);
    assert_eq!(db.hit_rate_limit("k", 100).await.unwrap(), 2);
    assert_eq!(db.rate_limit_count("k", 100).await.unwrap(), 2);
    assert_eq!(
        db.hit_rate_limit("k", 200).await.unwrap(),
        1,
        "a new window starts at one"
    );
    assert_eq!(db.rate_limit_count("k", 100).await.unwrap(), 0);
    // Concurrent hits (on several pool connections) are all counted.
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.hit_rate_limit("c", 1).await.unwrap() })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<u32>>());
    assert_eq!(db.rate_limit_count("c", 1).await.unwrap(), 20);
    db.reset_rate_limit("c").await.unwrap();
    assert_eq!(db.rate_limit_count("c", 1).await.unwrap(), 0);
}

fn database_sessions() -> app::auth::ssr::AuthConfigBuilder {
    config().session(SessionOptions {
        strategy: SessionStrategy::Database,
        ..SessionOptions::default()
    })
}

async fn database_sessions_live_in_the_sessions_table(backend: Backend) {
    let app = TestApp::with(&backend, database_sessions()).await;
    let mut client = app.client();
    let res = client
        .register("Ada", "ada@example.com", "correct horse battery")
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    let token = client.session_cookie().unwrap().clone();
    assert_eq!(token.len(), 36, "an opaque UUID, not a JWT");
    let (row, user) = app
        .state
        .db
        .get_session_and_user(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    assert!(row.expires > OffsetDateTime::now_utc() + Duration::days(29));

    let session = client.session().await;
    assert_eq!(session["user"]["name"], "Ada");
    // Fresh session: not extended (at most once per update_age), so no new cookie.
    let res = client.get("/api/auth/session").await;
    assert!(res.set_cookie("authjs.session-token").is_none());

    // Signing out deletes the row; the token is dead everywhere.
    let csrf = client.csrf().await;
    client
        .post_form("/api/auth/signout", &[("csrfToken", &csrf)])
        .await;
    assert!(app
        .state
        .db
        .get_session_and_user(&token)
        .await
        .unwrap()
        .is_none());
    let mut other = app.client();
    other.jar.insert("authjs.session-token".into(), token);
    assert_eq!(other.get("/api/auth/session").await.body, "null");
}

async fn database_sessions_are_extended_once_per_update_age_and_expire(backend: Backend) {
    let app = TestApp::with(&backend, database_sessions()).await;
    let db = &app.state.db;
    let user = db
        .create_user(&NewUser {
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            ..NewUser::default()
        })
        .await
        .unwrap();
    // Two days old: due for an update.
    let old_expiry = OffsetDateTime::now_utc() + Duration::days(28);
    db.create_session(user.id, "old-token", old_expiry, None, None)
        .await
        .unwrap();
    let mut client = app.client();
    client
        .jar
        .insert("authjs.session-token".into(), "old-token".into());
    let res = client.get("/api/auth/session").await;
    assert_eq!(res.json()["user"]["name"], "Ada");
    assert!(res
        .set_cookie("authjs.session-token")
        .unwrap()
        .contains("Expires="));
    let (row, _) = db.get_session_and_user("old-token").await.unwrap().unwrap();
    assert!(row.expires > OffsetDateTime::now_utc() + Duration::days(29));

    // Expired: no session, the row is deleted, the cookie cleared.
    db.create_session(
        user.id,
        "expired-token",
        OffsetDateTime::now_utc() - Duration::minutes(1),
        None,
        None,
    )
    .await
    .unwrap();
    let mut client = app.client();
    client
        .jar
        .insert("authjs.session-token".into(), "expired-token".into());
    let res = client.get("/api/auth/session").await;
    assert_eq!(res.body, "null");
    assert!(res
        .set_cookie("authjs.session-token")
        .unwrap()
        .contains("Max-Age=0"));
    assert!(db
        .get_session_and_user("expired-token")
        .await
        .unwrap()
        .is_none());
}

async fn the_flow_store_keeps_form_values_for_one_render(backend: Backend) {
    use tower_sessions::{
        session::{Id, Record},
        SessionStore,
    };
    let app = TestApp::with(&backend, config()).await;
    let store = app::auth::ssr::FlowStore::new(app.state.db.clone());
    let mut record = Record {
        id: Id::default(),
        data: [("k".to_owned(), serde_json::json!("v"))]
            .into_iter()
            .collect(),
        expiry_date: OffsetDateTime::now_utc() + Duration::minutes(5),
    };
    store.create(&mut record).await.unwrap();
    assert_eq!(
        store.load(&record.id).await.unwrap().unwrap().data["k"],
        "v"
    );
    record.data.insert("k".into(), serde_json::json!("w"));
    store.save(&record).await.unwrap();
    assert_eq!(
        store.load(&record.id).await.unwrap().unwrap().data["k"],
        "w"
    );
    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());

    let mut expired = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: OffsetDateTime::now_utc() - Duration::minutes(1),
    };
    store.create(&mut expired).await.unwrap();
    assert!(store.load(&expired.id).await.unwrap().is_none());
    assert_eq!(store.delete_expired().await.unwrap(), 1);
}

on_both_databases!(
    migrations_are_idempotent_and_users_are_unique,
    user_and_password_are_created_together_or_not_at_all,
    rate_limit_counters_count_per_window,
    database_sessions_live_in_the_sessions_table,
    database_sessions_are_extended_once_per_update_age_and_expire,
    the_flow_store_keeps_form_values_for_one_render,
);
