//! Sessions: what `GET /api/auth/session` does, what a sign-in leaves behind, and sign-out.
//!
//! JWT strategy (the default): the cookie is the JWE of the token; reading it is a decrypt and a
//! re-encrypt with a pushed-back expiry (sliding expiry, as Auth.js), with no database round
//! trip and no key derivation. Database strategy: the cookie holds an opaque token, the row
//! holds the user and expiry, and the expiry is pushed back at most once per `update_age`.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::protocol::wire::{Session, User};

use super::{
    auth::Auth,
    callbacks::{Account, JwtParams, JwtTrigger, SessionParams, SignInKind},
    config::{ClientOrigin, SessionStrategy},
    error::AuthError,
    reply::Reply,
    request::AuthRequest,
};
use crate::adapter::{self, unix_ms, NewUser, SessionRow};
use crate::protocol::{
    cookies::{self, Lifetime},
    dates::iso_millis,
    jwt::{check_times, JwtError, KeySet},
};

/// The client id of sessions made on the app's own origin when client origins are configured.
pub const DEFAULT_CLIENT_ID: &str = "default";
/// Claim and session field: the origin of the client the user signed in through.
pub const CLIENT_ORIGIN: &str = "clientOrigin";
/// Claim and session field: that client's id.
pub const CLIENT_ID: &str = "clientId";
/// Claim and session field: how the user signed in, RFC 8176 `amr` values (`["pwd", "otp"]`
/// after a password and an authenticator code). Beyond Auth.js, which has no second factor.
pub const AMR: &str = "amr";

pub use crate::protocol::claims::{Token, AUTH_TIME, CHECKED};

pub mod provider_tokens;

/// Auth.js's default token for a user: name, email, picture, sub.
pub fn token_for_user(user: &adapter::User) -> Token {
    Token {
        name: user.name.clone(),
        email: user.email.clone(),
        picture: user.image.clone(),
        sub: Some(user.id.to_string()),
        ..Token::default()
    }
}

/// Who a request is signed in as, once every check passed (see [`identify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// The user's id.
    pub user_id: i32,
}

/// `GET /api/auth/session`: the session, and the cookies that keep it alive (or clear a bad one).
///
/// # Errors
/// Only database failures (database strategy); a bad cookie is "no session", not an error.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn current(auth: &Auth, req: &AuthRequest) -> Result<Reply<Option<Session>>, AuthError> {
    read(auth, req, None).await
}

/// `POST /api/auth/session {csrfToken, data}` (the client's `update(data)`): the `jwt` callback
/// runs with trigger `update` and `session: data` (JWT strategy), the `session` callback with
/// `new_session: data` (database strategy), and the new session is returned. The caller checks
/// the CSRF token first (without a valid one Auth.js answers `400 null`, and so do we).
///
/// # Errors
/// As [`current`].
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    auth: &Auth,
    req: &AuthRequest,
    data: &Value,
) -> Result<Reply<Option<Session>>, AuthError> {
    read(auth, req, Some(data)).await
}

async fn read(
    auth: &Auth,
    req: &AuthRequest,
    update: Option<&Value>,
) -> Result<Reply<Option<Session>>, AuthError> {
    let name = auth.cookie_names(req.secure).session_token;
    let Some(raw) = req.cookies.get_chunked(name) else {
        return Ok(Reply::new(None));
    };
    match auth.config().session.strategy {
        SessionStrategy::Jwt => current_jwt(auth, req, &raw, update).await,
        SessionStrategy::Database => current_database(auth, req, &raw, update).await,
    }
}

async fn current_jwt(
    auth: &Auth,
    req: &AuthRequest,
    raw: &str,
    update: Option<&Value>,
) -> Result<Reply<Option<Session>>, AuthError> {
    let name = auth.cookie_names(req.secure).session_token;
    let now = OffsetDateTime::now_utc();
    let Some(mut token) = verified_token(auth, req, raw, now).await else {
        return Ok(clear(req, name));
    };
    provider_tokens::refresh_if_due(auth, &mut token).await;
    let Some(token) = run_jwt_callback(auth, token, update).await else {
        tracing::debug!("the jwt callback ended the session");
        return Ok(clear(req, name));
    };
    let callbacks = &auth.config().callbacks;
    let expires = jwt_expiry(auth, &token, now);
    let session = callbacks
        .session(SessionParams {
            session: default_session(auth, &token, expires),
            token: Some(&token),
            user: None,
            trigger: update.map(|_| JwtTrigger::Update),
            new_session: update,
        })
        .await;
    let cookies = write_jwt(auth, req, token, now, expires)?;
    auth.config().events.session(&session).await;
    Ok(Reply::with_cookies(Some(session), cookies))
}

