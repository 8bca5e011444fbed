//! `GET <base>/webauthn-options/passkey?action=register|authenticate[&email=]`: the options
//! `navigator.credentials.create()`/`get()` take (as `@simplewebauthn/browser`'s
//! `startRegistration`/`startAuthentication` expect them), and the sealed challenge cookie.

use serde_json::{json, Value};
use time::OffsetDateTime;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, COSEAlgorithm, RequestRegistrationExtensions,
    UserVerificationPolicy,
};

use crate::{
    adapter::User,
    auth::Auth,
    csrf,
    error::AuthError,
    protocol::{
        email::normalize_email,
        passkey::{Action, Ceremony, CeremonyState, Registrant},
    },
    providers::PasskeyProvider,
    reply::Reply,
    request::AuthRequest,
    session,
};

/// Who the request names: Auth.js's `getUserInfo`.
enum Named {
    /// The signed-in user.
    SignedIn(User),
    /// The user with the address given.
    Existing(User),
    /// An address no user has.
    NewAddress(String),
    /// Nobody (signed out, no address).
    Nobody,
}

/// Starts a ceremony: `{action, options}` and the challenge cookie (and the CSRF cookie, when
/// the browser had none, since the cookie is bound to it).
///
/// # Errors
/// [`AuthError::Passkey`] (`action`) when the action is not allowed for this request (Auth.js's
/// `inferWebAuthnOptions` returns nothing); [`AuthError::InvalidEmail`]; database errors.
pub async fn options(
    auth: &Auth,
    req: &AuthRequest,
    provider: &PasskeyProvider,
    asked: Option<&str>,
    email: Option<&str>,
) -> Result<Reply<Value>, AuthError> {
    let asked = match asked.filter(|a| !a.is_empty()) {
        Some(asked) => Some(Action::parse(asked).ok_or(AuthError::Passkey("action"))?),
        None => None,
    };
    let named = match session::current_user_id(auth, req).await? {
        Some(id) => Named::SignedIn(
            auth.db()
                .get_user(id)
                .await?
                .ok_or(AuthError::SessionRequired)?,
        ),
        None => match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(raw) => {
                let email = normalize_email(raw).ok_or(AuthError::InvalidEmail)?;
                match auth.db().get_user_by_email(&email).await? {
                    Some(user) => Named::Existing(user),
                    None => Named::NewAddress(email),
                }
            }
            None => Named::Nobody,
        },
    };
    let exists = match &named {
        Named::SignedIn(_) | Named::Existing(_) => Some(true),
        Named::NewAddress(_) => Some(false),
        Named::Nobody => None,
    };
    let signed_in = matches!(named, Named::SignedIn(_));
    let action = Action::infer(asked, signed_in, exists).ok_or(AuthError::Passkey("action"))?;
    let rp = super::relying_party_of(req, provider)?;
    let (state, options) = match (action, named) {
        (Action::Register, Named::SignedIn(user)) => {
            let label = user
                .email
                .clone()
                .or_else(|| user.name.clone())
                .unwrap_or_else(|| format!("user {}", user.id));
            let display = user.name.clone().unwrap_or_else(|| label.clone());
            let exclude = auth
                .db()
                .authenticators_of(user.id)
                .await?
                .iter()
                .filter_map(|row| crate::protocol::passkey::from_b64(&row.credential_id))
                .collect();
            register(
                &rp,
                &label,
                &display,
                exclude,
                Registrant::User { id: user.id },
            )?
        }
        (Action::Register, Named::NewAddress(email)) => {
            let registrant = Registrant::NewUser {
                email: email.clone(),
            };
            register(&rp, &email, &email, Vec::new(), registrant)?
        }
        (Action::Register, _) => return Err(AuthError::Passkey("action")),
        (Action::Authenticate, named) => {
            // An address with passkeys lists them (Auth.js); otherwise any passkey of this
            // site may answer (discoverable credentials, the browser's autofill).
            let rows = match named {
                Named::Existing(user) => auth.db().authenticators_of(user.id).await?,
                _ => Vec::new(),
            };
            authenticate(&rp, &rows)?
        }
    };
    let challenge = options
        .get("challenge")
        .and_then(Value::as_str)
        .ok_or_else(|| AuthError::Configuration("passkey options without a challenge".into()))?
        .to_owned();
    let csrf = csrf::ensure(auth, req);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let ceremony = Ceremony::new(state, challenge, &csrf::binding_of(&csrf.token), now);
    let cookie = auth
        .challenge_cookie()
        .seal(&ceremony, req.secure)
        .ok_or_else(|| AuthError::Configuration("cannot seal the challenge cookie".into()))?;
    let mut cookies = vec![cookie];
    cookies.extend(csrf.set_cookie);
    tracing::debug!(action = action.as_str(), "passkey ceremony started");
    Ok(Reply::with_cookies(
        json!({ "action": action.as_str(), "options": options }),
        cookies,
    ))
}

fn core_error(error: webauthn_rs_core::error::WebauthnError) -> AuthError {
    AuthError::Configuration(format!("passkey options: {error}"))
}

/// Registration options: a discoverable credential (so that sign-in needs no address and the
/// browser can offer it in autofill), user verification preferred (as Auth.js), no
/// attestation, the user's existing passkeys excluded.
fn register(
    rp: &webauthn_rs_core::WebauthnCore,
    name: &str,
    display_name: &str,
    exclude: Vec<Vec<u8>>,
    registrant: Registrant,
) -> Result<(CeremonyState, Value), AuthError> {
    // A random user handle per registration, as Auth.js: it names no one outside this site.
    let handle: [u8; 16] = rand::random();
    let builder = rp
        .new_challenge_register_builder(&handle, name, display_name)
        .map_err(core_error)?
        .attestation(AttestationConveyancePreference::None)
        .credential_algorithms(COSEAlgorithm::secure_algs())
        .user_verification_policy(UserVerificationPolicy::Preferred)
        .require_resident_key(true)
        .exclude_credentials((!exclude.is_empty()).then_some(exclude))
        .extensions(Some(RequestRegistrationExtensions {
            cred_props: Some(true),
            ..RequestRegistrationExtensions::default()
        }));
    let (ccr, state) = rp
        .generate_challenge_register(builder)
        .map_err(core_error)?;
    let options = serde_json::to_value(ccr.public_key)
        .map_err(|e| AuthError::Configuration(format!("passkey options: {e}")))?;
    Ok((CeremonyState::Register { state, registrant }, options))
}

/// Authentication options for these stored passkeys (none: any of this site's).
fn authenticate(
    rp: &webauthn_rs_core::WebauthnCore,
    rows: &[crate::adapter::AuthenticatorRow],
) -> Result<(CeremonyState, Value), AuthError> {
    let credentials: Vec<_> = rows.iter().filter_map(super::credential_of).collect();
    let allowed = rows.iter().map(|row| row.credential_id.clone()).collect();
    let builder = rp
        .new_challenge_authenticate_builder(credentials, Some(UserVerificationPolicy::Preferred))
        .map_err(core_error)?;
    let (rcr, mut state) = rp
        .generate_challenge_authenticate(builder)
        .map_err(core_error)?;
    // The answer is checked against the stored passkey as it is then (its counter may have
    // moved meanwhile), so the cookie need not carry the keys.
    state.set_allowed_credentials(Vec::new());
    let options = serde_json::to_value(rcr.public_key)
        .map_err(|e| AuthError::Configuration(format!("passkey options: {e}")))?;
    Ok((CeremonyState::Authenticate { state, allowed }, options))
}
