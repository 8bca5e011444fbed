//! The second step of a sign-in: after the first factor of a user whose second factor is on,
//! [`challenge`] leaves nothing signed in but a sealed pending cookie and sends the browser to
//! the second-step page; `POST <base>/two-factor` ([`verify`]) takes a code from their app or
//! a recovery code and finishes the sign-in.
//!
//! Refusals, each tested: a code of another user's secret, of a step already used (a replay,
//! also across two parallel requests), outside the ±1 step window; a recovery code used
//! before; more than `two_factor.max_attempts` wrong codes per window (counted before any
//! check); a pending cookie from another browser, expired, tampered with or absent.

use time::OffsetDateTime;

use crate::{
    auth::Auth,
    callbacks::{Account, SignInKind},
    csrf,
    error::AuthError,
    flows::finish::{self, SignedIn},
    protocol::{
        form::FormFields,
        second_step::{FirstFactor, Pending},
        totp,
    },
    rate_limit,
    reply::{Redirect, Reply},
    request::AuthRequest,
};

/// The `amr` value of a code from an authenticator app (RFC 8176).
pub const OTP: &str = "otp";
/// The `amr` value of a recovery code (this starter's; RFC 8176 has none).
pub const RECOVERY: &str = "recovery";
/// The `amr` value RFC 8176 gives a sign-in with more than one factor.
pub const MFA: &str = "mfa";

/// Whether this user must prove a second factor.
///
/// # Errors
/// A database error.
pub async fn required(auth: &Auth, user_id: i32) -> Result<bool, AuthError> {
    Ok(auth
        .db()
        .totp_of(user_id)
        .await?
        .is_some_and(|row| row.enabled()))
}

/// The first factor is proved; the second is pending: seals who and how into the pending
/// cookie (bound to this browser's CSRF cookie, which is created if it has none, as after an
/// email link opened in a new browser) and sends the browser to the second-step page.
pub fn challenge(
    auth: &Auth,
    req: &AuthRequest,
    signed: &SignedIn,
    amr: Vec<String>,
    callback_target: String,
) -> Result<Reply<Redirect>, AuthError> {
    let csrf = csrf::ensure(auth, req);
    let first = FirstFactor {
        user_id: signed.user.id,
        provider: signed.account.provider.clone(),
        kind: signed.account.kind.clone(),
        provider_account_id: signed.account.provider_account_id.clone(),
        amr,
        callback_url: callback_target,
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let pending = Pending::new(first, &csrf::binding_of(&csrf.token), now);
    let cookie = auth
        .second_step_keys()
        .seal(&pending, req.secure)
        .ok_or_else(|| AuthError::Configuration("cannot seal the second-step cookie".into()))?;
    let mut cookies = vec![cookie];
    cookies.extend(csrf.set_cookie);
    tracing::debug!(
        user.id = signed.user.id,
        "first factor proved, second step pending"
    );
    let page = auth.config().two_factor_page();
    Ok(Reply::with_cookies(
        Redirect(format!("{}{page}", req.origin)),
        cookies,
    ))
}

/// Which second factor a code proved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// A code from the authenticator app, of this step.
    Totp(u64),
    /// A recovery code (now used).
    RecoveryCode,
}

impl Proof {
    /// Its `amr` value.
    pub fn amr(self) -> &'static str {
        match self {
            Self::Totp(_) => OTP,
            Self::RecoveryCode => RECOVERY,
        }
    }
}

/// Checks `code` against the user's enabled second factor: a TOTP code of a step not used
/// before (recorded as used), or an unused recovery code (marked used). Counts the attempt
/// first, per user.
///
/// # Errors
/// [`AuthError::SecondFactor`]: wrong, replayed, or too many attempts; database errors.
pub async fn check(auth: &Auth, user_id: i32, code: &str) -> Result<Proof, AuthError> {
    let options = auth.config().two_factor();
    let window = auth.config().rate_limits().window;
    let keys = rate_limit::second_step_keys(options.max_attempts, window, user_id);
    let Some(counted) = rate_limit::hit(auth.db(), keys).await? else {
        return Err(AuthError::SecondFactor("rate_limited"));
    };
    let row = auth
        .db()
        .totp_of(user_id)
        .await?
        .filter(|row| row.enabled())
        .ok_or(AuthError::SecondFactor("no second factor"))?;
    let now = OffsetDateTime::now_utc();
    let proof = if totp::is_recovery_code(code) {
        let hash = totp::hash_recovery_code(auth.newest_secret(), code);
        let used = auth
            .db()
            .use_recovery_code(user_id, &hash, crate::adapter::unix_ms(now))
            .await?;
        used.then_some(Proof::RecoveryCode)
            .ok_or(AuthError::SecondFactor("recovery code unknown or used"))?
    } else {
        let secret = totp::open_secret(auth.totp_keys(), &row.sealed_secret)
            .ok_or(AuthError::SecondFactor("sealed secret does not open"))?;
        let unix = u64::try_from(now.unix_timestamp()).unwrap_or_default();
        let step =
            totp::check_code(&secret, code, unix).ok_or(AuthError::SecondFactor("wrong code"))?;
        let fresh = auth
            .db()
            .accept_totp_step(user_id, i64::try_from(step).unwrap_or(i64::MAX))
            .await?;
        fresh
            .then_some(Proof::Totp(step))
            .ok_or(AuthError::SecondFactor("code already used"))?
    };
    counted.release(auth.db(), &["second-step:user"]).await?;
    Ok(proof)
}

/// `POST <base>/two-factor` (`csrfToken`, `code`): the second step. With the pending cookie of
/// this browser and a valid code, finishes the sign-in the first factor started (the session,
/// with `amr` naming both factors, the `sign_in` event, the redirect) and clears the cookie.
///
/// # Errors
/// [`AuthError::Csrf`]; [`AuthError::SecondFactor`] (`expired` when the pending cookie is
/// missing, expired or from another browser; the others from [`check`]); database errors.
pub async fn verify(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let pending = auth
        .second_step_keys()
        .open(
            &req.cookies,
            csrf::binding(auth, req).as_deref(),
            req.secure,
            now,
        )
        .ok_or(AuthError::SecondFactor("expired"))?;
    let first = pending.first;
    let proof = check(auth, first.user_id, form.get("code").unwrap_or_default()).await?;
    let user = auth
        .db()
        .get_user(first.user_id)
        .await?
        .ok_or(AuthError::SecondFactor("expired"))?;
    let account = match auth
        .db()
        .account_by_provider_id(&first.provider, &first.provider_account_id)
        .await?
    {
        Some(row) if row.user_id == user.id => Account::from(row),
        // Credentials (and Auth.js-less providers) keep no account row: the same shape as
        // the first step's.
        _ => Account {
            provider: first.provider,
            kind: first.kind,
            provider_account_id: first.provider_account_id,
            ..Account::default()
        },
    };
    let mut amr = first.amr;
    amr.extend([proof.amr().to_owned(), MFA.to_owned()]);
    tracing::debug!(user.id = user.id, "second factor proved");
    let signed = SignedIn {
        user,
        account,
        profile: None,
        kind: SignInKind::SignIn,
    };
    let mut reply = finish::establish(auth, req, signed, first.callback_url, amr).await?;
    reply
        .cookies
        .push(auth.second_step_keys().clear(req.secure));
    Ok(reply)
}
