//! The errors of the auth core, and the one place they become Auth.js error codes.
//!
//! Auth.js shows browsers only a code (`?error=CredentialsSignin`) and logs the rest; so do we.
//! [`AuthError::code`] is the only mapping from an internal failure to what a client may see:
//! anything that is not known to be safe to tell surfaces as `Configuration`.

use crate::auth::types::AuthErrorCode;

use super::adapter::AdapterError;

/// Start-up configuration errors: each names the variable or option at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No `AUTH_SECRET` in a release build.
    #[error("MissingSecret: AUTH_SECRET is not set. Generate one with `openssl rand -base64 33` and set AUTH_SECRET (release builds refuse to start without it)")]
    MissingSecret,
    /// A variable is set to something unusable.
    #[error("{variable} is invalid: {reason}")]
    Invalid {
        /// The environment variable or option name.
        variable: &'static str,
        /// What is wrong with it (never its value when it is a secret).
        reason: String,
    },
}

/// A failure inside an auth operation.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The CSRF token was missing or wrong, or the request came from a foreign origin.
    #[error("CSRF check failed: {0}")]
    Csrf(&'static str),
    /// Wrong email or password, unknown user, or too many attempts.
    #[error("credentials rejected: {0}")]
    Credentials(&'static str),
    /// The `sign_in` callback refused the user.
    #[error("access denied by the sign_in callback")]
    AccessDenied,
    /// A provider id that is not configured.
    #[error("unknown provider")]
    UnknownProvider,
    /// The database failed.
    #[error(transparent)]
    Adapter(#[from] AdapterError),
    /// The auth layer is not mounted: `Auth` or the request is missing from the context.
    #[error("auth is not mounted: {0} is missing from the context")]
    NotMounted(&'static str),
    /// A misconfiguration noticed while serving (for example an unusable redirect URL).
    #[error("configuration: {0}")]
    Configuration(String),
    /// A blocking task (password hashing) failed to run.
    #[error("background task failed")]
    Task,
}

impl AuthError {
    /// The Auth.js code a client may see for this error.
    pub fn code(&self) -> AuthErrorCode {
        match self {
            Self::Csrf(_) => AuthErrorCode::MissingCsrf,
            Self::Credentials(_) => AuthErrorCode::CredentialsSignin,
            Self::AccessDenied => AuthErrorCode::AccessDenied,
            Self::UnknownProvider => AuthErrorCode::Configuration,
            Self::Adapter(_) | Self::NotMounted(_) | Self::Configuration(_) | Self::Task => {
                AuthErrorCode::Configuration
            }
        }
    }

    /// The `code` query parameter Auth.js v5 adds to some errors (`credentials`).
    pub fn detail_code(&self) -> Option<&'static str> {
        match self {
            Self::Credentials("rate_limited") => Some("rate_limited"),
            Self::Credentials(_) => Some("credentials"),
            _ => None,
        }
    }

    /// Which built-in page shows this error: Auth.js sends sign-in errors back to the sign-in
    /// page (so the user can try again) and the rest to the error page.
    pub fn page(&self) -> ErrorPage {
        match self {
            Self::Csrf(_) | Self::Credentials(_) | Self::AccessDenied => ErrorPage::SignIn,
            _ => ErrorPage::Error,
        }
    }

    /// Logs the error once, at the level its cause deserves (see STYLE.md section 8).
    pub fn log(&self) {
        match self {
            Self::Csrf(reason) => tracing::warn!(reason, "CSRF check failed"),
            Self::Credentials(reason) => tracing::debug!(reason, "credentials rejected"),
            Self::AccessDenied | Self::UnknownProvider => {
                tracing::debug!(error = %self, "sign-in refused")
            }
            Self::Adapter(_) | Self::NotMounted(_) | Self::Configuration(_) | Self::Task => {
                tracing::error!(error = %self, "auth error")
            }
        }
    }
}

/// Where an error is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorPage {
    /// `pages.sign_in` (default `/api/auth/signin`).
    SignIn,
    /// `pages.error` (default `/api/auth/error`).
    Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_client_safe_errors_keep_their_code() {
        assert_eq!(
            AuthError::Csrf("missing").code(),
            AuthErrorCode::MissingCsrf
        );
        assert_eq!(
            AuthError::Credentials("wrong").code(),
            AuthErrorCode::CredentialsSignin
        );
        assert_eq!(
            AuthError::Credentials("wrong").detail_code(),
            Some("credentials")
        );
        assert_eq!(AuthError::Task.code(), AuthErrorCode::Configuration);
        assert_eq!(
            AuthError::NotMounted("Auth").code(),
            AuthErrorCode::Configuration
        );
        assert_eq!(AuthError::Csrf("x").page(), ErrorPage::SignIn);
        assert_eq!(AuthError::Task.page(), ErrorPage::Error);
    }
}