/// The `jwt` callback of a session read (Auth.js runs it on every read; `None` ends the
/// session).
async fn run_jwt_callback(auth: &Auth, token: Token, update: Option<&Value>) -> Option<Token> {
    auth.config()
        .callbacks
        .jwt(JwtParams {
            token,
            user: None,
            account: None,
            profile: None,
            trigger: update.map(|_| JwtTrigger::Update),
            session: update,
        })
        .await
}

/// The request's session token, if it decrypts, has not expired (sliding `exp` and the
/// absolute lifetime) and was not revoked by sign-out-everywhere. The reason for a refusal is
/// logged at `debug`.
async fn verified_token(
    auth: &Auth,
    req: &AuthRequest,
    raw: &str,
    now: OffsetDateTime,
) -> Option<Token> {
    let mut token = match read_token(auth.session_keys(req.secure), raw, now.unix_timestamp()) {
        Ok(token) => token,
        Err(error) => {
            tracing::debug!(%error, "session token refused");
            return None;
        }
    };
    let now_ms = unix_ms(now);
    let options = &auth.config().session;
    let signed_in_at = match token.auth_time_ms() {
        Some(at) => at,
        None => {
            // A token minted by Auth.js: its `iat` (when it was last issued) is the closest
            // thing to a sign-in time it has; sign-out-everywhere and the absolute lifetime
            // count from there.
            let at = token
                .iat
                .map_or(now_ms, |iat| iat.saturating_mul(1000).min(now_ms));
            token.set_auth_time_ms(at);
            at
        }
    };
    if signed_in_at.saturating_add(duration_ms(options.absolute_max_age)) <= now_ms {
        tracing::debug!("session refused: past its absolute lifetime");
        return None;
    }
    if !still_valid(auth, &mut token, signed_in_at, now).await {
        tracing::debug!("session refused: signed out everywhere");
        return None;
    }
    Some(token)
}

/// Sign-out-everywhere (see `revocation.rs`): whether the token's sign-in came after the
/// user's last revocation. Looks at the database only when the token's `chk` is due, and then
/// moves `chk`. A database failure lets the token through (JWT sessions keep working while the
/// database is down) and is retried on the next read.
async fn still_valid(
    auth: &Auth,
    token: &mut Token,
    signed_in_at: i64,
    now: OffsetDateTime,
) -> bool {
    let Some(user_id) = token.user_id() else {
        return true;
    };
    let revocations = auth.revocations();
    if revocations
        .known(user_id)
        .is_some_and(|valid_after| signed_in_at < valid_after)
    {
        return false;
    }
    let interval = auth.config().session.revocation_check;
    let now_s = now.unix_timestamp();
    let checked = token.extra.get(CHECKED).and_then(Value::as_i64);
    let interval_s = i64::try_from(interval.as_secs()).unwrap_or(i64::MAX);
    if checked.is_some_and(|at| at <= now_s && now_s - at < interval_s) {
        return true;
    }
    match revocations
        .valid_after(auth.db(), user_id, unix_ms(now), duration_ms(interval))
        .await
    {
        Ok(Some(valid_after)) if signed_in_at < valid_after => false,
        Ok(_) => {
            token.extra.insert(CHECKED.into(), now_s.into());
            true
        }
        Err(error) => {
            error.log();
            true
        }
    }
}

/// When a JWT session renewed now ends: `max_age` from now, but never past its absolute
/// lifetime.
fn jwt_expiry(auth: &Auth, token: &Token, now: OffsetDateTime) -> OffsetDateTime {
    let sliding = now + auth.config().session.max_age;
    absolute_end(auth, token).map_or(sliding, |end| sliding.min(end))
}

/// When the token's absolute lifetime ends.
fn absolute_end(auth: &Auth, token: &Token) -> Option<OffsetDateTime> {
    let signed_in =
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(token.auth_time_ms()?) * 1_000_000)
            .ok()?;
    signed_in.checked_add(auth.config().session.absolute_max_age.try_into().ok()?)
}

