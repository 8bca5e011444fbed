//! The wire types read from a parsed JSON value by hand, for the browser.
//!
//! serde's derived deserializers (their visitors, and the error messages that format any number
//! they meet) were a fifth of the islands' wasm; the browser already parses JSON (`JSON.parse`),
//! and reading a handful of known shapes out of a [`Value`] takes a few hundred bytes. The rules
//! are serde's derive's: a missing or `null` optional field is `None`, a field of the wrong type
//! or a missing required one fails the whole value, unknown fields go to `extra` where the type
//! has one (`#[serde(flatten)]`) and are ignored elsewhere. The tests check every type against
//! the derive on the same JSON.

use serde_json::{Map, Value};

use super::wire::{
    AuthErrorCode, AuthRedirect, CsrfToken, LinkedAccount, PageAuth, PasskeyInfo, ProviderInfo,
    ProviderStyle, Providers, Session, SessionInfo, SessionList, TwoFactorSetup, TwoFactorStatus,
    User,
};

/// A type read from a parsed JSON value, as serde's derive would read it.
pub trait FromJsonValue: Sized {
    /// The value as `Self`, or `None` where serde's derive would fail.
    fn from_json_value(value: Value) -> Option<Self>;
}

/// An object's fields, taken one by one; what is left over is the `extra` of flattened types.
struct Fields(Map<String, Value>);

impl Fields {
    fn of(value: Value) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Self(map)),
            _ => None,
        }
    }

    /// A required field.
    fn take<T: FromJsonValue>(&mut self, key: &str) -> Option<T> {
        T::from_json_value(self.0.remove(key)?)
    }

    /// An optional field: missing or `null` is `Some(None)`.
    fn optional<T: FromJsonValue>(&mut self, key: &str) -> Option<Option<T>> {
        match self.0.remove(key) {
            None | Some(Value::Null) => Some(None),
            Some(value) => T::from_json_value(value).map(Some),
        }
    }
}

impl FromJsonValue for String {
    fn from_json_value(value: Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl FromJsonValue for bool {
    fn from_json_value(value: Value) -> Option<Self> {
        value.as_bool()
    }
}

impl FromJsonValue for u32 {
    fn from_json_value(value: Value) -> Option<Self> {
        u32::try_from(value.as_u64()?).ok()
    }
}

impl FromJsonValue for i32 {
    fn from_json_value(value: Value) -> Option<Self> {
        i32::try_from(value.as_i64()?).ok()
    }
}

impl<T: FromJsonValue> FromJsonValue for Option<T> {
    fn from_json_value(value: Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            value => T::from_json_value(value).map(Some),
        }
    }
}

impl<T: FromJsonValue> FromJsonValue for Vec<T> {
    fn from_json_value(value: Value) -> Option<Self> {
        match value {
            Value::Array(items) => items.into_iter().map(T::from_json_value).collect(),
            _ => None,
        }
    }
}

impl FromJsonValue for AuthErrorCode {
    fn from_json_value(value: Value) -> Option<Self> {
        let name = value.as_str()?;
        AuthErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
    }
}

impl FromJsonValue for User {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(User {
            id: fields.optional("id")?,
            name: fields.optional("name")?,
            email: fields.optional("email")?,
            image: fields.optional("image")?,
            extra: fields.0,
        })
    }
}

impl FromJsonValue for Session {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(Session {
            user: fields.take("user")?,
            expires: fields.take("expires")?,
            extra: fields.0,
        })
    }
}

impl FromJsonValue for PageAuth {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(PageAuth {
            session: fields.optional("session")?,
            csrf_token: fields.take("csrfToken")?,
            sign_in_page: fields.optional("signInPage")?,
            theme: Default::default(),
        })
    }
}

impl FromJsonValue for CsrfToken {
    fn from_json_value(value: Value) -> Option<Self> {
        Some(CsrfToken {
            csrf_token: Fields::of(value)?.take("csrfToken")?,
        })
    }
}

