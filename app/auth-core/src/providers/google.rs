//! Preset: Google, mirroring Auth.js's `@auth/core/providers/google`.
//!
//! Enabled by `AUTH_GOOGLE_ID` and `AUTH_GOOGLE_SECRET`; register the callback URL
//! `<origin>/api/auth/callback/google`.
//!
//! Google is a conforming OpenID Connect provider: endpoints come from discovery at
//! `https://accounts.google.com`, and the verified id_token's standard claims (`sub`, `name`,
//! `email`, `email_verified`, `picture`) are the profile, so no mapper of its own is needed.
//! Google needs `access_type=offline` (and `prompt=consent`) for a refresh token; add them with
//! [`OAuthProvider::with_authorization_param`] if the app needs one.

use super::oauth::OAuthProvider;

const ISSUER: &str = "https://accounts.google.com";

/// The Google provider (`google`): OIDC, scopes `openid email profile`, standard claims.
pub fn google(client_id: impl Into<String>, client_secret: impl Into<String>) -> OAuthProvider {
    OAuthProvider::oidc("google", "Google", ISSUER, client_id, client_secret)
        .with_scopes(&["openid", "email", "profile"])
        .with_brand_color("#1a73e8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::{OAuthKind, Profile};
    use serde_json::json;

    #[test]
    fn the_documented_id_token_claims_map_onto_a_profile() {
        // The example payload of Google's "OpenID Connect" guide, with the profile claims.
        let claims = json!({
            "iss": "https://accounts.google.com",
            "azp": "1234987819200.apps.googleusercontent.com",
            "aud": "1234987819200.apps.googleusercontent.com",
            "sub": "10769150350006150715113082367",
            "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
            "hd": "example.com",
            "email": "jsmith@example.com",
            "email_verified": true,
            "iat": 1353601026,
            "exp": 1353604926,
            "nonce": "0394852-3190485-2490358",
            "name": "John Smith",
            "given_name": "John",
            "family_name": "Smith",
            "picture": "https://lh3.googleusercontent.com/a/ACg8ocJ-example=s96-c",
            "locale": "en"
        });
        let p = google("id", "secret");
        assert_eq!(
            (p.profile)(&claims),
            Some(Profile {
                id: "10769150350006150715113082367".into(),
                name: Some("John Smith".into()),
                email: Some("jsmith@example.com".into()),
                email_verified: true,
                image: Some("https://lh3.googleusercontent.com/a/ACg8ocJ-example=s96-c".into()),
            })
        );
    }

    #[test]
    fn claims_without_sub_map_to_none() {
        let p = google("id", "secret");
        assert_eq!((p.profile)(&json!({"email": "jsmith@example.com"})), None);
        assert_eq!((p.profile)(&json!({})), None);
        assert_eq!((p.profile)(&json!("not an object")), None);
    }

    #[test]
    fn the_preset_is_oidc_on_accounts_google_com() {
        let p = google("id", "secret");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("google", "Google"));
        assert_eq!(p.kind, OAuthKind::Oidc);
        assert_eq!(p.issuer.as_deref(), Some(ISSUER));
        assert_eq!(p.scopes, ["openid", "email", "profile"]);
    }
}