async fn current_database(
    auth: &Auth,
    req: &AuthRequest,
    raw: &str,
    update: Option<&Value>,
) -> Result<Reply<Option<Session>>, AuthError> {
    let name = auth.cookie_names(req.secure).session_token;
    let Some((row, user)) = database_session(auth, raw).await? else {
        return Ok(clear(req, name));
    };
    let now = OffsetDateTime::now_utc();
    let options = &auth.config().session;
    let mut expires = row.expires;
    let mut set_cookies = Vec::new();
    // Auth.js: extend when `expires - maxAge + updateAge` has passed; never past the absolute
    // lifetime.
    if row.expires - options.max_age + options.update_age <= now {
        let sliding = now + options.max_age;
        expires = row
            .created_at
            .map_or(sliding, |at| sliding.min(at + options.absolute_max_age));
        auth.db().update_session_expiry(raw, expires).await?;
        set_cookies.push(cookies::set(
            name,
            raw,
            Lifetime::Until(expires),
            req.secure,
        ));
    }
    let session = auth
        .config()
        .callbacks
        .session(SessionParams {
            session: Session {
                user: User {
                    name: user.name.clone(),
                    email: user.email.clone(),
                    image: user.image.clone(),
                    ..User::default()
                },
                expires: iso_millis(expires),
                extra: row
                    .amr
                    .as_deref()
                    .map(|amr| {
                        let methods: Vec<Value> = amr.split(',').map(Value::from).collect();
                        Map::from_iter([(AMR.to_owned(), Value::Array(methods))])
                    })
                    .unwrap_or_default(),
            },
            token: None,
            user: Some(&user),
            trigger: update.map(|_| JwtTrigger::Update),
            new_session: update,
        })
        .await;
    auth.config().events.session(&session).await;
    Ok(Reply::with_cookies(Some(session), set_cookies))
}

/// The unexpired database session with this token, and its user (an expired one is deleted).
async fn database_session(
    auth: &Auth,
    raw: &str,
) -> Result<Option<(SessionRow, adapter::User)>, AuthError> {
    if raw.len() > 256 {
        return Ok(None);
    }
    let Some((row, user)) = auth.db().get_session_and_user(raw).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    let past_absolute = row
        .created_at
        .is_some_and(|at| at + auth.config().session.absolute_max_age <= now);
    if row.expires <= now || past_absolute {
        auth.db().delete_session(raw).await?;
        return Ok(None);
    }
    Ok(Some((row, user)))
}

/// What a new session is made of: who signed in, how, and through which client.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// The user.
    pub user: &'a adapter::User,
    /// The account they signed in with.
    pub account: Option<&'a Account>,
    /// The provider's profile (OAuth), for the `jwt` callback.
    pub profile: Option<&'a Value>,
    /// Whether this sign-in created the user.
    pub kind: SignInKind,
    /// The client origin (multi-client).
    pub client: Option<&'a ClientOrigin>,
    /// How the user signed in (RFC 8176 `amr` values), kept on the session.
    pub amr: &'a [String],
}

/// Creates the session for a user who just signed in; returns the cookies to set.
///
/// # Errors
/// [`AuthError::AccessDenied`] if the `jwt` callback returns `None`; database errors.
pub async fn create(
    auth: &Auth,
    req: &AuthRequest,
    new: NewSession<'_>,
) -> Result<Vec<String>, AuthError> {
    let NewSession {
        user,
        account,
        profile,
        kind,
        client,
        amr,
    } = new;
    let now = OffsetDateTime::now_utc();
    let name = auth.cookie_names(req.secure).session_token;
    match auth.config().session.strategy {
        SessionStrategy::Jwt => {
            let mut initial = token_for_user(user);
            initial.set_auth_time_ms(unix_ms(now));
            if !amr.is_empty() {
                initial.extra.insert(AMR.into(), amr.into());
            }
            initial
                .extra
                .insert(CHECKED.into(), now.unix_timestamp().into());
            if let Some(account) = account {
                // Which provider signed the user in, and when its access token expires (so that
                // reading the session can refresh it; see provider_tokens.rs).
                initial
                    .extra
                    .insert("provider".into(), account.provider.clone().into());
                if let (Some(at), Some(_)) = (account.expires_at, &account.refresh_token) {
                    initial.extra.insert("expires_at".into(), at.into());
                    initial.extra.insert(
                        provider_tokens::PROVIDER_ACCOUNT_ID.into(),
                        account.provider_account_id.clone().into(),
                    );
                }
            }
            if !auth.config().client_origins.is_empty() {
                // Multi-client: which client the user signed in through.
                let (origin, id) = client.map_or((req.origin.as_str(), DEFAULT_CLIENT_ID), |c| {
                    (c.origin.as_str(), c.id.as_str())
                });
                initial.extra.insert(CLIENT_ORIGIN.into(), origin.into());
                initial.extra.insert(CLIENT_ID.into(), id.into());
            }
            let token = auth
                .config()
                .callbacks
                .jwt(JwtParams {
                    token: initial,
                    user: Some(user),
                    account,
                    profile,
                    trigger: Some(kind.into()),
                    session: None,
                })
                .await
                .ok_or(AuthError::AccessDenied)?;
            let expires = jwt_expiry(auth, &token, now);
            write_jwt(auth, req, token, now, expires)
        }
        SessionStrategy::Database => {
            let expires = now
                + auth
                    .config()
                    .session
                    .max_age
                    .min(auth.config().session.absolute_max_age);
            let token = match &auth.config().session.generate_session_token {
                Some(generate) => generate(),
                None => random_uuid(),
            };
            if token.is_empty() || token.len() > 256 {
                return Err(AuthError::Configuration(
                    "generate_session_token must return 1 to 256 characters".into(),
                ));
            }
            let user_agent = req
                .user_agent
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(256).collect::<String>());
            let amr = (!amr.is_empty()).then(|| amr.join(","));
            auth.db()
                .create_session(
                    user.id,
                    &token,
                    expires,
                    user_agent.as_deref(),
                    amr.as_deref(),
                )
                .await?;
            Ok(cookies::set_chunked(
                name,
                &token,
                Lifetime::Until(expires),
                req.secure,
                &req.cookies,
            ))
        }
    }
}

