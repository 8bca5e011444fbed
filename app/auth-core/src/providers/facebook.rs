//! Preset: Facebook Login, mirroring Auth.js's `@auth/core/providers/facebook`.
//!
//! Enabled by `AUTH_FACEBOOK_ID` (the app id) and `AUTH_FACEBOOK_SECRET`; register the callback
//! URL `<origin>/api/auth/callback/facebook` as a valid OAuth redirect URI (Facebook refuses
//! `localhost` for live apps; use a development app).
//!
//! Plain OAuth 2 against the Graph API. Its quirks: the token endpoint wants the client id and
//! secret in the form body (`client_secret_post`); `/me` returns only the fields asked for, so
//! the userinfo URL names them; and the avatar is nested (`picture.data.url`). Facebook omits
//! `email` when the account has none it can share (phone sign-ups) and does not say whether it was
//! verified, so it is never reported as verified.

use serde_json::Value;

use super::oauth::{string_field, ClientAuth, OAuthProvider, Profile};

const AUTHORIZATION_URL: &str = "https://www.facebook.com/v19.0/dialog/oauth";
const TOKEN_URL: &str = "https://graph.facebook.com/oauth/access_token";
const USERINFO_URL: &str = "https://graph.facebook.com/me?fields=id,name,email,picture";

/// The Facebook provider (`facebook`): scope `email`, client credentials in the token request
/// body.
pub fn facebook(client_id: impl Into<String>, client_secret: impl Into<String>) -> OAuthProvider {
    OAuthProvider::oauth(
        "facebook",
        "Facebook",
        client_id,
        client_secret,
        AUTHORIZATION_URL,
        TOKEN_URL,
        USERINFO_URL,
    )
    .with_scopes(&["email"])
    .with_client_auth(ClientAuth::Post)
    .with_profile(profile)
    .with_brand_color("#006aff")
}

/// Maps the Graph API's `/me?fields=id,name,email,picture`: `id` (a string of digits), `name`,
/// `email` (never marked verified) and `picture.data.url`.
pub fn profile(user: &Value) -> Option<Profile> {
    Some(Profile {
        id: string_field(user, "id")?,
        name: string_field(user, "name"),
        email: string_field(user, "email"),
        email_verified: false,
        image: user
            .pointer("/picture/data")
            .and_then(|data| string_field(data, "url")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::OAuthKind;
    use serde_json::json;

    /// A Graph API `/me?fields=id,name,email,picture` response (the `picture` edge's shape is the
    /// Graph API reference's `ProfilePictureSource`).
    fn jane() -> Value {
        json!({
            "id": "10158429183930452",
            "name": "Jane Doe",
            "email": "jane.doe@example.com",
            "picture": {
                "data": {
                    "height": 50,
                    "is_silhouette": false,
                    "url": "https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=10158429183930452&height=50&width=50&ext=1715000000&hash=AbYq",
                    "width": 50
                }
            }
        })
    }

    #[test]
    fn the_documented_user_maps_onto_a_profile() {
        assert_eq!(
            profile(&jane()),
            Some(Profile {
                id: "10158429183930452".into(),
                name: Some("Jane Doe".into()),
                email: Some("jane.doe@example.com".into()),
                email_verified: false,
                image: Some(
                    "https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=10158429183930452&height=50&width=50&ext=1715000000&hash=AbYq"
                        .into()
                ),
            })
        );
    }

    #[test]
    fn a_user_without_email_or_picture_still_maps() {
        let p = profile(&json!({"id": "10158429183930452", "name": "Jane Doe"})).unwrap();
        assert_eq!((p.email, p.image), (None, None));
        let odd = profile(&json!({"id": "1", "picture": "https://example.com/p.jpg"})).unwrap();
        assert_eq!(odd.image, None);
    }

    #[test]
    fn graph_errors_and_garbage_map_to_none() {
        let error = json!({
            "error": {
                "message": "Invalid OAuth access token - Cannot parse access token",
                "type": "OAuthException",
                "code": 190,
                "fbtrace_id": "AWswcVwbcqfgrSgjG80MtqJ"
            }
        });
        assert_eq!(profile(&error), None);
        assert_eq!(profile(&json!({})), None);
        assert_eq!(profile(&json!("")), None);
    }

    #[test]
    fn the_preset_posts_its_credentials() {
        let p = facebook("id", "secret");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("facebook", "Facebook"));
        assert_eq!(p.kind, OAuthKind::OAuth);
        assert_eq!(p.client_auth, ClientAuth::Post);
        assert_eq!(p.userinfo_url.as_deref(), Some(USERINFO_URL));
        assert_eq!(p.scopes, ["email"]);
    }
}
