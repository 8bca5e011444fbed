//! Preset: Keycloak, mirroring Auth.js's `@auth/core/providers/keycloak`.
//!
//! Enabled by `AUTH_KEYCLOAK_ID`, `AUTH_KEYCLOAK_SECRET` and (required) `AUTH_KEYCLOAK_ISSUER`, the
//! realm's URL (`https://keycloak.example.com/realms/<realm>`; Keycloak before 17 has `/auth` in
//! front of `/realms`). Register the callback URL `<origin>/api/auth/callback/keycloak` as a valid
//! redirect URI of the (confidential) client.
//!
//! OpenID Connect with the standard claims as profile: `name`, or else `preferred_username` (the
//! Keycloak username) when the user has no first and last name; `email_verified` is Keycloak's
//! per-user flag.

use super::oauth::OAuthProvider;

/// The Keycloak provider (`keycloak`): OIDC on the realm `issuer`, scopes `openid email profile`.
pub fn keycloak(
    client_id: impl Into<String>,
    client_secret: impl Into<String>,
    issuer: impl Into<String>,
) -> OAuthProvider {
    // Its issuers never end in `/`; a copied one that does would fail discovery's exact match.
    let issuer: String = issuer.into();
    OAuthProvider::oidc(
        "keycloak",
        "Keycloak",
        issuer.trim_end_matches('/'),
        client_id,
        client_secret,
    )
    .with_scopes(&["openid", "email", "profile"])
    .with_brand_color("#28a6dd")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::{OAuthKind, Profile};
    use serde_json::json;

    /// An id_token payload as Keycloak issues it for a realm user.
    fn jdoe() -> serde_json::Value {
        json!({
            "exp": 1712345978,
            "iat": 1712345678,
            "auth_time": 1712345670,
            "jti": "4b1f7c1e-8b8e-4c52-9c1a-2f1e1d0c9b8a",
            "iss": "https://keycloak.example.com/realms/myrealm",
            "aud": "leptos-app",
            "sub": "f3a1c9e2-5d4b-4c7a-9e8f-1a2b3c4d5e6f",
            "typ": "ID",
            "azp": "leptos-app",
            "nonce": "n-0S6_WzA2Mj",
            "sid": "0d6b2a8e-3c1f-4e5d-9a7b-8c6d5e4f3a2b",
            "at_hash": "x7ZQpm1Y1u5pVw0mB3XKdQ",
            "acr": "1",
            "email_verified": true,
            "name": "Jane Doe",
            "preferred_username": "jdoe",
            "given_name": "Jane",
            "family_name": "Doe",
            "email": "jane.doe@example.com"
        })
    }

    #[test]
    fn the_id_token_claims_map_onto_a_profile() {
        let p = keycloak(
            "id",
            "secret",
            "https://keycloak.example.com/realms/myrealm",
        );
        assert_eq!(
            (p.profile)(&jdoe()),
            Some(Profile {
                id: "f3a1c9e2-5d4b-4c7a-9e8f-1a2b3c4d5e6f".into(),
                name: Some("Jane Doe".into()),
                email: Some("jane.doe@example.com".into()),
                email_verified: true,
                image: None,
            })
        );
    }

    #[test]
    fn a_user_without_names_is_called_by_username() {
        let mut claims = jdoe();
        let object = claims.as_object_mut().unwrap();
        for key in ["name", "given_name", "family_name"] {
            object.remove(key);
        }
        claims["email_verified"] = json!(false);
        let p = keycloak("id", "secret", "https://kc.example.com/realms/r");
        let profile = (p.profile)(&claims).unwrap();
        assert_eq!(profile.name.as_deref(), Some("jdoe"));
        assert!(!profile.email_verified);
    }

    #[test]
    fn claims_without_sub_map_to_none() {
        let p = keycloak("id", "secret", "https://kc.example.com/realms/r");
        assert_eq!((p.profile)(&json!({"preferred_username": "jdoe"})), None);
        assert_eq!((p.profile)(&json!({})), None);
        assert_eq!((p.profile)(&json!([])), None);
    }

    #[test]
    fn the_preset_is_oidc_on_the_realm() {
        let p = keycloak("id", "secret", "https://kc.example.com/realms/r/");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("keycloak", "Keycloak"));
        assert_eq!(p.kind, OAuthKind::Oidc);
        assert_eq!(p.issuer.as_deref(), Some("https://kc.example.com/realms/r"));
        assert_eq!(p.scopes, ["openid", "email", "profile"]);
    }
}
