//! Abuse is bounded (issue 11): attempt limits are counted atomically before any hashing or
//! mailing, hold under parallel bursts, key the real client (the socket peer, or the right-most
//! untrusted hop behind a trusted proxy; IPv6 per /64), cannot be used to lock an owner out;
//! password hashing runs under a bound and refuses rather than queues; expired rows are purged.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use app::auth::ssr::{
    housekeeping,
    providers::{EmailProvider, SendLimits},
    HashLimits, Provider, RateLimits, TrustedProxies,
};

use crate::common::{self, config, smtp::SmtpServer, Backend, Client, Res, TestApp};

const PASSWORD: &str = "correct horse battery";

/// The `code` of a credentials answer (`credentials`, `rate_limited`, `busy`), or `ok`.
fn code_of(res: &Res) -> String {
    let location = res.location().unwrap_or_default();
    location
        .split("code=")
        .nth(1)
        .map_or("ok", |rest| rest.split('&').next().unwrap())
        .to_owned()
}

async fn attempt(client: &mut Client, email: &str, password: &str) -> String {
    code_of(&client.sign_in(email, password).await)
}

fn limits(per_account: u32, account_ceiling: u32, per_ip: u32) -> RateLimits {
    RateLimits {
        per_account,
        account_ceiling,
        per_ip,
        window: Duration::from_secs(600),
    }
}

async fn a_parallel_burst_gets_at_most_the_limits_password_checks(backend: Backend) {
    let app = TestApp::with(
        &backend,
        config()
            .rate_limits(limits(5, 100, 1000))
            .hash_limits(HashLimits {
                concurrency: 4,
                max_wait: Duration::from_secs(120),
            }),
    )
    .await;
    app.client()
        .register("Ada", "ada@example.com", PASSWORD)
        .await;
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let mut client = app.client().with_peer("198.51.100.7:4000");
            tokio::spawn(
                async move { attempt(&mut client, "ada@example.com", "wrong password").await },
            )
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    let checked = codes.iter().filter(|c| *c == "credentials").count();
    let limited = codes.iter().filter(|c| *c == "rate_limited").count();
    assert_eq!(checked, 5, "{codes:?}");
    assert_eq!(limited, 35, "{codes:?}");
}

async fn a_parallel_burst_of_email_requests_sends_at_most_the_limit(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(
        &backend,
        config().provider(Provider::email(
            EmailProvider::new(smtp.url(), "Leptos Auth <no-reply@example.com>").with_limits(
                SendLimits {
                    per_address: 3,
                    per_ip: 1000,
                    window: Duration::from_secs(600),
                },
            ),
        )),
    )
    .await;
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let mut client = app.client();
            tokio::spawn(async move {
                let csrf = client.csrf().await;
                client
                    .post_form(
                        "/api/auth/signin/email",
                        &[("csrfToken", &csrf), ("email", "burst@example.com")],
                    )
                    .await
                    .location()
                    .unwrap()
                    .to_owned()
            })
        })
        .collect();
    let mut sent = 0;
    for task in tasks {
        let location = task.await.unwrap();
        if location.contains("verify-request") {
            sent += 1;
        } else {
            assert!(location.contains("code=rate_limited"), "{location}");
        }
    }
    assert_eq!(sent, 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.messages("burst@example.com").await.len(), 3);
}