/// Who the request is signed in as, without renewing anything, through every check a session
/// read makes: the token's expiry, its absolute lifetime, sign-out-everywhere, and the `jwt`
/// callback (JWT strategy; an app revokes a user by returning `None` there), or the session
/// row (database strategy). Linking, the linked-accounts list, unlinking and the session list
/// all decide the user with this.
///
/// # Errors
/// Database errors (database strategy).
pub async fn identify(auth: &Auth, req: &AuthRequest) -> Result<Option<Identity>, AuthError> {
    let name = auth.cookie_names(req.secure).session_token;
    let Some(raw) = req.cookies.get_chunked(name) else {
        return Ok(None);
    };
    Ok(match auth.config().session.strategy {
        SessionStrategy::Jwt => {
            let now = OffsetDateTime::now_utc();
            let Some(token) = verified_token(auth, req, &raw, now).await else {
                return Ok(None);
            };
            run_jwt_callback(auth, token, None)
                .await
                .and_then(|token| token.user_id())
                .map(|user_id| Identity { user_id })
        }
        SessionStrategy::Database => database_session(auth, &raw)
            .await?
            .map(|(_, user)| Identity { user_id: user.id }),
    })
}

/// The id of the signed-in user, if any: [`identify`]'s.
///
/// # Errors
/// Database errors (database strategy).
pub async fn current_user_id(auth: &Auth, req: &AuthRequest) -> Result<Option<i32>, AuthError> {
    Ok(identify(auth, req).await?.map(|identity| identity.user_id))
}

/// Signs a user out everywhere: every database session row is deleted, and every JWT session
/// that signed in before now is refused from its next check on (at once on this instance; see
/// `revocation.rs` for the others). Returns the cookies that clear this request's session.
///
/// # Errors
/// Database errors.
pub async fn sign_out_everywhere(
    auth: &Auth,
    req: &AuthRequest,
    user_id: i32,
) -> Result<Vec<String>, AuthError> {
    let now_ms = unix_ms(OffsetDateTime::now_utc());
    auth.db().delete_sessions_of(user_id).await?;
    auth.db().revoke_sessions_before(user_id, now_ms).await?;
    auth.revocations().record(user_id, now_ms, now_ms);
    tracing::info!(user.id = user_id, "signed out everywhere");
    Ok(cookies::clear_chunked(
        auth.cookie_names(req.secure).session_token,
        req.secure,
        &req.cookies,
    ))
}

/// A verified sign-in reclaims an address nobody had proved (see `Db::reclaim_unverified`): the
/// unverified party's password, database sessions, linked accounts, name and picture are
/// removed (`profile`'s name and picture, from the verified sign-in, replace them), and their
/// JWT sessions end (at once on this instance). Returns the user as it is now, or `None` when
/// the address was verified meanwhile by another request.
///
/// # Errors
/// Database errors (nothing changed then).
pub async fn reclaim_unverified(
    auth: &Auth,
    user_id: i32,
    now: OffsetDateTime,
    profile: &NewUser,
) -> Result<Option<adapter::User>, AuthError> {
    let reclaimed = auth.db().reclaim_unverified(user_id, now, profile).await?;
    if reclaimed.is_some() {
        let now_ms = unix_ms(now);
        auth.revocations().record(user_id, now_ms, now_ms);
        tracing::info!(
            user.id = user_id,
            "a verified sign-in reclaimed an unverified address: its password, sessions and \
             linked accounts were removed"
        );
    }
    Ok(reclaimed)
}

