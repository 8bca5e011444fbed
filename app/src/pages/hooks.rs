//! The starter's own callbacks and events: one of each in use, to copy from.
//!
//! - `sign_in`: refuses addresses of the domains in `STARTER_DENIED_EMAIL_DOMAINS`
//!   (the visitor sees `AccessDenied`).
//! - `jwt`: on sign-in puts the user's `role` in the token: the role in the database
//!   (`users.role`, set with `leptos-auth roles grant admin <email>`), else `admin` for a
//!   *verified* address listed in `STARTER_ADMIN_EMAILS` (a bootstrap for the first admin), else
//!   `user`. An address nobody proved (a password registration) never gets a role from the list.
//!   On `update` it takes a new display `name`.
//! - `session`: exposes `user.id` and `user.role` to the client.
//! - `authorized`: `/protected` and `/account` need a session, `/admin` the `admin` role.
//! - events: one structured log line each (user ids, never addresses, tokens or secrets).

use crate::auth::{
    ssr::{
        adapter::User, Account, Callbacks, Events, JwtParams, JwtTrigger, SessionParams,
        SignInDecision, SignInKind, SignInParams, Token,
    },
    Session,
};
use async_trait::async_trait;
use serde_json::Value;

/// The role of the admin page.
pub const ADMIN: &str = "admin";

/// The starter's callbacks.
#[derive(Clone, Debug, Default)]
pub struct StarterCallbacks {
    /// Addresses (lower case) that get the `admin` role once verified, unless the database
    /// gives the user a role.
    pub admin_emails: Vec<String>,
    /// Email domains (lower case, without `@`) that may not sign in.
    pub denied_domains: Vec<String>,
}

impl StarterCallbacks {
    /// Reads `STARTER_ADMIN_EMAILS` and `STARTER_DENIED_EMAIL_DOMAINS` (comma-separated)
    /// through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let list = |name: &str| -> Vec<String> {
            var(name)
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().trim_start_matches('@').to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Self {
            admin_emails: list("STARTER_ADMIN_EMAILS"),
            denied_domains: list("STARTER_DENIED_EMAIL_DOMAINS"),
        }
    }

    /// The user's role: the database's, else `admin` for a verified listed address, else
    /// `user`.
    fn role_of(&self, user: &User) -> String {
        if let Some(role) = &user.role {
            return role.clone();
        }
        let listed = user.email.as_deref().is_some_and(|email| {
            self.admin_emails
                .iter()
                .any(|admin| admin.eq_ignore_ascii_case(email))
        });
        if listed && user.email_is_verified() {
            ADMIN.to_owned()
        } else {
            "user".to_owned()
        }
    }
}

#[async_trait]
impl Callbacks for StarterCallbacks {
    async fn sign_in(&self, params: SignInParams<'_>) -> SignInDecision {
        let domain = params
            .user
            .email()
            .and_then(|email| email.rsplit_once('@'))
            .map(|(_, domain)| domain.to_ascii_lowercase());
        match domain {
            Some(domain) if self.denied_domains.contains(&domain) => SignInDecision::Deny,
            _ => SignInDecision::Allow,
        }
    }

    async fn jwt(&self, params: JwtParams<'_>) -> Option<Token> {
        let mut token = params.token;
        match params.trigger {
            Some(JwtTrigger::SignIn | JwtTrigger::SignUp) => {
                let role = params
                    .user
                    .map_or_else(|| "user".to_owned(), |u| self.role_of(u));
                token.extra.insert("role".into(), role.into());
            }
            Some(JwtTrigger::Update) => {
                // Only what the app lets a user change: a display name of sane length.
                let name = params
                    .session
                    .and_then(|data| data.get("name"))
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|name| !name.is_empty() && name.chars().count() <= 80);
                if let Some(name) = name {
                    token.name = Some(name.to_owned());
                }
            }
            None => {}
        }
        Some(token)
    }

    async fn session(&self, params: SessionParams<'_>) -> Session {
        let mut session = params.session;
        let (id, role) = match (params.token, params.user) {
            (Some(token), _) => (
                token.sub.clone(),
                token
                    .extra
                    .get("role")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            ),
            // Database sessions: the role follows the user row on every read.
            (None, Some(user)) => (Some(user.id.to_string()), Some(self.role_of(user))),
            (None, None) => (None, None),
        };
        session.user.id = id;
        if let Some(role) = role {
            session.user.extra.insert("role".into(), role.into());
        }
        session
    }

    fn authorized(&self, session: Option<&Session>, path: &str) -> bool {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under("/admin") {
            return session
                .is_some_and(|s| s.user.extra.get("role").and_then(Value::as_str) == Some(ADMIN));
        }
        if under("/protected") || under("/account") {
            return session.is_some();
        }
        true
    }
}

