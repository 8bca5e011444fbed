//! Passkeys (issue 14), Auth.js's WebAuthn provider, driven by a software authenticator that
//! makes real P-256 credentials and signatures (the browser's part is in the end-to-end suite,
//! with Chromium's virtual authenticator and `@simplewebauthn/browser`): sign-up, sign-in, the
//! account page's list and removal, and every refusal: a challenge answered twice (also in
//! parallel) or from another browser, another origin, another relying party, a counter that did
//! not move forward, an unknown credential, another user's address, the last way in.
#![allow(clippy::unwrap_used)]

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use http::StatusCode;
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use serde_cbor_2::Value as Cbor;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use app::auth::ssr::{providers::PasskeyProvider, Provider};

use crate::common::{config, Backend, Client, Res, TestApp, ORIGIN};

const RP_ID: &str = "127.0.0.1";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A software authenticator holding one credential.
struct Authenticator {
    id: Vec<u8>,
    key: SigningKey,
    counter: u32,
    /// Whether it keeps a signature counter (many passkey providers always send 0).
    counts: bool,
}

/// What an authenticator may be told to get wrong.
#[derive(Clone, Copy)]
struct Twist<'a> {
    origin: &'a str,
    rp_id: &'a str,
    user_verified: bool,
}

const HONEST: Twist<'static> = Twist {
    origin: ORIGIN,
    rp_id: RP_ID,
    user_verified: true,
};

impl Authenticator {
    fn new(seed: &str) -> Self {
        let key = SigningKey::from_slice(&sha256(seed.as_bytes())).unwrap();
        Self {
            id: sha256(format!("id:{seed}").as_bytes())[..16].to_vec(),
            key,
            counter: 0,
            counts: true,
        }
    }

    /// One without a signature counter.
    fn without_counter(seed: &str) -> Self {
        Self {
            counts: false,
            ..Self::new(seed)
        }
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let map = [
            (1, Cbor::Integer(2)),
            (3, Cbor::Integer(-7)),
            (-1, Cbor::Integer(1)),
            (-2, Cbor::Bytes(point.x().unwrap().to_vec())),
            (-3, Cbor::Bytes(point.y().unwrap().to_vec())),
        ]
        .into_iter()
        .map(|(k, v)| (Cbor::Integer(k), v))
        .collect();
        serde_cbor_2::to_vec(&Cbor::Map(map)).unwrap()
    }

    fn auth_data(&self, twist: Twist<'_>, attested: bool) -> Vec<u8> {
        let mut data = sha256(twist.rp_id.as_bytes()).to_vec();
        let mut flags = 0x01; // user present
        if twist.user_verified {
            flags |= 0x04;
        }
        if attested {
            flags |= 0x40;
        }
        data.push(flags);
        data.extend(self.counter.to_be_bytes());
        if attested {
            data.extend([0u8; 16]); // aaguid
            data.extend(u16::try_from(self.id.len()).unwrap().to_be_bytes());
            data.extend(&self.id);
            data.extend(self.cose_key());
        }
        data
    }

