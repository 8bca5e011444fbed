//! Preset: LinkedIn ("Sign In with LinkedIn using OpenID Connect"), mirroring Auth.js's
//! `@auth/core/providers/linkedin`.
//!
//! Enabled by `AUTH_LINKEDIN_ID` and `AUTH_LINKEDIN_SECRET`; add the "Sign In with LinkedIn using
//! OpenID Connect" product to the app and register the callback URL
//! `<origin>/api/auth/callback/linkedin`.
//!
//! OpenID Connect with issuer `https://www.linkedin.com/oauth` (LinkedIn moved it there from
//! `https://www.linkedin.com` in 2024) and the standard claims as profile; `email_verified` is a
//! boolean and `picture` a URL. LinkedIn's token endpoint only accepts the client credentials in
//! the form body (`client_secret_post`).

use super::oauth::{ClientAuth, OAuthProvider, Quirks};

const ISSUER: &str = "https://www.linkedin.com/oauth";

/// The LinkedIn provider (`linkedin`): OIDC, scopes `openid profile email`, client credentials in
/// the token request body.
pub fn linkedin(client_id: impl Into<String>, client_secret: impl Into<String>) -> OAuthProvider {
    OAuthProvider::oidc("linkedin", "LinkedIn", ISSUER, client_id, client_secret)
        .with_scopes(&["openid", "profile", "email"])
        .with_client_auth(ClientAuth::Post)
        .with_brand_color("#069")
        // LinkedIn's id_token has no `nonce` claim.
        .with_quirks(Quirks {
            no_nonce: true,
            ..Quirks::default()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::{OAuthKind, Profile};
    use serde_json::json;

    #[test]
    fn the_documented_id_token_claims_map_onto_a_profile() {
        // The id_token payload of LinkedIn's "Sign In with LinkedIn using OpenID Connect" docs.
        let claims = json!({
            "iss": "https://www.linkedin.com/oauth",
            "aud": "86a4bqd5mntqbc",
            "iat": 1693315284,
            "exp": 1693318884,
            "sub": "782bbtaQ",
            "name": "John Doe",
            "given_name": "John",
            "family_name": "Doe",
            "picture": "https://media.licdn-ei.com/dms/image/C5F03AQHqK8v7tB1HCQ/profile-displayphoto-shrink_100_100/0/",
            "email": "doe@email.com",
            "email_verified": true,
            "locale": "en-US"
        });
        let p = linkedin("id", "secret");
        assert_eq!(
            (p.profile)(&claims),
            Some(Profile {
                id: "782bbtaQ".into(),
                name: Some("John Doe".into()),
                email: Some("doe@email.com".into()),
                email_verified: true,
                image: Some(
                    "https://media.licdn-ei.com/dms/image/C5F03AQHqK8v7tB1HCQ/profile-displayphoto-shrink_100_100/0/"
                        .into()
                ),
            })
        );
    }

    #[test]
    fn claims_without_sub_map_to_none() {
        let p = linkedin("id", "secret");
        assert_eq!((p.profile)(&json!({"name": "John Doe"})), None);
        assert_eq!((p.profile)(&json!({})), None);
        assert_eq!((p.profile)(&json!(1.5)), None);
    }

    #[test]
    fn the_preset_is_oidc_with_client_secret_post() {
        let p = linkedin("id", "secret");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("linkedin", "LinkedIn"));
        assert_eq!(p.kind, OAuthKind::Oidc);
        assert_eq!(p.issuer.as_deref(), Some(ISSUER));
        assert_eq!(p.client_auth, ClientAuth::Post);
        assert_eq!(p.scopes, ["openid", "profile", "email"]);
    }
}
