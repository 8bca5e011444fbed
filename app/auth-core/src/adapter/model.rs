//! The adapter's public model: what it returns to the layers above, never its rows.
//!
//! [`User`] and [`Account`] are Auth.js's `AdapterUser` and `Account`. An account carries the
//! provider's tokens, so its `Debug` says which tokens are there and never what they are.

use time::OffsetDateTime;

/// A user (a row of `users`), as every layer above the adapter sees it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    /// Primary key (Auth.js `SERIAL`).
    pub id: i32,
    /// Display name.
    pub name: Option<String>,
    /// Email address (unique).
    pub email: Option<String>,
    /// When the email address was verified.
    #[sqlx(rename = "emailVerified")]
    pub email_verified: Option<OffsetDateTime>,
    /// Avatar URL.
    pub image: Option<String>,
    /// The user's role (`users.role`), set by an operator (`leptos-auth roles grant`); `None`
    /// is the default role. Never derived from an address.
    pub role: Option<String>,
}

impl User {
    /// Whether the user's address was proven (an email link followed, or a provider that says
    /// it verified the address).
    pub fn email_is_verified(&self) -> bool {
        self.email_verified.is_some()
    }
}

/// The fields of a user to create.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    /// Display name.
    pub name: Option<String>,
    /// Email address; stored lower-cased by the callers that take it from users.
    pub email: Option<String>,
    /// When the address was verified.
    pub email_verified: Option<OffsetDateTime>,
    /// Avatar URL.
    pub image: Option<String>,
}

/// The provider account a sign-in came through (Auth.js's `account`); also what gets stored in
/// `accounts` when an OAuth account is linked.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Provider id (`credentials`, `github`, ...).
    pub provider: String,
    /// `credentials`, `oauth`, `oidc` or `email`.
    pub kind: String,
    /// The user's id at the provider.
    pub provider_account_id: String,
    /// OAuth access token (a secret).
    pub access_token: Option<String>,
    /// OAuth refresh token (a secret).
    pub refresh_token: Option<String>,
    /// Access token expiry (Unix seconds).
    pub expires_at: Option<i64>,
    /// OIDC id token (a secret).
    pub id_token: Option<String>,
    /// Granted scopes.
    pub scope: Option<String>,
    /// Token type (`bearer`).
    pub token_type: Option<String>,
    /// OIDC session state.
    pub session_state: Option<String>,
}

/// Shows that a secret is there without showing it.
fn redacted(secret: Option<&String>) -> Option<&'static str> {
    secret.map(|_| "[redacted]")
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("provider", &self.provider)
            .field("kind", &self.kind)
            .field("provider_account_id", &self.provider_account_id)
            .field("access_token", &redacted(self.access_token.as_ref()))
            .field("refresh_token", &redacted(self.refresh_token.as_ref()))
            .field("expires_at", &self.expires_at)
            .field("id_token", &redacted(self.id_token.as_ref()))
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .field("session_state", &self.session_state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accounts_debug_names_its_tokens_but_never_shows_them() {
        let account = Account {
            provider: "github".into(),
            kind: "oauth".into(),
            provider_account_id: "42".into(),
            access_token: Some("gho_access-secret".into()),
            refresh_token: Some("ghr_refresh-secret".into()),
            id_token: Some("eyJ.id-secret".into()),
            scope: Some("read:user".into()),
            ..Account::default()
        };
        let shown = format!("{account:?}");
        for secret in ["access-secret", "refresh-secret", "id-secret"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        assert!(
            shown.contains("github") && shown.contains("read:user"),
            "{shown}"
        );
        assert_eq!(shown.matches("[redacted]").count(), 3, "{shown}");
        let empty = format!("{:?}", Account::default());
        assert!(
            !empty.contains("[redacted]"),
            "an absent token is None: {empty}"
        );
    }
}
