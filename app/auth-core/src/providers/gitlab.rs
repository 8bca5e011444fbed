//! Preset: GitLab, mirroring Auth.js's `@auth/core/providers/gitlab`, for gitlab.com or a
//! self-managed instance.
//!
//! Enabled by `AUTH_GITLAB_ID` and `AUTH_GITLAB_SECRET`; `AUTH_GITLAB_ISSUER` optionally names a
//! self-managed instance's base URL (default `https://gitlab.com`). Register the callback URL
//! `<origin>/api/auth/callback/gitlab`.
//!
//! Like Auth.js this is plain OAuth 2 with scope `read_user` and the profile from
//! `GET /api/v4/user` (GitLab's OIDC needs the `openid` scope, which not every instance grants).
//! GitLab's ids are numbers; `confirmed_at` tells whether the primary email was confirmed.

use serde_json::Value;

use super::oauth::{string_field, OAuthProvider, Profile};

const GITLAB_COM: &str = "https://gitlab.com";

/// The GitLab provider (`gitlab`): scope `read_user`, on `base_url` (default
/// `https://gitlab.com`; a self-managed instance's URL, with its path if it has one).
pub fn gitlab(
    client_id: impl Into<String>,
    client_secret: impl Into<String>,
    base_url: Option<String>,
) -> OAuthProvider {
    let base = base_url
        .as_deref()
        .unwrap_or(GITLAB_COM)
        .trim_end_matches('/');
    OAuthProvider::oauth(
        "gitlab",
        "GitLab",
        client_id,
        client_secret,
        format!("{base}/oauth/authorize"),
        format!("{base}/oauth/token"),
        format!("{base}/api/v4/user"),
    )
    .with_scopes(&["read_user"])
    .with_profile(profile)
    .with_brand_color("#fc6d26")
}

/// Maps GitLab's `GET /api/v4/user` response: `id` (a number), `name` or else `username`,
/// `email` (verified when `confirmed_at` is set) and `avatar_url`.
pub fn profile(user: &Value) -> Option<Profile> {
    let email = string_field(user, "email");
    Some(Profile {
        id: string_field(user, "id")?,
        name: string_field(user, "name").or_else(|| string_field(user, "username")),
        email_verified: email.is_some() && string_field(user, "confirmed_at").is_some(),
        email,
        image: string_field(user, "avatar_url"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::OAuthKind;
    use serde_json::json;

    /// The example of GitLab's Users API docs for the authenticated user (trimmed).
    fn john() -> Value {
        json!({
            "id": 1,
            "username": "john_smith",
            "email": "john@example.com",
            "name": "John Smith",
            "state": "active",
            "locked": false,
            "avatar_url": "http://localhost:3000/uploads/user/avatar/1/index.jpg",
            "web_url": "http://localhost:3000/john_smith",
            "created_at": "2012-05-23T08:00:58Z",
            "bio": "",
            "public_email": "john@example.com",
            "confirmed_at": "2012-05-23T09:05:22Z",
            "last_sign_in_at": "2012-06-01T11:41:01Z",
            "theme_id": 1,
            "color_scheme_id": 2,
            "projects_limit": 100,
            "two_factor_enabled": true,
            "external": false,
            "private_profile": false
        })
    }

    #[test]
    fn the_documented_user_maps_onto_a_profile() {
        assert_eq!(
            profile(&john()),
            Some(Profile {
                id: "1".into(),
                name: Some("John Smith".into()),
                email: Some("john@example.com".into()),
                email_verified: true,
                image: Some("http://localhost:3000/uploads/user/avatar/1/index.jpg".into()),
            })
        );
    }

    #[test]
    fn unconfirmed_users_are_not_verified_and_fall_back_to_username() {
        let mut user = john();
        user["confirmed_at"] = Value::Null;
        user["name"] = json!("");
        let p = profile(&user).unwrap();
        assert!(!p.email_verified);
        assert_eq!(p.name.as_deref(), Some("john_smith"));
    }

    #[test]
    fn errors_and_garbage_map_to_none() {
        assert_eq!(profile(&json!({"message": "401 Unauthorized"})), None);
        assert_eq!(profile(&json!({})), None);
        assert_eq!(profile(&json!(42)), None);
    }

    #[test]
    fn the_preset_defaults_to_gitlab_com_and_takes_a_self_managed_base() {
        let p = gitlab("id", "secret", None);
        assert_eq!((p.id.as_str(), p.name.as_str()), ("gitlab", "GitLab"));
        assert_eq!(p.kind, OAuthKind::OAuth);
        assert_eq!(
            p.authorization_url.as_deref(),
            Some("https://gitlab.com/oauth/authorize")
        );
        assert_eq!(
            p.token_url.as_deref(),
            Some("https://gitlab.com/oauth/token")
        );
        assert_eq!(
            p.userinfo_url.as_deref(),
            Some("https://gitlab.com/api/v4/user")
        );
        assert_eq!(p.scopes, ["read_user"]);

        let p = gitlab(
            "id",
            "secret",
            Some("https://git.example.com/gitlab/".into()),
        );
        assert_eq!(
            p.userinfo_url.as_deref(),
            Some("https://git.example.com/gitlab/api/v4/user")
        );
    }
}