async fn a_stranger_cannot_lock_the_owner_out(backend: Backend) {
    let app = TestApp::with(&backend, config().rate_limits(limits(3, 8, 1000))).await;
    app.client()
        .register("Ada", "ada@example.com", PASSWORD)
        .await;
    let mut stranger = app.client().with_peer("198.51.100.7:4000");
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(attempt(&mut stranger, "ada@example.com", "guess").await);
    }
    assert_eq!(
        codes,
        ["credentials", "credentials", "credentials", "rate_limited"]
    );
    // The owner, from their own address, still signs in (and their own slip-ups count apart).
    let mut owner = app.client().with_peer("203.0.113.9:5000");
    assert_eq!(
        attempt(&mut owner, "ada@example.com", "typo").await,
        "credentials"
    );
    assert_eq!(attempt(&mut owner, "ada@example.com", PASSWORD).await, "ok");
    // A guesser with many addresses meets the account-wide ceiling.
    let mut codes = Vec::new();
    for i in 0..8 {
        let mut other = app.client().with_peer(&format!("192.0.2.{i}:1000"));
        codes.push(attempt(&mut other, "ada@example.com", "guess").await);
    }
    assert!(codes.contains(&"rate_limited".to_owned()), "{codes:?}");
    let checked = codes.iter().filter(|c| *c == "credentials").count();
    assert!(
        checked <= 8 - 4,
        "the ceiling counts every client: {codes:?}"
    );
}

async fn per_ip_limits_count_the_client_not_what_it_claims(backend: Backend) {
    // No trusted proxy: X-Forwarded-For is ignored, even with the host trusted.
    let app = TestApp::with(&backend, config().rate_limits(limits(100, 1000, 2))).await;
    let mut codes = Vec::new();
    for i in 0..3 {
        let mut client = app.client().with_peer("198.51.100.7:4000");
        client
            .headers
            .push(("x-forwarded-for".into(), format!("10.9.9.{i}")));
        codes.push(attempt(&mut client, &format!("u{i}@example.com"), "guess").await);
    }
    assert_eq!(codes, ["credentials", "credentials", "rate_limited"]);

    // Behind a trusted proxy: the right-most untrusted hop, whatever the client put left of it.
    let proxied = TestApp::with(
        &backend,
        config()
            .rate_limits(limits(100, 1000, 2))
            .trusted_proxies(TrustedProxies::parse("10.0.0.0/8").unwrap()),
    )
    .await;
    let mut codes = Vec::new();
    for i in 0..3 {
        let mut client = proxied.client().with_peer("10.0.0.2:4000");
        client.headers.push((
            "x-forwarded-for".into(),
            format!("6.6.6.{i}, 203.0.113.5, 10.0.0.3"),
        ));
        codes.push(attempt(&mut client, &format!("v{i}@example.com"), "guess").await);
    }
    assert_eq!(codes, ["credentials", "credentials", "rate_limited"]);
    // Another real client behind the proxy is counted apart.
    let mut other = proxied.client().with_peer("10.0.0.2:4001");
    other
        .headers
        .push(("x-forwarded-for".into(), "203.0.113.77".into()));
    assert_eq!(
        attempt(&mut other, "w@example.com", "guess").await,
        "credentials"
    );

    // IPv6: one /64 is one client.
    let v6 = TestApp::with(&backend, config().rate_limits(limits(100, 1000, 2))).await;
    let mut codes = Vec::new();
    for host in ["2001:db8:1:2::a", "2001:db8:1:2:ffff::b", "2001:db8:1:2::c"] {
        let mut client = v6.client().with_peer(&format!("[{host}]:443"));
        codes.push(attempt(&mut client, &format!("{}@example.com", host.len()), "guess").await);
    }
    assert_eq!(codes, ["credentials", "credentials", "rate_limited"]);
    let mut next_net = v6.client().with_peer("[2001:db8:1:3::a]:443");
    assert_eq!(
        attempt(&mut next_net, "x@example.com", "guess").await,
        "credentials"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashing_is_bounded_and_a_full_pool_refuses_quickly() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config()
            .rate_limits(limits(1000, 1000, 1000))
            .hash_limits(HashLimits {
                concurrency: 1,
                max_wait: Duration::from_millis(5),
            }),
    )
    .await;
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let mut client = app.client();
            tokio::spawn(async move {
                attempt(&mut client, &format!("n{i}@example.com"), "guess").await
            })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    assert!(codes.contains(&"busy".to_owned()), "{codes:?}");
    assert!(codes.contains(&"credentials".to_owned()), "{codes:?}");
    assert!(
        codes.iter().all(|c| c == "busy" || c == "credentials"),
        "{codes:?}"
    );
    eprintln!(
        "16 concurrent sign-ins with 1 hashing slot: {} checked, {} busy, in {:?}",
        codes.iter().filter(|c| *c == "credentials").count(),
        codes.iter().filter(|c| *c == "busy").count(),
        started.elapsed()
    );
    assert_eq!(
        app.state.auth.hasher().available(),
        1,
        "every slot is given back"
    );
    // The busy page says so.
    let page = app
        .client()
        .get_html("/api/auth/signin?error=CredentialsSignin&code=busy")
        .await;
    assert!(page.body.contains("The server is busy"), "{}", page.body);
}

