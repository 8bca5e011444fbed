//! The session token's claims (Auth.js's `token`), and the two claims this app adds.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

/// The claim holding when the user signed in (Unix seconds, with milliseconds: RFC 7519
/// allows a fractional NumericDate), kept across renewals: the absolute lifetime and
/// sign-out-everywhere count from it. A token without it (minted by Auth.js) gets its `iat` on
/// its first read here.
pub const AUTH_TIME: &str = "auth_time";
/// The claim holding when the token was last checked against sign-out-everywhere (Unix
/// seconds); kept by the session layer's revocation cache.
pub const CHECKED: &str = "chk";

impl Token {
    /// When the user signed in (Unix ms), from [`AUTH_TIME`].
    pub fn auth_time_ms(&self) -> Option<i64> {
        let seconds = self.extra.get(AUTH_TIME)?.as_f64()?;
        seconds
            .is_finite()
            .then(|| (seconds * 1000.0).round() as i64)
    }

    /// Sets [`AUTH_TIME`] to `ms` (Unix ms).
    pub fn set_auth_time_ms(&mut self, ms: i64) {
        let seconds = ms as f64 / 1000.0;
        if let Some(number) = serde_json::Number::from_f64(seconds) {
            self.extra.insert(AUTH_TIME.into(), Value::Number(number));
        }
    }

    /// The user id (`sub`), when it is one of ours.
    pub fn user_id(&self) -> Option<i32> {
        self.sub.as_deref()?.parse().ok()
    }
}
