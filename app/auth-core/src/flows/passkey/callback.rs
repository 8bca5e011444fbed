//! `POST <base>/callback/passkey` (`action`, `data`, `csrfToken`, `callbackUrl`): the browser's
//! answer to a ceremony (`data` is the JSON `@simplewebauthn/browser`'s `startRegistration` or
//! `startAuthentication` resolves to). Verified by `webauthn-rs-core` against the ceremony in
//! the challenge cookie, then: a registration adds the passkey to the signed-in user or creates
//! the user it signs up; an authentication signs in the passkey's owner.

use time::OffsetDateTime;
use webauthn_rs_core::{
    error::WebauthnError,
    proto::{PublicKeyCredential, RegisterPublicKeyCredential, RegistrationState},
    WebauthnCore,
};

use crate::{
    adapter::{unix_ms, AdapterError, NewAuthenticator, NewUser},
    auth::Auth,
    callbacks::SignInKind,
    csrf,
    error::AuthError,
    flows::{
        finish::{self, requested_callback_url, SignedIn},
        second_factor::step::MFA,
    },
    protocol::{
        form::FormFields,
        passkey::{
            b64, cose_key_of_attestation, transports_to_string, Action, Ceremony, CeremonyState,
            Registrant, MULTI_DEVICE, SINGLE_DEVICE,
        },
    },
    providers::PasskeyProvider,
    rate_limit, redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

/// The `amr` of a passkey sign-in: a hardware-bound key (`hwk`); with user verification (the
/// authenticator's PIN or biometric) also `mfa`, and then there is no second step.
pub fn passkey_amr(user_verified: bool) -> Vec<String> {
    let mut amr = vec!["hwk".to_owned()];
    if user_verified {
        amr.push(MFA.to_owned());
    }
    amr
}

/// Finishes a ceremony. Returns the outcome and the cookies to set whatever it is (the
/// challenge cookie is cleared: a ceremony is answered once).
pub async fn callback(
    auth: &Auth,
    req: &AuthRequest,
    provider: &PasskeyProvider,
    form: &FormFields,
) -> (Result<Reply<Redirect>, AuthError>, Vec<String>) {
    let clear = auth.challenge_cookie().clear(req.secure);
    (answer(auth, req, provider, form).await, vec![clear])
}

async fn answer(
    auth: &Auth,
    req: &AuthRequest,
    provider: &PasskeyProvider,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    // Counted before any signature is checked or row read.
    let keys = rate_limit::passkey_keys(auth.config().rate_limits(), req.client_ip);
    if rate_limit::hit(auth.db(), keys).await?.is_none() {
        return Err(AuthError::Passkey("rate_limited"));
    }
    let now = OffsetDateTime::now_utc();
    let ceremony: Ceremony = auth
        .challenge_cookie()
        .open(
            &req.cookies,
            csrf::binding(auth, req).as_deref(),
            req.secure,
            now.unix_timestamp(),
        )
        .ok_or(AuthError::Passkey("challenge"))?;
    if form.get("action").and_then(Action::parse) != Some(ceremony.state.action()) {
        return Err(AuthError::Passkey("action"));
    }
    let data = form.get("data").ok_or(AuthError::Passkey("data"))?;
    let rp = super::relying_party_of(req, provider)?;
    let callback_url = requested_callback_url(form);
    let spend = Spend {
        challenge: &ceremony.challenge,
        expires_at_ms: ceremony.expires_at().saturating_mul(1000),
    };
    match &ceremony.state {
        CeremonyState::Register { state, registrant } => {
            let credential: RegisterPublicKeyCredential =
                serde_json::from_str(data).map_err(|_| AuthError::Passkey("data"))?;
            let registration = Registration {
                rp: &rp,
                state,
                credential: &credential,
                name: form.get("name"),
            };
            register(
                auth,
                req,
                registration,
                registrant,
                spend,
                callback_url,
                now,
            )
            .await
        }
        CeremonyState::Authenticate { state, allowed } => {
            let assertion: PublicKeyCredential =
                serde_json::from_str(data).map_err(|_| AuthError::Passkey("data"))?;
            let id = b64(&assertion.raw_id);
            if !allowed.is_empty() && !allowed.contains(&id) {
                return Err(AuthError::Passkey("not_allowed"));
            }
            let row = auth
                .db()
                .authenticator(&id)
                .await?
                .ok_or(AuthError::Passkey("unknown_credential"))?;
            let stored = super::credential_of(&row).ok_or(AuthError::Passkey("stored_key"))?;
            let result = rp
                .authenticate_single_credential(&assertion, state, &stored)
                .map_err(|error| refusal(&error))?;
            spend.once(auth).await?;
            let now_ms = unix_ms(now);
            // One conditional UPDATE: of two requests with the same counter, one passes.
            if !auth
                .db()
                .advance_counter(
                    &id,
                    i64::from(result.counter()),
                    result.backup_state(),
                    now_ms,
                )
                .await?
            {
                return Err(AuthError::Passkey("counter"));
            }
            let user = auth
                .db()
                .get_user(row.user_id)
                .await?
                .ok_or(AuthError::Passkey("unknown_credential"))?;
            let signed = SignedIn {
                user,
                account: passkey_account(&id),
                profile: None,
                kind: SignInKind::SignIn,
            };
            let amr = passkey_amr(result.user_verified());
            finish::complete_with(auth, req, signed, callback_url.as_deref(), amr).await
        }
    }
}

/// The ceremony's challenge, to spend once verification passed.
struct Spend<'a> {
    challenge: &'a str,
    expires_at_ms: i64,
}

