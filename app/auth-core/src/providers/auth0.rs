//! Preset: Auth0, mirroring Auth.js's `@auth/core/providers/auth0`.
//!
//! Enabled by `AUTH_AUTH0_ID`, `AUTH_AUTH0_SECRET` and (required) `AUTH_AUTH0_ISSUER`, the
//! tenant's domain as a URL (`https://dev-abc123.us.auth0.com`, or a custom domain). Register the
//! callback URL `<origin>/api/auth/callback/auth0`.
//!
//! OpenID Connect with the standard claims as profile. One quirk: Auth0's issuer identifier always
//! ends in `/` (`https://<domain>/`, in discovery and in every id_token's `iss`), and issuers are
//! compared as exact strings, so the preset adds the slash whether or not the variable has it.

use super::oauth::OAuthProvider;

/// The Auth0 provider (`auth0`): OIDC on the tenant `issuer`, scopes `openid email profile`.
pub fn auth0(
    client_id: impl Into<String>,
    client_secret: impl Into<String>,
    issuer: impl Into<String>,
) -> OAuthProvider {
    let issuer = issuer.into();
    let issuer = format!("{}/", issuer.trim_end_matches('/'));
    let mut provider =
        OAuthProvider::oidc("auth0", "Auth0", issuer.clone(), client_id, client_secret)
            .with_scopes(&["openid", "email", "profile"])
            .with_brand_color("#eb5424");
    // `oidc` trims the slash that Auth0's issuer identifier has; put it back.
    provider.issuer = Some(issuer);
    provider
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::{OAuthKind, Profile};
    use serde_json::json;

    #[test]
    fn the_documented_id_token_claims_map_onto_a_profile() {
        // The id_token payload of Auth0's "ID Token Structure" docs, with a database user's sub.
        let claims = json!({
            "iss": "https://dev-abc123.us.auth0.com/",
            "sub": "auth0|507f1f77bcf86cd799439020",
            "aud": "my_client_id",
            "exp": 1311281970,
            "iat": 1311280970,
            "nickname": "janedoe",
            "name": "Jane Doe",
            "given_name": "Jane",
            "family_name": "Doe",
            "email": "janedoe@example.com",
            "email_verified": true,
            "picture": "http://example.com/janedoe/me.jpg",
            "updated_at": "2024-01-15T10:00:00.000Z"
        });
        let p = auth0("id", "secret", "https://dev-abc123.us.auth0.com");
        assert_eq!(
            (p.profile)(&claims),
            Some(Profile {
                id: "auth0|507f1f77bcf86cd799439020".into(),
                name: Some("Jane Doe".into()),
                email: Some("janedoe@example.com".into()),
                email_verified: true,
                image: Some("http://example.com/janedoe/me.jpg".into()),
            })
        );
    }

    #[test]
    fn claims_without_sub_map_to_none() {
        let p = auth0("id", "secret", "https://dev-abc123.us.auth0.com");
        assert_eq!((p.profile)(&json!({"name": "Jane Doe"})), None);
        assert_eq!((p.profile)(&json!({})), None);
        assert_eq!((p.profile)(&json!(null)), None);
    }

    #[test]
    fn the_issuer_always_ends_in_one_slash() {
        for given in [
            "https://dev-abc123.us.auth0.com",
            "https://dev-abc123.us.auth0.com/",
            "https://dev-abc123.us.auth0.com//",
        ] {
            let p = auth0("id", "secret", given);
            assert_eq!(
                p.issuer.as_deref(),
                Some("https://dev-abc123.us.auth0.com/")
            );
        }
        let p = auth0("id", "secret", "https://login.example.com");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("auth0", "Auth0"));
        assert_eq!(p.kind, OAuthKind::Oidc);
        assert_eq!(p.scopes, ["openid", "email", "profile"]);
    }
}