impl FromJsonValue for AuthRedirect {
    fn from_json_value(value: Value) -> Option<Self> {
        Some(AuthRedirect {
            url: Fields::of(value)?.take("url")?,
        })
    }
}

impl FromJsonValue for ProviderStyle {
    fn from_json_value(value: Value) -> Option<Self> {
        Some(ProviderStyle {
            brand_color: Fields::of(value)?.take("brandColor")?,
        })
    }
}

impl FromJsonValue for ProviderInfo {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(ProviderInfo {
            id: fields.take("id")?,
            name: fields.take("name")?,
            kind: fields.take("type")?,
            signin_url: fields.take("signinUrl")?,
            callback_url: fields.take("callbackUrl")?,
            style: fields.optional("style")?,
        })
    }
}

impl FromJsonValue for Providers {
    fn from_json_value(value: Value) -> Option<Self> {
        let Fields(map) = Fields::of(value)?;
        map.into_iter()
            .map(|(_, provider)| ProviderInfo::from_json_value(provider))
            .collect::<Option<Vec<_>>>()
            .map(Providers)
    }
}

impl FromJsonValue for LinkedAccount {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(LinkedAccount {
            id: fields.take("id")?,
            name: fields.take("name")?,
            kind: fields.take("type")?,
            linked: fields.take("linked")?,
        })
    }
}

impl FromJsonValue for SessionInfo {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(SessionInfo {
            id: fields.take("id")?,
            created_at: fields.optional("created_at")?,
            expires: fields.take("expires")?,
            user_agent: fields.optional("user_agent")?,
            current: fields.take("current")?,
        })
    }
}

impl FromJsonValue for SessionList {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(SessionList {
            listed: fields.take("listed")?,
            sessions: fields.take("sessions")?,
        })
    }
}

impl FromJsonValue for TwoFactorSetup {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(TwoFactorSetup {
            secret: fields.take("secret")?,
            otpauth_url: fields.take("otpauthUrl")?,
            qr_svg: fields.take("qrSvg")?,
        })
    }
}

impl FromJsonValue for PasskeyInfo {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(PasskeyInfo {
            id: fields.take("id")?,
            name: fields.take("name")?,
            created_at: fields.optional("createdAt")?,
            last_used_at: fields.optional("lastUsedAt")?,
            synced: fields.take("synced")?,
        })
    }
}