impl Spend<'_> {
    async fn once(&self, auth: &Auth) -> Result<(), AuthError> {
        if auth
            .db()
            .spend_webauthn_challenge(self.challenge, self.expires_at_ms)
            .await?
        {
            Ok(())
        } else {
            Err(AuthError::Passkey("replayed"))
        }
    }
}

/// A registration's inputs.
struct Registration<'a> {
    rp: &'a WebauthnCore,
    state: &'a RegistrationState,
    credential: &'a RegisterPublicKeyCredential,
    name: Option<&'a str>,
}

async fn register(
    auth: &Auth,
    req: &AuthRequest,
    registration: Registration<'_>,
    registrant: &Registrant,
    spend: Spend<'_>,
    callback_url: Option<String>,
    now: OffsetDateTime,
) -> Result<Reply<Redirect>, AuthError> {
    let credential = registration
        .rp
        .register_credential(registration.credential, registration.state, None)
        .map_err(|error| refusal(&error))?;
    let public_key = cose_key_of_attestation(&registration.credential.response.attestation_object)
        .ok_or(AuthError::Passkey("registration"))?;
    spend.once(auth).await?;
    let new = NewAuthenticator {
        credential_id: b64(&credential.cred_id),
        public_key: b64(&public_key),
        counter: i64::from(credential.counter),
        device_type: if credential.backup_eligible {
            MULTI_DEVICE
        } else {
            SINGLE_DEVICE
        }
        .to_owned(),
        backed_up: credential.backup_state,
        transports: transports_to_string(credential.transports.as_deref()),
        name: passkey_name(registration.name, credential.backup_eligible),
    };
    let now_ms = unix_ms(now);
    let signed_in = session::current_user_id(auth, req).await?;
    match registrant {
        Registrant::User { id } => {
            // The ceremony was for this user: they must still be the one signed in.
            if signed_in != Some(*id) {
                return Err(AuthError::Passkey("session"));
            }
            match auth.db().add_authenticator(*id, &new, now_ms).await {
                Ok(()) => {}
                Err(AdapterError::Conflict) => return Err(AuthError::Passkey("registered")),
                Err(e) => return Err(e.into()),
            }
            tracing::info!(user.id = id, "passkey added");
            Ok(Reply::new(Redirect(redirect::resolve(
                auth,
                req,
                callback_url.as_deref(),
            ))))
        }
        Registrant::NewUser { email } => {
            if signed_in.is_some() {
                return Err(AuthError::Passkey("session"));
            }
            let user = NewUser {
                email: Some(email.clone()),
                ..NewUser::default()
            };
            let user = match auth
                .db()
                .create_user_with_authenticator(&user, &new, now_ms)
                .await
            {
                Ok(user) => user,
                Err(AdapterError::Conflict) => return Err(AuthError::Passkey("registered")),
                Err(e) => return Err(e.into()),
            };
            auth.config().events.create_user(&user).await;
            let signed = SignedIn {
                user,
                account: new.account(),
                profile: None,
                kind: SignInKind::SignUp,
            };
            let amr = passkey_amr(credential.user_verified);
            finish::complete_with(auth, req, signed, callback_url.as_deref(), amr).await
        }
    }
}

/// The `accounts` row of a passkey, as the `sign_in` callback and the session see it.
fn passkey_account(credential_id: &str) -> crate::adapter::Account {
    crate::adapter::Account {
        provider: crate::adapter::PASSKEY_PROVIDER.to_owned(),
        kind: "webauthn".to_owned(),
        provider_account_id: credential_id.to_owned(),
        ..crate::adapter::Account::default()
    }
}

/// The name the account page shows: the one the browser sent (trimmed, at most 64
/// characters, no control characters), else one that says whether it syncs.
fn passkey_name(asked: Option<&str>, synced: bool) -> String {
    let asked: String = asked
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let asked = asked.trim();
    if !asked.is_empty() {
        asked.to_owned()
    } else if synced {
        "Synced passkey".to_owned()
    } else {
        "Passkey on this device".to_owned()
    }
}

/// What a verification failure is called in the logs (the client sees only the code).
fn refusal(error: &WebauthnError) -> AuthError {
    tracing::debug!(%error, "passkey did not verify");
    AuthError::Passkey(match error {
        WebauthnError::CredentialPossibleCompromise => "counter",
        WebauthnError::InvalidRPOrigin => "origin",
        WebauthnError::InvalidRPIDHash => "relying_party",
        WebauthnError::MismatchedChallenge => "challenge",
        _ => "verification",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_default_by_kind() {
        assert_eq!(passkey_name(Some("  Laptop \u{7}"), false), "Laptop");
        assert_eq!(passkey_name(Some("   "), true), "Synced passkey");
        assert_eq!(passkey_name(None, false), "Passkey on this device");
        assert_eq!(passkey_name(Some(&"x".repeat(200)), false).len(), 64);
    }

    #[test]
    fn user_verification_is_a_second_factor() {
        assert_eq!(passkey_amr(false), ["hwk"]);
        assert_eq!(passkey_amr(true), ["hwk", "mfa"]);
    }
}
