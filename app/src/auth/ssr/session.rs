//! Sessions: what `GET /api/auth/session` does, what a sign-in leaves behind, and sign-out.
//!
//! JWT strategy (the default): the cookie is the JWE of the token; reading it is a decrypt and a
//! re-encrypt with a pushed-back expiry (sliding expiry, as Auth.js), with no database round
//! trip and no key derivation. Database strategy: the cookie holds an opaque token, the row
//! holds the user and expiry, and the expiry is pushed back at most once per `update_age`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth::types::{Session, User};

use super::{
    adapter::UserRow,
    auth::Auth,
    callbacks::{Account, JwtParams, JwtTrigger, SessionParams},
    config::{ClientOrigin, SessionStrategy},
    cookies::{self, Lifetime},
    dates::iso_millis,
    error::AuthError,
    jwt::{check_times, JwtError, KeySet},
    reply::Reply,
    request::AuthRequest,
};

/// The client id of sessions made on the app's own origin when client origins are configured.
pub const DEFAULT_CLIENT_ID: &str = "default";
/// Claim and session field: the origin of the client the user signed in through.
pub const CLIENT_ORIGIN: &str = "clientOrigin";
/// Claim and session field: that client's id.
pub const CLIENT_ID: &str = "clientId";

/// The JWT's claims (Auth.js's `token`): the default ones, plus whatever the `jwt` callback adds.
///
/// Deserialized by hand (see below) rather than with `#[serde(flatten)]`, which buffers every
/// field: this runs on every session read.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Token {
    /// User name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// User email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// User image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// User id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Issued at (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Expires at (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Token id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Not before (Unix seconds); Auth.js does not set it, other issuers may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Claims added by callbacks.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for Token {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Token;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JWT claims object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Token, A::Error> {
                let mut token = Token::default();
                while let Some(key) = map.next_key::<String>()? {
                    let value: Value = map.next_value()?;
                    // A standard claim of an unexpected type is kept as-is among the extras.
                    let slot_str = match key.as_str() {
                        "name" => Some(&mut token.name),
                        "email" => Some(&mut token.email),
                        "picture" => Some(&mut token.picture),
                        "sub" => Some(&mut token.sub),
                        "jti" => Some(&mut token.jti),
                        _ => None,
                    };
                    let slot_num = match key.as_str() {
                        "iat" => Some(&mut token.iat),
                        "exp" => Some(&mut token.exp),
                        "nbf" => Some(&mut token.nbf),
                        _ => None,
                    };
                    match (value, slot_str, slot_num) {
                        (Value::String(s), Some(slot), _) => *slot = Some(s),
                        (Value::Null, Some(_), _) | (Value::Null, _, Some(_)) => {}
                        (Value::Number(n), _, Some(slot)) if n.as_i64().is_some() => {
                            *slot = n.as_i64();
                        }
                        (Value::Number(n), _, Some(slot)) if n.as_f64().is_some() => {
                            // JavaScript numbers: seconds may arrive as 1.7e9.
                            *slot = n.as_f64().map(|f| f as i64);
                        }
                        (value, _, _) => {
                            token.extra.insert(key, value);
                        }
                    }
                }
                Ok(token)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