/// The starter's events: a log line each.
#[derive(Clone, Copy, Debug, Default)]
pub struct StarterEvents;

#[async_trait]
impl Events for StarterEvents {
    async fn sign_in(&self, user: &User, account: Option<&Account>, kind: SignInKind) {
        tracing::info!(
            user.id = user.id,
            provider = account.map(|a| a.provider.as_str()),
            new_user = kind.is_new_user(),
            "event: signed in"
        );
    }

    async fn sign_out(&self, token: Option<&Token>, user_id: Option<i32>) {
        let user = user_id
            .map(|id| id.to_string())
            .or_else(|| token.and_then(|t| t.sub.clone()));
        tracing::info!(user.id = user, "event: signed out");
    }

    async fn create_user(&self, user: &User) {
        tracing::info!(user.id = user.id, "event: user created");
    }

    async fn update_user(&self, user: &User) {
        tracing::info!(user.id = user.id, "event: user updated");
    }

    async fn link_account(&self, user: &User, account: &Account) {
        tracing::info!(
            user.id = user.id,
            provider = account.provider,
            "event: account linked"
        );
    }

    async fn session(&self, _session: &Session) {
        // Runs on every session read (the hot path): keep it cheap. Trace level only.
        tracing::trace!("event: session read");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn callbacks() -> StarterCallbacks {
        let vars: HashMap<&str, &str> = HashMap::from([
            ("STARTER_ADMIN_EMAILS", " Admin@Example.com ,"),
            ("STARTER_DENIED_EMAIL_DOMAINS", "@blocked.example"),
        ]);
        StarterCallbacks::from_vars(|name| vars.get(name).map(|v| (*v).to_owned()))
    }

    fn session_with_role(role: Option<&str>) -> Session {
        let mut session = Session {
            user: crate::auth::User::default(),
            expires: String::new(),
            extra: serde_json::Map::new(),
        };
        if let Some(role) = role {
            session.user.extra.insert("role".into(), role.into());
        }
        session
    }

    fn user(email: Option<&str>, verified: bool, role: Option<&str>) -> User {
        User {
            id: 1,
            name: None,
            email: email.map(str::to_owned),
            email_verified: verified.then(time::OffsetDateTime::now_utc),
            image: None,
            role: role.map(str::to_owned),
        }
    }

    #[test]
    fn reads_its_lists_from_the_environment() {
        let c = callbacks();
        assert_eq!(c.admin_emails, ["admin@example.com"]);
        assert_eq!(c.denied_domains, ["blocked.example"]);
    }

    #[test]
    fn roles_come_from_the_database_or_a_verified_listed_address() {
        let c = callbacks();
        assert_eq!(
            c.role_of(&user(Some("ADMIN@example.com"), true, None)),
            ADMIN
        );
        assert_eq!(
            c.role_of(&user(Some("admin@example.com"), false, None)),
            "user",
            "an unproven address gets nothing from the list"
        );
        assert_eq!(
            c.role_of(&user(Some("ada@example.com"), true, None)),
            "user"
        );
        assert_eq!(c.role_of(&user(None, false, None)), "user");
        assert_eq!(
            c.role_of(&user(Some("ada@example.com"), false, Some("admin"))),
            ADMIN,
            "the database decides"
        );
        assert_eq!(
            c.role_of(&user(Some("admin@example.com"), true, Some("editor"))),
            "editor"
        );
    }

    #[test]
    fn authorized_guards_the_starter_pages() {
        let c = callbacks();
        let admin = session_with_role(Some(ADMIN));
        let user = session_with_role(Some("user"));
        assert!(c.authorized(None, "/"));
        assert!(c.authorized(None, "/api/auth/signin"));
        assert!(
            c.authorized(None, "/administrator"),
            "a prefix is not a folder"
        );
        assert!(!c.authorized(None, "/protected"));
        assert!(!c.authorized(None, "/account/x"));
        assert!(c.authorized(Some(&user), "/account"));
        assert!(!c.authorized(Some(&user), "/admin"));
        assert!(!c.authorized(None, "/admin"));
        assert!(c.authorized(Some(&admin), "/admin"));
    }
}