/// Ends the session of this request: deletes the database row (database strategy) and returns
/// the cookies that clear it.
///
/// # Errors
/// Database errors.
pub async fn destroy(auth: &Auth, req: &AuthRequest) -> Result<Vec<String>, AuthError> {
    let name = auth.cookie_names(req.secure).session_token;
    let Some(raw) = req.cookies.get_chunked(name) else {
        return Ok(Vec::new());
    };
    let events = &auth.config().events;
    match auth.config().session.strategy {
        SessionStrategy::Jwt => {
            let token = read_token(
                auth.session_keys(req.secure),
                &raw,
                OffsetDateTime::now_utc().unix_timestamp(),
            )
            .ok();
            events.sign_out(token.as_ref(), None).await;
        }
        SessionStrategy::Database => {
            if raw.len() <= 256 {
                let row = auth.db().delete_session(&raw).await?;
                events.sign_out(None, row.map(|r| r.user_id)).await;
            }
        }
    }
    Ok(cookies::clear_chunked(name, req.secure, &req.cookies))
}

/// Decrypts a session token, parses its claims once, and checks its times (a token without
/// `exp` is refused).
fn read_token(keys: &KeySet, raw: &str, now: i64) -> Result<Token, JwtError> {
    let plaintext = keys.open(raw)?;
    let token: Token = serde_json::from_slice(&plaintext).map_err(|_| JwtError::Claims)?;
    check_times(token.exp, token.nbf, now)?;
    Ok(token)
}

fn duration_ms(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn default_session(auth: &Auth, token: &Token, expires: OffsetDateTime) -> Session {
    let mut extra = Map::new();
    // A failed provider-token refresh shows on the session, as Auth.js's guides do it.
    if let Some(error) = token.extra.get("error") {
        extra.insert("error".into(), error.clone());
    }
    if let Some(amr) = token.extra.get(AMR) {
        extra.insert(AMR.into(), amr.clone());
    }
    let mut user_extra = Map::new();
    if !auth.config().client_origins.is_empty() {
        for claim in ["provider", CLIENT_ORIGIN, CLIENT_ID] {
            if let Some(value) = token.extra.get(claim) {
                user_extra.insert(claim.into(), value.clone());
            }
        }
    }
    Session {
        user: User {
            name: token.name.clone(),
            email: token.email.clone(),
            image: token.picture.clone(),
            extra: user_extra,
            ..User::default()
        },
        expires: iso_millis(expires),
        extra,
    }
}

fn write_jwt(
    auth: &Auth,
    req: &AuthRequest,
    mut token: Token,
    now: OffsetDateTime,
    expires: OffsetDateTime,
) -> Result<Vec<String>, AuthError> {
    token.iat = Some(now.unix_timestamp());
    let sliding = now + auth.config().jwt_max_age();
    let exp = absolute_end(auth, &token).map_or(sliding, |end| sliding.min(end));
    token.exp = Some(exp.unix_timestamp());
    token.jti = Some(random_uuid());
    let encoded = auth
        .session_keys(req.secure)
        .encode(&token)
        .map_err(|e| AuthError::Configuration(format!("cannot encode the session token: {e}")))?;
    Ok(cookies::set_chunked(
        auth.cookie_names(req.secure).session_token,
        &encoded,
        Lifetime::Until(expires),
        req.secure,
        &req.cookies,
    ))
}

/// A random (v4) UUID from the thread's CSPRNG, as `crypto.randomUUID()` makes them.
fn random_uuid() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

fn clear(req: &AuthRequest, name: &str) -> Reply<Option<Session>> {
    Reply::with_cookies(None, cookies::clear_chunked(name, req.secure, &req.cookies))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_claims_omit_missing_fields() {
        let token = Token {
            name: Some("Ada".into()),
            sub: Some("1".into()),
            ..Token::default()
        };
        assert_eq!(
            serde_json::to_value(&token).unwrap(),
            serde_json::json!({"name":"Ada","sub":"1"})
        );
        let parsed: Token = serde_json::from_value(
            serde_json::json!({"sub":"2","role":"admin","exp":5,"iat":1.7e9,"name":null,"email":7}),
        )
        .unwrap();
        assert_eq!(parsed.extra["role"], "admin");
        assert_eq!(parsed.exp, Some(5));
        assert_eq!(parsed.iat, Some(1_700_000_000));
        assert_eq!(parsed.name, None);
        assert_eq!(parsed.extra["email"], 7, "an odd type is kept, not dropped");
        assert!(serde_json::from_str::<Token>("[1]").is_err());
        let round: Token = serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
        assert_eq!(round, parsed);
    }
}
