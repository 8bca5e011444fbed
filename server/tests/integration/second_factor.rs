//! The second factor (issue 14): an authenticator app with recovery codes. Turning it on from
//! the account page; every sign-in then ends in a second step that sets no session until a code
//! is proved; codes are single use (a replay, even in parallel, is refused), attempts are
//! limited, the pending step is bound to its browser; the session says which factors were used;
//! turning it off needs a code; an operator can reset it.
#![allow(clippy::unwrap_used)]

use app::auth::ssr::totp::TotpSecret;
use app::auth::ssr::{SessionOptions, SessionStrategy, TwoFactorOptions};
use http::StatusCode;
use server::cli;

use app::auth::ssr::Provider;

use crate::common::{
    config, oidc::OidcProvider, smtp::SmtpServer, Backend, Client, Res, TestApp, ORIGIN,
};
use crate::identity;

const PASSWORD: &str = "correct horse battery";

fn now() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

/// The `?error=` and `&code=` of a redirect.
fn error_of(res: &Res) -> (Option<String>, Option<String>) {
    let location = res.location().unwrap_or_default();
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let find = |name: &str| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    (find("error"), find("code"))
}

/// Turns the second factor on for the signed-in `client` through the account page's routes,
/// as the page does; returns the secret and the recovery codes the page showed once.
pub async fn enable_totp(client: &mut Client) -> (TotpSecret, Vec<String>) {
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/account/two-factor/setup",
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/account")),
        "{}",
        res.body
    );
    let status = client.get("/api/account/two-factor").await.json();
    assert_eq!(status["enabled"], false);
    let setup = &status["setup"];
    assert!(setup["otpauthUrl"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    assert!(setup["qrSvg"].as_str().unwrap().starts_with("<svg"));
    let secret = TotpSecret::from_base32(setup["secret"].as_str().unwrap()).unwrap();
    let res = client
        .post_form(
            "/api/account/two-factor/enable",
            &[
                ("csrfToken", &csrf),
                ("code", &secret.code_at(now())),
                ("callbackUrl", "/account"),
            ],
        )
        .await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/account")),
        "{}",
        res.body
    );
    // The recovery codes are on the next render of the account page, and only on that one.
    let page = client.get_html("/account").await;
    let codes: Vec<String> = page
        .body
        .split("<li><code>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</code>").map(|(code, _)| code.to_owned()))
        .collect();
    assert_eq!(codes.len(), 10, "{}", page.body);
    let again = client.get_html("/account").await;
    assert!(
        !again.body.contains(&codes[0]),
        "recovery codes are shown once"
    );
    assert!(again.body.contains("On. 10 recovery codes left."));
    let status = client.get("/api/account/two-factor").await.json();
    assert_eq!(status["enabled"], true);
    assert!(
        status.get("setup").is_none(),
        "the secret is not shown once it is on"
    );
    (secret, codes)
}

/// Signs `client` in with the password: the answer, which should be the second step.
async fn first_factor(client: &mut Client, email: &str) -> Res {
    let res = client.sign_in(email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::FOUND);
    res
}

/// Posts a code to the second step.
async fn second_step(client: &mut Client, code: &str) -> Res {
    let csrf = client.csrf().await;
    client
        .post_form(
            "/api/auth/two-factor",
            &[("csrfToken", &csrf), ("code", code)],
        )
        .await
}

async fn registered_with_totp(app: &TestApp, email: &str) -> (TotpSecret, Vec<String>) {
    let mut owner = app.client();
    owner.register("Ada", email, PASSWORD).await;
    enable_totp(&mut owner).await
}