async fn expired_rows_are_purged(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let db = &app.state.db;
    let now = time::OffsetDateTime::now_utc();
    let long_ago = now - time::Duration::days(2);
    db.hit_rate_limit("signin:account:old@example.com", long_ago.unix_timestamp())
        .await
        .unwrap();
    db.hit_rate_limit("signin:account:new@example.com", now.unix_timestamp())
        .await
        .unwrap();
    db.create_verification_token("old@example.com", "h1", long_ago)
        .await
        .unwrap();
    db.create_verification_token("new@example.com", "h2", now + time::Duration::hours(1))
        .await
        .unwrap();
    let user = db
        .create_user(&app::auth::ssr::adapter::NewUser {
            email: Some("s@example.com".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    db.create_session(user.id, "old-session", long_ago, None, None)
        .await
        .unwrap();
    db.create_session(
        user.id,
        "new-session",
        now + time::Duration::days(1),
        None,
        None,
    )
    .await
    .unwrap();

    // Flow state (tower-sessions records): one expired, one live.
    let flow = "INSERT INTO flow_sessions (id, data, expiry_date) VALUES ($1, $2, $3)";
    for (id, expiry) in [
        ("old-flow", long_ago),
        ("new-flow", now + time::Duration::minutes(10)),
    ] {
        match db {
            app::auth::ssr::Db::Sqlite(pool) => sqlx::query(flow)
                .bind(id)
                .bind(b"{}".as_slice())
                .bind(expiry)
                .execute(pool)
                .await
                .map(|_| ()),
            app::auth::ssr::Db::Postgres(pool) => sqlx::query(flow)
                .bind(id)
                .bind(b"{}".as_slice())
                .bind(expiry)
                .execute(pool)
                .await
                .map(|_| ()),
        }
        .unwrap();
    }

    let purged = housekeeping::purge_expired(&app.state.auth).await.unwrap();
    assert_eq!(purged.rate_limits, 1, "{purged:?}");
    assert_eq!(purged.verification_tokens, 1, "{purged:?}");
    assert_eq!(purged.sessions, 1, "{purged:?}");
    assert_eq!(purged.flow_sessions, 1, "{purged:?}");
    assert_eq!(
        db.count_verification_tokens("new@example.com")
            .await
            .unwrap(),
        1
    );
    assert!(db
        .get_session_and_user("new-session")
        .await
        .unwrap()
        .is_some());
    assert!(db
        .get_session_and_user("old-session")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        db.rate_limit_count("signin:account:new@example.com", now.unix_timestamp())
            .await
            .unwrap(),
        1
    );

    // The server's periodic task does the same on its own.
    db.create_session(user.id, "old-again", long_ago, None, None)
        .await
        .unwrap();
    let task = server::spawn_cleanup(app.state.auth.clone(), Duration::from_millis(100));
    let mut gone = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if db
            .get_session_and_user("old-again")
            .await
            .unwrap()
            .is_none()
        {
            gone = true;
            break;
        }
    }
    task.abort();
    assert!(gone, "the cleanup task purged the expired session");
}

on_both_databases!(
    a_parallel_burst_gets_at_most_the_limits_password_checks,
    a_parallel_burst_of_email_requests_sends_at_most_the_limit,
    a_stranger_cannot_lock_the_owner_out,
    per_ip_limits_count_the_client_not_what_it_claims,
    expired_rows_are_purged,
);

#[tokio::test]
async fn registrations_count_against_the_ip_limit_before_hashing() {
    let app = TestApp::with(&Backend::Sqlite, config().rate_limits(limits(10, 100, 2))).await;
    let mut refused = Vec::new();
    for i in 0..3 {
        let mut client = app.client().with_peer("198.51.100.7:4000");
        let res = client
            .register("R", &format!("r{i}@example.com"), PASSWORD)
            .await;
        refused.push(res.location().unwrap().contains("error=RateLimited"));
    }
    assert_eq!(refused, [false, false, true]);
    assert!(app
        .state
        .db
        .get_user_by_email("r2@example.com")
        .await
        .unwrap()
        .is_none());
}

/// Peak resident memory of a process, from `/proc/<pid>/status` (kB).
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The real server: hundreds of concurrent sign-ins keep its memory bounded (argon2 takes
/// 19 MiB per hash; unbounded, 300 of them would be gigabytes) and `GET /api/auth/session`
/// answers meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sign_ins_keeps_memory_bounded_and_sessions_answered() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/app.db?mode=rwc", dir.path().display());
    let server = common::process::ServerProcess::start(&[
        (
            "AUTH_SECRET",
            "burst-test-secret-0123456789abcdef-0123456789",
        ),
        ("DATABASE_URL", &database),
        ("AUTH_RATE_LIMIT_PER_IP", "1000000"),
        ("AUTH_RATE_LIMIT_PER_ACCOUNT", "1000000"),
        ("AUTH_RATE_LIMIT_ACCOUNT_CEILING", "1000000"),
        ("RUST_LOG", "warn"),
    ])
    .await;
    let base = server.base.clone();
    let pid = server.pid();
    let baseline = peak_rss_kb(pid);
    let browser = common::http_client();
    let csrf = common::process::csrf(&browser, &base).await;

    let burst: Vec<_> = (0..300)
        .map(|i| {
            let browser = browser.clone();
            let url = format!("{base}/api/auth/callback/credentials");
            let csrf = csrf.clone();
            tokio::spawn(async move {
                let res = browser
                    .post(url)
                    .form(&[
                        ("csrfToken", csrf.as_str()),
                        ("email", &format!("burst{i}@example.com")),
                        ("password", "wrong password"),
                    ])
                    .send()
                    .await
                    .unwrap();
                res.headers()["location"].to_str().unwrap().to_owned()
            })
        })
        .collect();
    // Meanwhile, someone reads their session.
    let reader = common::http_client();
    let mut slowest = Duration::ZERO;
    let mut reads = 0;
    while !burst.iter().all(|task| task.is_finished()) && reads < 400 {
        let started = std::time::Instant::now();
        let res = reader
            .get(format!("{base}/api/auth/session"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        slowest = slowest.max(started.elapsed());
        reads += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut busy = 0;
    let mut checked = 0;
    for task in burst {
        let location = task.await.unwrap();
        if location.contains("code=busy") {
            busy += 1;
        } else {
            assert!(location.contains("code=credentials"), "{location}");
            checked += 1;
        }
    }
    let peak = peak_rss_kb(pid);
    eprintln!(
        "300 concurrent sign-ins: {checked} checked, {busy} refused as busy; peak RSS {} MiB \
         (before: {} MiB); {reads} session reads meanwhile, the slowest {slowest:?}",
        peak / 1024,
        baseline / 1024
    );
    assert!(
        busy > 0,
        "a burst beyond the hashing pool is refused, not queued"
    );
    assert!(
        peak < baseline + 100 * 1024,
        "peak RSS {peak} kB (baseline {baseline} kB): hashing is not bounded"
    );
    assert!(reads > 0);
    assert!(
        slowest < Duration::from_secs(3),
        "session reads stalled: {slowest:?}"
    );
}
