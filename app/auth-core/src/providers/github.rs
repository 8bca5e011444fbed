//! Preset: GitHub, mirroring Auth.js's `@auth/core/providers/github` (an OAuth app or a GitHub
//! App's user authorization).
//!
//! Enabled by `AUTH_GITHUB_ID` and `AUTH_GITHUB_SECRET`; register the callback URL
//! `<origin>/api/auth/callback/github`.
//!
//! GitHub is plain OAuth 2: the profile is `GET https://api.github.com/user`. Two quirks, both
//! handled by the flow and switched on here: `/user` carries only the *public* email, so with
//! [`Quirks::github_emails`] the flow asks `GET /user/emails` (scope `user:email`) for the primary
//! verified address when the profile has none; and GitHub's token endpoint reports errors with
//! HTTP 200 and an `error` field. The numeric `id` becomes the account id, as in Auth.js.

use serde_json::Value;

use super::oauth::{string_field, OAuthProvider, Profile, Quirks};

/// The authorization endpoint.
const AUTHORIZATION_URL: &str = "https://github.com/login/oauth/authorize";
/// The token endpoint.
const TOKEN_URL: &str = "https://github.com/login/oauth/access_token";
/// The profile endpoint (`GET /user`).
const USERINFO_URL: &str = "https://api.github.com/user";

/// The GitHub provider (`github`): scopes `read:user user:email`, the emails-endpoint quirk on.
pub fn github(client_id: impl Into<String>, client_secret: impl Into<String>) -> OAuthProvider {
    OAuthProvider::oauth(
        "github",
        "GitHub",
        client_id,
        client_secret,
        AUTHORIZATION_URL,
        TOKEN_URL,
        USERINFO_URL,
    )
    .with_scopes(&["read:user", "user:email"])
    .with_profile(profile)
    .with_brand_color("#24292f")
    .with_quirks(Quirks {
        github_emails: true,
        ..Quirks::default()
    })
}

/// Maps GitHub's `GET /user` response: `id` (a number) as the account id, `name` or else `login`,
/// the public `email` (`None` when hidden: the flow then asks `/user/emails`) and `avatar_url`.
///
/// The email is not reported as verified: `/user` says nothing about verification (only
/// `/user/emails` does, and the flow uses it only for a verified primary address).
pub fn profile(user: &Value) -> Option<Profile> {
    Some(Profile {
        id: string_field(user, "id")?,
        name: string_field(user, "name").or_else(|| string_field(user, "login")),
        email: string_field(user, "email"),
        email_verified: false,
        image: string_field(user, "avatar_url"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::OAuthKind;
    use serde_json::json;

    /// The example of GitHub's REST docs for `GET /user` (authenticated user, trimmed).
    fn octocat() -> Value {
        json!({
            "login": "octocat",
            "id": 1,
            "node_id": "MDQ6VXNlcjE=",
            "avatar_url": "https://github.com/images/error/octocat_happy.gif",
            "gravatar_id": "",
            "url": "https://api.github.com/users/octocat",
            "html_url": "https://github.com/octocat",
            "type": "User",
            "site_admin": false,
            "name": "monalisa octocat",
            "company": "GitHub",
            "blog": "https://github.com/blog",
            "location": "San Francisco",
            "email": "octocat@github.com",
            "hireable": false,
            "bio": "There once was...",
            "twitter_username": "monatheoctocat",
            "public_repos": 2,
            "followers": 20,
            "following": 0,
            "created_at": "2008-01-14T04:33:35Z",
            "updated_at": "2008-01-14T04:33:35Z",
            "two_factor_authentication": true
        })
    }

    #[test]
    fn the_documented_user_maps_onto_a_profile() {
        let p = profile(&octocat()).unwrap();
        assert_eq!(
            p,
            Profile {
                id: "1".into(),
                name: Some("monalisa octocat".into()),
                email: Some("octocat@github.com".into()),
                email_verified: false,
                image: Some("https://github.com/images/error/octocat_happy.gif".into()),
            }
        );
    }

    #[test]
    fn a_user_without_name_or_public_email_falls_back_to_login() {
        let mut user = octocat();
        user["name"] = Value::Null;
        user["email"] = Value::Null;
        user["id"] = json!(583231);
        let p = profile(&user).unwrap();
        assert_eq!(p.id, "583231");
        assert_eq!(p.name.as_deref(), Some("octocat"));
        assert_eq!(p.email, None, "the flow fills it from /user/emails");
    }

    #[test]
    fn errors_and_garbage_map_to_none() {
        let bad_credentials = json!({
            "message": "Bad credentials",
            "documentation_url": "https://docs.github.com/rest"
        });
        assert_eq!(profile(&bad_credentials), None);
        assert_eq!(profile(&json!({})), None);
        assert_eq!(profile(&json!(null)), None);
        assert_eq!(profile(&json!([1, 2])), None);
        assert_eq!(profile(&json!({"id": {"nested": 1}})), None);
    }

    #[test]
    fn the_preset_is_plain_oauth_with_the_emails_quirk() {
        let p = github("id", "secret");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("github", "GitHub"));
        assert_eq!(p.kind, OAuthKind::OAuth);
        assert_eq!(p.authorization_url.as_deref(), Some(AUTHORIZATION_URL));
        assert_eq!(p.token_url.as_deref(), Some(TOKEN_URL));
        assert_eq!(p.userinfo_url.as_deref(), Some(USERINFO_URL));
        assert_eq!(p.scopes, ["read:user", "user:email"]);
        assert!(p.quirks.github_emails);
        assert_eq!((p.profile)(&octocat()).map(|p| p.id), Some("1".into()));
    }
}