impl FromJsonValue for TwoFactorStatus {
    fn from_json_value(value: Value) -> Option<Self> {
        let mut fields = Fields::of(value)?;
        Some(TwoFactorStatus {
            available: fields.take("available")?,
            enabled: fields.take("enabled")?,
            recovery_codes_left: fields.take("recoveryCodesLeft")?,
            setup: fields.optional("setup")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::json;
    use std::fmt::Debug;

    /// The hand-written reader agrees with serde's derive on `json`: the same value, or both
    /// refuse it.
    fn agrees<T: FromJsonValue + DeserializeOwned + PartialEq + Debug>(json: Value) {
        let derived = serde_json::from_value::<T>(json.clone()).ok();
        let by_hand = T::from_json_value(json.clone());
        assert_eq!(by_hand, derived, "{json}");
    }

    fn session_json() -> Value {
        json!({
            "user": {"name": "Ada", "email": "ada@example.com", "image": null, "id": "7", "role": "admin"},
            "expires": "2030-01-01T00:00:00.000Z",
            "error": "RefreshTokenError"
        })
    }

    #[test]
    fn sessions_and_users_read_as_the_derive_reads_them() {
        for json in [
            session_json(),
            json!({"user": {}, "expires": "x"}),
            json!({"user": {"name": null, "nested": {"a": [1, 2.5, -3, true, null]}}, "expires": "x"}),
            json!({"user": {"name": 5}, "expires": "x"}),
            json!({"user": null, "expires": "x"}),
            json!({"user": {}}),
            json!({"expires": "x"}),
            json!({"user": {}, "expires": 1}),
            json!([]),
            json!(null),
            json!("session"),
        ] {
            agrees::<Session>(json.clone());
            agrees::<Option<Session>>(json.clone());
            agrees::<User>(json["user"].clone());
        }
        let session = Session::from_json_value(session_json()).unwrap();
        assert_eq!(session.user.extra["role"], "admin");
        assert_eq!(session.extra["error"], "RefreshTokenError");
    }

    #[test]
    fn page_auth_reads_the_page_script() {
        for json in [
            json!({"session": session_json(), "csrfToken": "t"}),
            json!({"session": null, "csrfToken": "t", "signInPage": "/login"}),
            json!({"csrfToken": "t"}),
            json!({"session": null}),
            json!({"session": 1, "csrfToken": "t"}),
            json!({"session": null, "csrfToken": "t", "signInPage": 3}),
        ] {
            agrees::<PageAuth>(json);
        }
    }

    #[test]
    fn route_answers_read_as_the_derive_reads_them() {
        for json in [
            json!({"csrfToken": "abc"}),
            json!({"csrfToken": null}),
            json!({}),
        ] {
            agrees::<CsrfToken>(json);
        }
        for json in [
            json!({"url": "/x"}),
            json!({"url": 1}),
            json!({"URL": "/x"}),
        ] {
            agrees::<AuthRedirect>(json);
        }
        let provider = json!({"id": "github", "name": "GitHub", "type": "oauth",
            "signinUrl": "http://x/s", "callbackUrl": "http://x/c", "style": {"brandColor": "#000"}});
        let mut no_style = provider.clone();
        no_style["style"] = Value::Null;
        let mut bad_kind = provider.clone();
        bad_kind["type"] = json!(1);
        for json in [
            json!({"github": provider, "credentials": no_style}),
            json!({"github": bad_kind}),
            json!({}),
            json!([]),
        ] {
            agrees::<Providers>(json);
        }
        for json in [
            json!([{"id": "a", "name": "A", "type": "oauth", "linked": true}]),
            json!([{"id": "a", "name": "A", "type": "oauth", "linked": "yes"}]),
            json!([]),
            json!({}),
        ] {
            agrees::<Vec<LinkedAccount>>(json);
        }
        for json in [
            json!({"listed": true, "sessions": [{"id": 3, "created_at": null, "expires": "x", "user_agent": "UA", "current": true}]}),
            json!({"listed": false, "sessions": []}),
            json!({"listed": true, "sessions": [{"id": 3.5, "expires": "x", "current": true}]}),
            json!({"listed": true, "sessions": [{"id": 4294967296_u64, "expires": "x", "current": true}]}),
        ] {
            agrees::<SessionList>(json);
        }
        for json in [
            json!({"available": true, "enabled": false, "recoveryCodesLeft": 0,
                "setup": {"secret": "S", "otpauthUrl": "otpauth://totp/x", "qrSvg": "<svg/>"}}),
            json!({"available": true, "enabled": true, "recoveryCodesLeft": 7}),
            json!({"available": true, "enabled": true, "recoveryCodesLeft": -1}),
            json!({"available": true, "enabled": true, "recoveryCodesLeft": 1, "setup": {"secret": 1}}),
        ] {
            agrees::<TwoFactorStatus>(json);
        }
        for json in [
            json!([{"id": "AQ", "name": "Laptop", "createdAt": "2026-12-07T10:00:00.000Z",
                "lastUsedAt": null, "synced": true}]),
            json!([{"id": "AQ", "name": "Laptop", "synced": false}]),
            json!([{"id": "AQ", "name": 1, "synced": false}]),
            json!([{"id": "AQ", "name": "x"}]),
        ] {
            agrees::<Vec<PasskeyInfo>>(json);
        }
        for code in AuthErrorCode::ALL {
            agrees::<AuthErrorCode>(json!(code.as_str()));
        }
        agrees::<AuthErrorCode>(json!("Nope"));
    }
}
