//! The email provider (Auth.js's `Nodemailer`/`Email`): passwordless sign-in with a link sent
//! over SMTP. Enabled by `AUTH_EMAIL_SERVER` (`smtp://user:pass@host:587`, or `smtps://` for
//! implicit TLS; add `?tls=required` for STARTTLS) and `AUTH_EMAIL_FROM`.

use std::time::Duration;

use crate::protocol::secret::Secret;

/// Default lifetime of a sign-in link: 1 hour (Auth.js: 24 hours; a link is a credential that
/// sits in a mailbox, so it should not outlive the minutes it is needed for by a day).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// Limits on how many links may be requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLimits {
    /// Links per email address in one window.
    pub per_address: u32,
    /// Links per client IP in one window.
    pub per_ip: u32,
    /// The window.
    pub window: Duration,
}

impl Default for SendLimits {
    fn default() -> Self {
        Self {
            per_address: 5,
            per_ip: 20,
            window: Duration::from_secs(10 * 60),
        }
    }
}

/// The email provider's settings.
#[derive(Clone)]
pub struct EmailProvider {
    /// Provider id (`email`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The SMTP server URL (it may hold a password: a secret).
    pub server: Secret,
    /// The sender (`Name <address>`).
    pub from: String,
    /// How long a link is valid.
    pub max_age: Duration,
    /// Sending limits.
    pub limits: SendLimits,
}

impl std::fmt::Debug for EmailProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailProvider")
            .field("id", &self.id)
            .field("from", &self.from)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl EmailProvider {
    /// Sends links through `server` as `from`.
    pub fn new(server: impl Into<String>, from: impl Into<String>) -> Self {
        Self {
            id: "email".into(),
            name: "Email".into(),
            server: Secret::new(server.into()),
            from: from.into(),
            max_age: DEFAULT_MAX_AGE,
            limits: SendLimits::default(),
        }
    }

    /// How long links stay valid.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Sending limits.
    pub fn with_limits(mut self, limits: SendLimits) -> Self {
        self.limits = limits;
        self
    }
}