async fn a_sign_in_waits_for_the_code_and_says_which_factors_it_used(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let (secret, _) = registered_with_totp(&app, "ada@example.com").await;

    let mut browser = app.client();
    let res = first_factor(&mut browser, "ada@example.com").await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/api/auth/two-factor"))
    );
    // Nothing is signed in between the two steps.
    assert!(browser.session_cookie().is_none());
    assert_eq!(browser.session().await, serde_json::Value::Null);
    assert!(res
        .set_cookie("leptos-auth.second-step")
        .is_some_and(|c| c.contains("HttpOnly")));
    let page = browser.get_html("/api/auth/two-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Two-step verification"));

    // The code of the next step (the first one was used to turn the factor on).
    let res = second_step(&mut browser, &secret.code_at(now() + 30)).await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/")), "{}", res.body);
    assert!(res
        .set_cookie("leptos-auth.second-step")
        .is_some_and(|c| c.contains("Max-Age=0")));
    let session = browser.session().await;
    assert_eq!(session["user"]["email"], "ada@example.com");
    assert_eq!(session["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
}

async fn codes_are_single_use_and_a_wrong_one_is_refused(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let (secret, codes) = registered_with_totp(&app, "ada@example.com").await;
    let code = secret.code_at(now() + 30);

    let mut first = app.client();
    first_factor(&mut first, "ada@example.com").await;
    let res = second_step(&mut first, &code).await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/")));

    // The same code in another sign-in: refused, and nothing signed in.
    let mut replay = app.client();
    first_factor(&mut replay, "ada@example.com").await;
    for refused in [code.as_str(), &secret.code_at(now()), "12345", "abcdef"] {
        let res = second_step(&mut replay, refused).await;
        assert_eq!(
            error_of(&res),
            (
                Some("CredentialsSignin".into()),
                Some("second_factor".into())
            ),
            "{refused}"
        );
        assert!(res
            .location()
            .unwrap()
            .starts_with(&format!("{ORIGIN}/api/auth/two-factor?")));
        assert_eq!(replay.session().await, serde_json::Value::Null);
    }
    let page = replay
        .get_html("/api/auth/two-factor?error=CredentialsSignin&code=second_factor")
        .await;
    assert!(
        page.body.contains("That code is not valid."),
        "{}",
        page.body
    );

    // A recovery code works once, in any case and with or without its dash.
    let res = second_step(&mut replay, &codes[3].to_uppercase().replace('-', "")).await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/")));
    assert_eq!(
        replay.session().await["amr"],
        serde_json::json!(["pwd", "recovery", "mfa"])
    );
    let mut again = app.client();
    first_factor(&mut again, "ada@example.com").await;
    let res = second_step(&mut again, &codes[3]).await;
    assert_eq!(error_of(&res).1.as_deref(), Some("second_factor"));
    assert_eq!(again.session().await, serde_json::Value::Null);
}

async fn the_same_code_twice_at_once_signs_in_once(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let (secret, _) = registered_with_totp(&app, "ada@example.com").await;
    let code = secret.code_at(now() + 30);
    let mut a = app.client();
    let mut b = app.client();
    first_factor(&mut a, "ada@example.com").await;
    first_factor(&mut b, "ada@example.com").await;
    let (csrf_a, csrf_b) = (a.csrf().await, b.csrf().await);
    let fields_a = [("csrfToken", csrf_a.as_str()), ("code", code.as_str())];
    let fields_b = [("csrfToken", csrf_b.as_str()), ("code", code.as_str())];
    let (ra, rb) = tokio::join!(
        a.post_form("/api/auth/two-factor", &fields_a),
        b.post_form("/api/auth/two-factor", &fields_b)
    );
    let signed_in = [&ra, &rb]
        .iter()
        .filter(|r| r.location() == Some(&*format!("{ORIGIN}/")))
        .count();
    assert_eq!(signed_in, 1, "{:?} / {:?}", ra.location(), rb.location());
}

async fn attempts_are_limited_before_any_code_is_checked(backend: Backend) {
    let limited = config().two_factor(TwoFactorOptions {
        max_attempts: 2,
        ..TwoFactorOptions::default()
    });
    let app = TestApp::with(&backend, limited).await;
    let (secret, _) = registered_with_totp(&app, "ada@example.com").await;
    let mut guesser = app.client();
    first_factor(&mut guesser, "ada@example.com").await;
    for _ in 0..2 {
        let res = second_step(&mut guesser, "000001").await;
        assert_eq!(error_of(&res).1.as_deref(), Some("second_factor"));
    }
    // Past the limit even the right code is refused.
    let res = second_step(&mut guesser, &secret.code_at(now() + 30)).await;
    assert_eq!(error_of(&res).1.as_deref(), Some("rate_limited"));
    assert_eq!(guesser.session().await, serde_json::Value::Null);
}

async fn the_pending_step_belongs_to_its_browser(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let (secret, _) = registered_with_totp(&app, "ada@example.com").await;
    let mut victim = app.client();
    first_factor(&mut victim, "ada@example.com").await;
    let pending = victim.jar.get("leptos-auth.second-step").unwrap().clone();

    // Carried to another browser (its own CSRF cookie): refused as expired.
    let mut thief = app.client();
    thief.csrf().await;
    thief
        .jar
        .insert("leptos-auth.second-step".into(), pending.clone());
    let res = second_step(&mut thief, &secret.code_at(now() + 30)).await;
    assert_eq!(
        error_of(&res),
        (
            Some("CredentialsSignin".into()),
            Some("second_factor_expired".into())
        )
    );
    assert!(res
        .location()
        .unwrap()
        .starts_with(&format!("{ORIGIN}/api/auth/signin?")));
    assert_eq!(thief.session().await, serde_json::Value::Null);

    // Tampered with, or absent: the same.
    let mut tampered = pending.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    victim
        .jar
        .insert("leptos-auth.second-step".into(), tampered);
    let res = second_step(&mut victim, &secret.code_at(now() + 30)).await;
    assert_eq!(error_of(&res).1.as_deref(), Some("second_factor_expired"));
    victim.jar.remove("leptos-auth.second-step");
    let res = second_step(&mut victim, &secret.code_at(now() + 30)).await;
    assert_eq!(error_of(&res).1.as_deref(), Some("second_factor_expired"));

    // Without a CSRF token nothing is checked at all.
    let res = victim
        .post_form(
            "/api/auth/two-factor",
            &[("code", &secret.code_at(now() + 30))],
        )
        .await;
    assert_eq!(error_of(&res).0.as_deref(), Some("MissingCSRF"));
}

async fn turning_it_off_needs_a_code_and_an_operator_can_reset_it(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let mut owner = app.client();
    owner.register("Ada", "ada@example.com", PASSWORD).await;
    let (_, codes) = enable_totp(&mut owner).await;
    let csrf = owner.csrf().await;
    let res = owner
        .post_form(
            "/api/account/two-factor/disable",
            &[
                ("csrfToken", &csrf),
                ("code", "000001"),
                ("callbackUrl", "/account"),
            ],
        )
        .await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/account?error=TwoFactorCode"))
    );
    assert_eq!(
        owner.get("/api/account/two-factor").await.json()["enabled"],
        true
    );
    // A recovery code turns it off; the next sign-in is one step again.
    let res = owner
        .post_form(
            "/api/account/two-factor/disable",
            &[
                ("csrfToken", &csrf),
                ("code", &codes[0]),
                ("callbackUrl", "/account"),
            ],
        )
        .await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/account")));
    let res = first_factor(&mut app.client(), "ada@example.com").await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/")));

    // On again; the operator resets it for a user who lost their app and codes.
    enable_totp(&mut owner).await;
    let res = first_factor(&mut app.client(), "ada@example.com").await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/api/auth/two-factor"))
    );
    let reset = cli::parse(&["two-factor", "reset", "ada@example.com"].map(String::from)).unwrap();
    let said = cli::run(&reset, &app.state.db).await.unwrap();
    assert!(said.contains("second factor turned off"), "{said}");
    let res = first_factor(&mut app.client(), "ada@example.com").await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/")));
    let unknown = cli::parse(&["two-factor", "reset", "nobody@example.com"].map(String::from));
    assert!(cli::run(&unknown.unwrap(), &app.state.db).await.is_err());
}