impl Token {
    /// Auth.js's default token for a user: name, email, picture, sub.
    pub fn for_user(user: &UserRow) -> Self {
        Self {
            name: user.name.clone(),
            email: user.email.clone(),
            picture: user.image.clone(),
            sub: Some(user.id.to_string()),
            ..Self::default()
        }
    }
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
/// the CSRF token first; without a valid one Auth.js answers as for `GET`, and so do we.
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
    let keys = auth.session_keys(req.secure);
    let token = match read_token(keys, raw, now.unix_timestamp()) {
        Ok(token) => token,
        Err(error) => {
            tracing::debug!(%error, "session token refused");
            return Ok(clear(req, name));
        }
    };
    let mut token = token;
    super::oauth::tokens::refresh_if_due(auth, &mut token).await;
    let callbacks = &auth.config().callbacks;
    let Some(token) = callbacks
        .jwt(JwtParams {
            token,
            user: None,
            account: None,
            profile: None,
            trigger: update.map(|_| JwtTrigger::Update),
            is_new_user: false,
            session: update,
        })
        .await
    else {
        tracing::debug!("the jwt callback ended the session");
        return Ok(clear(req, name));
    };
    let expires = now + auth.config().session.max_age;
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

async fn current_database(
    auth: &Auth,
    req: &AuthRequest,
    raw: &str,
    update: Option<&Value>,
) -> Result<Reply<Option<Session>>, AuthError> {
    let name = auth.cookie_names(req.secure).session_token;
    if raw.len() > 256 {
        return Ok(clear(req, name));
    }
    let Some((row, user)) = auth.db().get_session_and_user(raw).await? else {
        return Ok(clear(req, name));
    };
    let now = OffsetDateTime::now_utc();
    if row.expires <= now {
        auth.db().delete_session(raw).await?;
        return Ok(clear(req, name));
    }
    let options = &auth.config().session;
    let mut expires = row.expires;
    let mut set_cookies = Vec::new();
    // Auth.js: extend when `expires - maxAge + updateAge` has passed.
    if row.expires - options.max_age + options.update_age <= now {
        expires = now + options.max_age;
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
                extra: Map::new(),
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

/// Creates the session for a user who just signed in; returns the cookies to set.
///
/// # Errors
/// [`AuthError::AccessDenied`] if the `jwt` callback returns `None`; database errors.
pub async fn create(
    auth: &Auth,
    req: &AuthRequest,
    user: &UserRow,
    account: Option<&Account>,
    profile: Option<&Value>,
    is_new_user: bool,
    client: Option<&ClientOrigin>,
) -> Result<Vec<String>, AuthError> {
    let now = OffsetDateTime::now_utc();
    let expires = now + auth.config().session.max_age;
    let name = auth.cookie_names(req.secure).session_token;
    match auth.config().session.strategy {
        SessionStrategy::Jwt => {
            let mut initial = Token::for_user(user);
            if let Some(account) = account {
                // Which provider signed the user in, and when its access token expires (so that
                // reading the session can refresh it; see oauth/tokens.rs).
                initial
                    .extra
                    .insert("provider".into(), account.provider.clone().into());
                if let (Some(at), Some(_)) = (account.expires_at, &account.refresh_token) {
                    initial.extra.insert("expires_at".into(), at.into());
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
                    trigger: Some(if is_new_user {
                        JwtTrigger::SignUp
                    } else {
                        JwtTrigger::SignIn
                    }),
                    is_new_user,
                    session: None,
                })
                .await
                .ok_or(AuthError::AccessDenied)?;
            write_jwt(auth, req, token, now, expires)
        }
        SessionStrategy::Database => {
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
            auth.db()
                .create_session(user.id, &token, expires, user_agent.as_deref())
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

/// The id of the signed-in user, if any, without renewing anything (JWT: the `sub` claim;
/// database: the session row's user).
///
/// # Errors
/// Database errors (database strategy).
pub async fn current_user_id(auth: &Auth, req: &AuthRequest) -> Result<Option<i32>, AuthError> {
    let name = auth.cookie_names(req.secure).session_token;
    let Some(raw) = req.cookies.get_chunked(name) else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    Ok(match auth.config().session.strategy {
        SessionStrategy::Jwt => {
            read_token(auth.session_keys(req.secure), &raw, now.unix_timestamp())
                .ok()
                .and_then(|token| token.sub?.parse().ok())
        }
        SessionStrategy::Database => {
            if raw.len() > 256 {
                return Ok(None);
            }
            auth.db()
                .get_session_and_user(&raw)
                .await?
                .filter(|(row, _)| row.expires > now)
                .map(|(_, user)| user.id)
        }
    })
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

/// Decrypts a session token, parses its claims once, and checks its times.
fn read_token(keys: &KeySet, raw: &str, now: i64) -> Result<Token, JwtError> {
    let plaintext = keys.open(raw)?;
    let token: Token = serde_json::from_slice(&plaintext).map_err(|_| JwtError::Claims)?;
    check_times(token.exp, token.nbf, now)?;
    Ok(token)
}

fn default_session(auth: &Auth, token: &Token, expires: OffsetDateTime) -> Session {
    let mut extra = Map::new();
    // A failed provider-token refresh shows on the session, as Auth.js's guides do it.
    if let Some(error) = token.extra.get("error") {
        extra.insert("error".into(), error.clone());
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
    token.exp = Some((now + auth.config().jwt_max_age()).unix_timestamp());
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