    fn client_data(kind: &str, options: &Value, twist: Twist<'_>) -> Vec<u8> {
        json!({
            "type": kind,
            "challenge": options["challenge"],
            "origin": twist.origin,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }

    /// `navigator.credentials.create()`, as `@simplewebauthn/browser`'s `startRegistration`
    /// returns it.
    fn register(&self, options: &Value, twist: Twist<'_>) -> Value {
        let client_data = Self::client_data("webauthn.create", options, twist);
        let attestation = Cbor::Map(
            [
                ("fmt", Cbor::Text("none".into())),
                ("attStmt", Cbor::Map(Default::default())),
                ("authData", Cbor::Bytes(self.auth_data(twist, true))),
            ]
            .into_iter()
            .map(|(k, v)| (Cbor::Text(k.into()), v))
            .collect(),
        );
        json!({
            "id": b64(&self.id),
            "rawId": b64(&self.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&serde_cbor_2::to_vec(&attestation).unwrap()),
                "transports": ["internal", "hybrid"],
                "publicKeyAlgorithm": -7,
            },
            "clientExtensionResults": {"credProps": {"rk": true}},
            "authenticatorAttachment": "platform",
        })
    }

    /// `navigator.credentials.get()`, as `startAuthentication` returns it; counts a use.
    fn assert(&mut self, options: &Value, twist: Twist<'_>) -> Value {
        if self.counts {
            self.counter += 1;
        }
        let client_data = Self::client_data("webauthn.get", options, twist);
        let auth_data = self.auth_data(twist, false);
        let mut signed = auth_data.clone();
        signed.extend(sha256(&client_data));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.id),
            "rawId": b64(&self.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(b"someone"),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
    }
}

fn passkey_config() -> app::auth::ssr::AuthConfigBuilder {
    config().provider(Provider::passkey(PasskeyProvider::default()))
}

/// `GET /webauthn-options/passkey` with these parameters: `(action, options)`.
async fn options(client: &mut Client, query: &str) -> (String, Value) {
    let res = client
        .get(&format!("/api/auth/webauthn-options/passkey{query}"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.set_cookie("authjs.challenge").is_some());
    let body = res.json();
    (
        body["action"].as_str().unwrap().to_owned(),
        body["options"].clone(),
    )
}

/// Posts the answer as `signIn("passkey")` does.
async fn answer(client: &mut Client, action: &str, data: &Value) -> Res {
    let csrf = client.csrf().await;
    let data = data.to_string();
    client
        .post_form(
            "/api/auth/callback/passkey",
            &[
                ("action", action),
                ("data", &data),
                ("csrfToken", &csrf),
                ("callbackUrl", "/account"),
            ],
        )
        .await
}

fn signed_in_to_account(res: &Res) {
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/account")),
        "{}",
        res.body
    );
}

fn refused(res: &Res) {
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    let location = res.location().unwrap();
    assert!(
        location.contains("error=WebAuthnVerificationError"),
        "{location}"
    );
}

/// A new visitor signs up with a passkey and an address no one has: returns the browser.
async fn sign_up(app: &TestApp, email: &str, authenticator: &Authenticator) -> Client {
    let mut client = app.client();
    let (action, opts) = options(&mut client, &format!("?email={email}")).await;
    assert_eq!(action, "register");
    assert_eq!(opts["rp"]["id"], RP_ID);
    assert_eq!(opts["user"]["name"], email);
    assert_eq!(opts["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(
        opts["authenticatorSelection"]["userVerification"],
        "preferred"
    );
    let res = answer(
        &mut client,
        "register",
        &authenticator.register(&opts, HONEST),
    )
    .await;
    signed_in_to_account(&res);
    client
}

async fn sign_up_then_sign_in(backend: Backend) {
    let app = TestApp::with(&backend, passkey_config()).await;
    let mut key = Authenticator::new("ada");
    let mut ada = sign_up(&app, "ada@example.com", &key).await;
    let session = ada.session().await;
    assert_eq!(session["user"]["email"], "ada@example.com");
    assert_eq!(session["amr"], json!(["hwk", "mfa"]));
    // Auth.js's rows: the authenticator and its account.
    let listed = ada.get("/api/account/passkeys").await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["id"], b64(&key.id));
    let linked = ada.get("/api/auth/linked").await.json();
    assert!(linked
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "passkey" && p["type"] == "webauthn" && p["linked"] == true));

    // Another browser signs in with it, no address needed (a discoverable credential).
    let mut browser = app.client();
    let (action, opts) = options(&mut browser, "").await;
    assert_eq!(action, "authenticate");
    assert_eq!(opts["allowCredentials"], json!([]));
    let res = answer(&mut browser, "authenticate", &key.assert(&opts, HONEST)).await;
    signed_in_to_account(&res);
    assert_eq!(browser.session().await["user"]["email"], "ada@example.com");

    // With her address, the options list her passkey.
    let mut third = app.client();
    let (action, opts) = options(&mut third, "?email=ADA@example.com").await;
    assert_eq!(action, "authenticate");
    assert_eq!(opts["allowCredentials"][0]["id"], b64(&key.id));
    let listed = ada.get("/api/account/passkeys").await.json();
    assert!(listed[0]["lastUsedAt"].is_string(), "{listed}");
}

