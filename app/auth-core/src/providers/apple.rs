//! Preset: Sign in with Apple, mirroring Auth.js's `@auth/core/providers/apple`.
//!
//! Enabled by `AUTH_APPLE_ID` (the Services ID) and `AUTH_APPLE_SECRET`. As with Auth.js the
//! secret is not a fixed string but a JWT (ES256, signed with the key from the Apple developer
//! account, at most six months valid) that has to be regenerated before it expires. Register
//! `<origin>/api/auth/callback/apple` as a return URL of the Services ID (Apple refuses
//! `localhost` and plain http).
//!
//! OpenID Connect at `https://appleid.apple.com` with two quirks, handled by the flow and switched
//! on here with [`Quirks::form_post`]: Apple returns to the callback with a cross-site form POST
//! (`response_mode=form_post`, which Apple requires once the `name` or `email` scope is asked
//! for), and sends the user's name only once, on the first authorization, in a `user` form field
//! rather than in the id_token. So the mapper leaves `name` empty. `email_verified` arrives as
//! `"true"` or `true`; the address may be a private relay (`@privaterelay.appleid.com`). The
//! token endpoint takes the credentials in the form body (`client_secret_post`).

use serde_json::Value;

use super::oauth::{string_field, ClientAuth, OAuthProvider, Profile, Quirks};

const ISSUER: &str = "https://appleid.apple.com";

/// The Apple provider (`apple`): OIDC, scopes `name email`, `response_mode=form_post`, client
/// credentials in the token request body.
pub fn apple(client_id: impl Into<String>, client_secret: impl Into<String>) -> OAuthProvider {
    OAuthProvider::oidc("apple", "Apple", ISSUER, client_id, client_secret)
        .with_scopes(&["name", "email"])
        .with_authorization_param("response_mode", "form_post")
        .with_client_auth(ClientAuth::Post)
        .with_profile(profile)
        .with_brand_color("#000")
        .with_quirks(Quirks {
            form_post: true,
            ..Quirks::default()
        })
}

/// Maps Apple's id_token claims: `sub`, `email`, `email_verified` (a boolean or the string
/// `"true"`); no name (the flow takes it from the first callback's `user` field) and no image.
pub fn profile(claims: &Value) -> Option<Profile> {
    Some(Profile {
        id: string_field(claims, "sub")?,
        name: None,
        email: string_field(claims, "email"),
        email_verified: matches!(claims.get("email_verified"), Some(Value::Bool(true)))
            || matches!(claims.get("email_verified"), Some(Value::String(s)) if s == "true"),
        image: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::OAuthKind;
    use serde_json::json;

    /// An id_token payload with the claims of Apple's "Authenticating users with Sign in with
    /// Apple" (booleans sent as strings, as Apple does for web sign-ins).
    fn claims() -> Value {
        json!({
            "iss": "https://appleid.apple.com",
            "aud": "com.example.web",
            "exp": 1712432078,
            "iat": 1712345678,
            "sub": "001234.5f8e9a7b6c5d4e3f2a1b0c9d8e7f6a5b.1234",
            "nonce": "n-0S6_WzA2Mj",
            "nonce_supported": true,
            "c_hash": "Hz8iS1x9kGQe2cZlb2GYmg",
            "email": "abc123xyz@privaterelay.appleid.com",
            "email_verified": "true",
            "is_private_email": "true",
            "auth_time": 1712345670,
            "real_user_status": 2
        })
    }

    #[test]
    fn the_documented_id_token_claims_map_onto_a_profile() {
        assert_eq!(
            profile(&claims()),
            Some(Profile {
                id: "001234.5f8e9a7b6c5d4e3f2a1b0c9d8e7f6a5b.1234".into(),
                name: None,
                email: Some("abc123xyz@privaterelay.appleid.com".into()),
                email_verified: true,
                image: None,
            })
        );
    }

    #[test]
    fn email_verified_may_be_a_boolean_and_anything_else_is_false() {
        let mut c = claims();
        c["email_verified"] = json!(true);
        assert!(profile(&c).unwrap().email_verified);
        for not_verified in [json!(false), json!("false"), json!(1), Value::Null] {
            c["email_verified"] = not_verified;
            assert!(!profile(&c).unwrap().email_verified);
        }
        c.as_object_mut().unwrap().remove("email");
        assert_eq!(profile(&c).unwrap().email, None);
    }

    #[test]
    fn claims_without_sub_map_to_none() {
        assert_eq!(profile(&json!({"email": "a@b.c"})), None);
        assert_eq!(profile(&json!({})), None);
        assert_eq!(profile(&json!(null)), None);
    }

    #[test]
    fn the_preset_asks_for_a_form_post() {
        let p = apple("id", "secret");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("apple", "Apple"));
        assert_eq!(p.kind, OAuthKind::Oidc);
        assert_eq!(p.issuer.as_deref(), Some(ISSUER));
        assert_eq!(p.scopes, ["name", "email"]);
        assert_eq!(
            p.authorization_params,
            [("response_mode".to_owned(), "form_post".to_owned())]
        );
        assert_eq!(p.client_auth, ClientAuth::Post);
        assert!(p.quirks.form_post);
    }
}
