//! Preset: Okta, mirroring Auth.js's `@auth/core/providers/okta`.
//!
//! Enabled by `AUTH_OKTA_ID`, `AUTH_OKTA_SECRET` and (required) `AUTH_OKTA_ISSUER`: the org
//! authorization server (`https://<org>.okta.com`) or a custom one
//! (`https://<org>.okta.com/oauth2/default`). Register the callback URL
//! `<origin>/api/auth/callback/okta` as a sign-in redirect URI of the web app integration.
//!
//! OpenID Connect with the standard claims as profile. Okta puts only the claims of the granted
//! scopes in the id_token, so `email` and `profile` are requested alongside `openid`.

use super::oauth::OAuthProvider;

/// The Okta provider (`okta`): OIDC on the authorization server `issuer`, scopes
/// `openid email profile`.
pub fn okta(
    client_id: impl Into<String>,
    client_secret: impl Into<String>,
    issuer: impl Into<String>,
) -> OAuthProvider {
    // Its issuers never end in `/`; a copied one that does would fail discovery's exact match.
    let issuer: String = issuer.into();
    OAuthProvider::oidc(
        "okta",
        "Okta",
        issuer.trim_end_matches('/'),
        client_id,
        client_secret,
    )
    .with_scopes(&["openid", "email", "profile"])
    .with_brand_color("#000")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::{OAuthKind, Profile};
    use serde_json::json;

    #[test]
    fn the_documented_id_token_claims_map_onto_a_profile() {
        // The id_token payload example of Okta's OpenID Connect API reference.
        let claims = json!({
            "sub": "00uid4BxXw6I6TV4m0g3",
            "name": "John Doe",
            "email": "john.doe@example.com",
            "email_verified": true,
            "ver": 1,
            "iss": "https://example.okta.com/oauth2/default",
            "aud": "uAaunofWkaDJxukCFeBx",
            "iat": 1449624026,
            "exp": 1449627626,
            "jti": "ID.4eAWJOCMB3SX8XewDfVR",
            "amr": ["pwd"],
            "idp": "00oid4BxXw6I6TV4m0g3",
            "nonce": "n-0S6_WzA2Mj",
            "preferred_username": "john.doe@example.com",
            "auth_time": 1449624026,
            "at_hash": "cpqKfdQA5eH891Ff5oJr_Q"
        });
        let p = okta("id", "secret", "https://example.okta.com/oauth2/default");
        assert_eq!(
            (p.profile)(&claims),
            Some(Profile {
                id: "00uid4BxXw6I6TV4m0g3".into(),
                name: Some("John Doe".into()),
                email: Some("john.doe@example.com".into()),
                email_verified: true,
                image: None,
            })
        );
    }

    #[test]
    fn claims_without_sub_map_to_none() {
        let p = okta("id", "secret", "https://example.okta.com");
        assert_eq!((p.profile)(&json!({"email": "john.doe@example.com"})), None);
        assert_eq!((p.profile)(&json!({})), None);
        assert_eq!((p.profile)(&json!(true)), None);
    }

    #[test]
    fn the_preset_is_oidc_on_the_authorization_server() {
        let p = okta("id", "secret", "https://example.okta.com/oauth2/default");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("okta", "Okta"));
        assert_eq!(p.kind, OAuthKind::Oidc);
        assert_eq!(
            p.issuer.as_deref(),
            Some("https://example.okta.com/oauth2/default")
        );
        assert_eq!(p.scopes, ["openid", "email", "profile"]);
    }
}