async fn enrolment_refuses_wrong_codes_and_strangers(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    // Signed out: no status, no setup.
    let mut stranger = app.client();
    assert_eq!(
        stranger.get("/api/account/two-factor").await.status,
        StatusCode::UNAUTHORIZED
    );
    let csrf = stranger.csrf().await;
    let res = stranger
        .post_form(
            "/api/account/two-factor/setup",
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    assert_eq!(error_of(&res).0.as_deref(), Some("SessionRequired"));

    let mut owner = app.client();
    owner.register("Ada", "ada@example.com", PASSWORD).await;
    let csrf = owner.csrf().await;
    owner
        .post_form(
            "/api/account/two-factor/setup",
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    let res = owner
        .post_form(
            "/api/account/two-factor/enable",
            &[
                ("csrfToken", &csrf),
                ("code", "000001"),
                ("callbackUrl", "/account"),
            ],
        )
        .await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/account?error=TwoFactorCode"))
    );
    let status = owner.get("/api/account/two-factor").await.json();
    assert_eq!(status["enabled"], false);
    // A setup without a CSRF token changes nothing.
    let before = status["setup"]["secret"].clone();
    owner
        .post_form(
            "/api/account/two-factor/setup",
            &[("callbackUrl", "/account")],
        )
        .await;
    assert_eq!(
        owner.get("/api/account/two-factor").await.json()["setup"]["secret"],
        before
    );
    // The secret is sealed at rest.
    let id = app
        .state
        .db
        .get_user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let row = app.state.db.totp_of(id).await.unwrap().unwrap();
    assert!(!row.sealed_secret.contains(before.as_str().unwrap()));
}

async fn email_links_and_providers_need_the_second_step_too(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(
        &backend,
        identity::with_email(&smtp).provider(Provider::oauth(identity::oidc(&idp))),
    )
    .await;
    // A user of the OpenID provider turns the factor on...
    let mut owner = app.client();
    identity::oauth_post(&mut owner, "oidc", "grace").await;
    assert_eq!(owner.session().await["user"]["email"], "grace@example.com");
    let (secret, codes) = enable_totp(&mut owner).await;

    // ...and the provider alone no longer signs them in.
    let mut again = app.client();
    let res = identity::oauth_post(&mut again, "oidc", "grace").await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/api/auth/two-factor"))
    );
    assert_eq!(again.session().await, serde_json::Value::Null);
    second_step(&mut again, &secret.code_at(now() + 30)).await;
    assert_eq!(
        again.session().await["amr"],
        serde_json::json!(["fed", "otp", "mfa"])
    );

    // Nor does a link from their mailbox, opened in a new browser.
    let mut mailbox = app.client();
    let res = identity::follow_email_link(&mut mailbox, &smtp, "grace@example.com").await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/api/auth/two-factor"))
    );
    assert_eq!(mailbox.session().await, serde_json::Value::Null);
    second_step(&mut mailbox, &codes[0]).await;
    assert_eq!(
        mailbox.session().await["amr"],
        serde_json::json!(["email", "recovery", "mfa"])
    );
}

async fn database_sessions_carry_the_factors_too(backend: Backend) {
    let database = config().session(SessionOptions {
        strategy: SessionStrategy::Database,
        ..SessionOptions::default()
    });
    let app = TestApp::with(&backend, database).await;
    let (secret, _) = registered_with_totp(&app, "ada@example.com").await;
    let mut browser = app.client();
    first_factor(&mut browser, "ada@example.com").await;
    assert_eq!(browser.session().await, serde_json::Value::Null);
    second_step(&mut browser, &secret.code_at(now() + 30)).await;
    assert_eq!(
        browser.session().await["amr"],
        serde_json::json!(["pwd", "otp", "mfa"])
    );
}

on_both_databases!(
    a_sign_in_waits_for_the_code_and_says_which_factors_it_used,
    codes_are_single_use_and_a_wrong_one_is_refused,
    the_same_code_twice_at_once_signs_in_once,
    attempts_are_limited_before_any_code_is_checked,
    the_pending_step_belongs_to_its_browser,
    turning_it_off_needs_a_code_and_an_operator_can_reset_it,
    enrolment_refuses_wrong_codes_and_strangers,
    email_links_and_providers_need_the_second_step_too,
    database_sessions_carry_the_factors_too,
);