async fn every_refusal(backend: Backend) {
    let app = TestApp::with(&backend, passkey_config()).await;
    let mut key = Authenticator::new("bob");
    sign_up(&app, "bob@example.com", &key).await;

    // Signing up with an address that has a user: no ceremony.
    let mut stranger = app.client();
    let res = stranger
        .get("/api/auth/webauthn-options/passkey?action=register&email=bob@example.com")
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert_eq!(res.json(), json!({"Auth": "WebAuthnVerificationError"}));

    // A replayed challenge: the same answer, with the same cookie, a second time (from an
    // authenticator without a counter, so that only the spent challenge can refuse it).
    let mut zed = Authenticator::without_counter("zed");
    sign_up(&app, "zed@example.com", &zed).await;
    let mut client = app.client();
    let (_, opts) = options(&mut client, "").await;
    let cookie = client.jar.get("authjs.challenge").cloned().unwrap();
    let assertion = zed.assert(&opts, HONEST);
    signed_in_to_account(&answer(&mut client, "authenticate", &assertion).await);
    assert!(
        !client.jar.contains_key("authjs.challenge"),
        "the cookie is cleared"
    );
    let mut replay = app.client();
    replay.csrf().await;
    replay.jar.extend(
        client
            .jar
            .iter()
            .filter(|(k, _)| k.contains("csrf"))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    replay.jar.insert("authjs.challenge".into(), cookie.clone());
    refused(&answer(&mut replay, "authenticate", &assertion).await);
    assert_eq!(replay.session().await, Value::Null);

    // The cookie carried to another browser (another CSRF binding) opens to nothing.
    let mut other = app.client();
    let (_, opts) = options(&mut other, "").await;
    let stolen = other.jar.get("authjs.challenge").cloned().unwrap();
    let mut thief = app.client();
    thief.jar.insert("authjs.challenge".into(), stolen);
    refused(&answer(&mut thief, "authenticate", &key.assert(&opts, HONEST)).await);

    // Another origin, another relying party.
    for twist in [
        Twist {
            origin: "http://evil.example",
            ..HONEST
        },
        Twist {
            rp_id: "evil.example",
            ..HONEST
        },
    ] {
        let mut client = app.client();
        let (_, opts) = options(&mut client, "").await;
        refused(&answer(&mut client, "authenticate", &key.assert(&opts, twist)).await);
        assert_eq!(client.session().await, Value::Null);
    }

    // A counter that did not move forward (a cloned authenticator): Bob signs in at 5, then
    // an assertion says 1.
    key.counter = 4;
    let mut client = app.client();
    let (_, opts) = options(&mut client, "").await;
    signed_in_to_account(&answer(&mut client, "authenticate", &key.assert(&opts, HONEST)).await);
    let mut client = app.client();
    let (_, opts) = options(&mut client, "").await;
    key.counter = 0;
    refused(&answer(&mut client, "authenticate", &key.assert(&opts, HONEST)).await);
    key.counter = 100;

    // An unknown credential.
    let mut client = app.client();
    let (_, opts) = options(&mut client, "").await;
    let mut unknown = Authenticator::new("nobody");
    refused(&answer(&mut client, "authenticate", &unknown.assert(&opts, HONEST)).await);

    // A credential the options did not allow (they listed Bob's; this is Carol's).
    let carol = Authenticator::new("carol");
    sign_up(&app, "carol@example.com", &carol).await;
    let mut client = app.client();
    let (_, opts) = options(&mut client, "?email=bob@example.com").await;
    let mut carol = carol;
    refused(&answer(&mut client, "authenticate", &carol.assert(&opts, HONEST)).await);

    // A mismatched action, garbage data, no cookie.
    let mut client = app.client();
    let (_, opts) = options(&mut client, "").await;
    refused(&answer(&mut client, "register", &key.assert(&opts, HONEST)).await);
    let mut client = app.client();
    options(&mut client, "").await;
    refused(&answer(&mut client, "authenticate", &json!("garbage")).await);
    let mut client = app.client();
    refused(&answer(&mut client, "authenticate", &json!({})).await);

    // Still serving, and Bob still signs in.
    let mut client = app.client();
    let (_, opts) = options(&mut client, "").await;
    signed_in_to_account(&answer(&mut client, "authenticate", &key.assert(&opts, HONEST)).await);
}

async fn one_answer_wins_in_parallel(backend: Backend) {
    let app = TestApp::with(&backend, passkey_config()).await;
    let mut key = Authenticator::new("dan");
    sign_up(&app, "dan@example.com", &key).await;
    let mut client = app.client();
    let (_, opts) = options(&mut client, "").await;
    let csrf = client.csrf().await;
    let data = key.assert(&opts, HONEST).to_string();
    let tries = (0..8).map(|_| {
        let mut copy = app.client();
        copy.jar = client.jar.clone();
        let (csrf, data) = (csrf.clone(), data.clone());
        tokio::spawn(async move {
            let res = copy
                .post_form(
                    "/api/auth/callback/passkey",
                    &[
                        ("action", "authenticate"),
                        ("data", &data),
                        ("csrfToken", &csrf),
                        ("callbackUrl", "/account"),
                    ],
                )
                .await;
            res.location().unwrap_or_default().ends_with("/account")
        })
    });
    let mut wins = 0;
    for task in tries.collect::<Vec<_>>() {
        wins += usize::from(task.await.unwrap());
    }
    assert_eq!(wins, 1, "one of eight identical answers signs in");
}

async fn the_account_page_adds_and_removes(backend: Backend) {
    let app = TestApp::with(&backend, passkey_config()).await;
    let mut eve = app.client();
    eve.register("Eve", "eve@example.com", "correct horse battery")
        .await;
    // Signed in, the options register a passkey for her (nothing is asked without an action).
    let res = eve.get("/api/auth/webauthn-options/passkey").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    let (action, opts) = options(&mut eve, "?action=register").await;
    assert_eq!(action, "register");
    assert_eq!(opts["user"]["name"], "eve@example.com");
    let key = Authenticator::new("eve");
    let res = answer(&mut eve, "register", &key.register(&opts, HONEST)).await;
    signed_in_to_account(&res);
    // A second one; the first is excluded from its options.
    let (_, opts) = options(&mut eve, "?action=register").await;
    assert_eq!(opts["excludeCredentials"][0]["id"], b64(&key.id));
    let second = Authenticator::new("eve-2");
    signed_in_to_account(&answer(&mut eve, "register", &second.register(&opts, HONEST)).await);
    let listed = eve.get("/api/account/passkeys").await.json();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    // The same credential twice is refused.
    let (_, opts) = options(&mut eve, "?action=register").await;
    refused(&answer(&mut eve, "register", &key.register(&opts, HONEST)).await);

    // Removing: she has a password, so both may go.
    for id in [b64(&key.id), b64(&second.id)] {
        let csrf = eve.csrf().await;
        let res = eve
            .post_form(
                "/api/account/passkeys/remove",
                &[
                    ("csrfToken", &csrf),
                    ("credentialId", &id),
                    ("callbackUrl", "/account"),
                ],
            )
            .await;
        assert_eq!(res.location(), Some(&*format!("{ORIGIN}/account")));
    }
    assert_eq!(eve.get("/api/account/passkeys").await.json(), json!([]));

    // A user whose only way in is one passkey cannot remove it.
    let only = Authenticator::new("fay");
    let mut fay = sign_up(&app, "fay@example.com", &only).await;
    let csrf = fay.csrf().await;
    let res = fay
        .post_form(
            "/api/account/passkeys/remove",
            &[
                ("csrfToken", &csrf),
                ("credentialId", &b64(&only.id)),
                ("callbackUrl", "/account"),
            ],
        )
        .await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/account?error=LastSignInMethod"))
    );
    assert_eq!(
        fay.get("/api/account/passkeys")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Without a CSRF token nothing is removed, and another user's passkey is not hers to remove.
    let res = eve
        .post_form(
            "/api/account/passkeys/remove",
            &[("credentialId", &b64(&only.id))],
        )
        .await;
    assert!(res.location().unwrap().contains("MissingCSRF"));
}

async fn without_user_verification_the_second_step_follows(backend: Backend) {
    let app = TestApp::with(&backend, passkey_config()).await;
    let mut gus = app.client();
    gus.register("Gus", "gus@example.com", "correct horse battery")
        .await;
    crate::second_factor::enable_totp(&mut gus).await;
    let (_, opts) = options(&mut gus, "?action=register").await;
    let mut key = Authenticator::new("gus");
    signed_in_to_account(&answer(&mut gus, "register", &key.register(&opts, HONEST)).await);

    // User presence only: the second step, and no session yet.
    let mut browser = app.client();
    let (_, opts) = options(&mut browser, "").await;
    let presence_only = Twist {
        user_verified: false,
        ..HONEST
    };
    let res = answer(
        &mut browser,
        "authenticate",
        &key.assert(&opts, presence_only),
    )
    .await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert!(
        res.location().unwrap().contains("/two-factor"),
        "{:?}",
        res.location()
    );
    assert_eq!(browser.session().await, Value::Null);

    // With user verification: signed in at once, two factors said.
    let mut browser = app.client();
    let (_, opts) = options(&mut browser, "").await;
    signed_in_to_account(&answer(&mut browser, "authenticate", &key.assert(&opts, HONEST)).await);
    assert_eq!(browser.session().await["amr"], json!(["hwk", "mfa"]));
}

async fn the_owner_of_the_address_reclaims_it_from_a_passkey_squatter(backend: Backend) {
    let smtp = crate::common::smtp::SmtpServer::start(None).await;
    let config =
        crate::identity::with_email(&smtp).provider(Provider::passkey(PasskeyProvider::default()));
    let app = TestApp::with(&backend, config).await;
    // Someone signs up with a passkey and an address that is not theirs.
    let mut key = Authenticator::new("squatter");
    let mut squatter = sign_up(&app, "pat@example.com", &key).await;
    // The owner proves the address with a link from their mailbox.
    let mut owner = app.client();
    crate::identity::follow_email_link(&mut owner, &smtp, "pat@example.com").await;
    assert_eq!(owner.session().await["user"]["email"], "pat@example.com");
    let user = app
        .state
        .db
        .get_user_by_email("pat@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(app
        .state
        .db
        .authenticators_of(user.id)
        .await
        .unwrap()
        .is_empty());
    // The squatter's session ended, and their passkey opens nothing any more.
    assert_eq!(squatter.session().await, Value::Null);
    let mut again = app.client();
    let (_, opts) = options(&mut again, "").await;
    refused(&answer(&mut again, "authenticate", &key.assert(&opts, HONEST)).await);
}

async fn a_forged_host_or_a_bad_address_gets_no_ceremony(backend: Backend) {
    // Behind no trusted proxy, a forged `Host` does not move the relying party.
    let app = TestApp::with(&backend, passkey_config().trust_host(false)).await;
    let mut client = app.client();
    let res = client
        .raw(
            http::Method::GET,
            "/api/auth/webauthn-options/passkey",
            &[("host", "evil.example")],
            Vec::new(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["options"]["rpId"], RP_ID);
    // Not an address, an unknown action: a JSON error, no cookie.
    for query in ["?email=not-an-address", "?action=delete"] {
        let res = client
            .get(&format!("/api/auth/webauthn-options/passkey{query}"))
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{query}: {}", res.body);
        assert!(res.json().get("Auth").is_some(), "{}", res.body);
        assert!(res.set_cookie("authjs.challenge").is_none());
    }
}

async fn off_when_not_configured(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let mut client = app.client();
    let res = client.get("/api/auth/webauthn-options/passkey").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/auth/callback/passkey",
            &[
                ("action", "authenticate"),
                ("data", "{}"),
                ("csrfToken", &csrf),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert!(!res.location().unwrap().contains("/account"));
    assert_eq!(client.session().await, Value::Null);
}

on_both_databases!(
    sign_up_then_sign_in,
    every_refusal,
    one_answer_wins_in_parallel,
    the_account_page_adds_and_removes,
    without_user_verification_the_second_step_follows,
    the_owner_of_the_address_reclaims_it_from_a_passkey_squatter,
    a_forged_host_or_a_bad_address_gets_no_ceremony,
    off_when_not_configured,
);
