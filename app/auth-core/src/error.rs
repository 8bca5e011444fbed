//! The errors of the auth core, and the one place they become Auth.js error codes.
//!
//! Auth.js shows browsers only a code (`?error=CredentialsSignin`) and logs the rest; so do we.
//! [`AuthError::code`] is the only mapping from an internal failure to what a client may see:
//! anything that is not known to be safe to tell surfaces as `Configuration`.

use crate::protocol::wire::AuthErrorCode;

use crate::protocol::password::HashError;

use crate::adapter::AdapterError;

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

/// A provider or the network failed (HTTP, OAuth, OIDC, SMTP). The text is for logs only: it
/// may describe the provider's answer, never a token or secret.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached, or was too slow.
    #[error("provider unreachable: {0}")]
    Unreachable(String),
    /// OIDC discovery failed or returned an unusable document.
    #[error("discovery failed: {0}")]
    Discovery(String),
    /// The token endpoint refused the request (or answered an error with HTTP 200).
    #[error("token request failed: {0}")]
    Token(String),
    /// The id_token did not verify (signature, issuer, audience, expiry, nonce).
    #[error("id_token rejected: {0}")]
    IdToken(String),
    /// The profile could not be fetched or had no usable id.
    #[error("profile unusable: {0}")]
    Profile(String),
    /// The provider configuration is incomplete (a missing endpoint, say).
    #[error("provider misconfigured: {0}")]
    Misconfigured(String),
    /// Sending mail failed.
    #[error("mail not sent: {0}")]
    Smtp(String),
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
    /// Every password-hashing slot stayed busy for the whole wait: the server is under a
    /// burst of sign-ins, and this one is refused rather than queued.
    #[error("password hashing is busy")]
    Busy,
    /// Starting an OAuth sign-in failed (discovery, a misconfigured provider).
    #[error("OAuth sign-in could not start: {0}")]
    OAuthSignin(ProviderError),
    /// The OAuth callback failed at the provider (code exchange, id_token, profile).
    #[error("OAuth callback failed: {0}")]
    OAuthCallback(ProviderError),
    /// A state, PKCE or nonce check failed (missing, expired, tampered or replayed).
    #[error("OAuth check failed: {0}")]
    Checks(&'static str),
    /// The provider says the user refused (`error=access_denied`).
    #[error("the user or the provider denied access")]
    ProviderDenied,
    /// The provider account belongs to another user, or its email to a user who has not
    /// linked it.
    #[error("account not linked")]
    AccountNotLinked,
    /// The operation needs a signed-in user.
    #[error("no session")]
    SessionRequired,
    /// Unlinking would leave the user without a way to sign in.
    #[error("the last way to sign in cannot be removed")]
    LastSignInMethod,
    /// A provider access token could not be refreshed.
    #[error("token refresh failed: {0}")]
    RefreshFailed(ProviderError),
    /// The address asked for a sign-in link is not a valid email address.
    #[error("invalid email address")]
    InvalidEmail,
    /// Too many sign-in links were asked for (per address or per client IP).
    #[error("too many sign-in emails")]
    EmailRateLimited,
    /// The sign-in email could not be sent.
    #[error("sign-in email not sent: {0}")]
    Email(ProviderError),
    /// A sign-in link is expired, used, altered, or for another address.
    #[error("verification failed: {0}")]
    Verification(&'static str),
    /// The second step of a sign-in (or of turning the second factor on or off) failed: a
    /// wrong or replayed code, too many attempts, or the pending step expired.
    #[error("second factor refused: {0}")]
    SecondFactor(&'static str),
    /// A passkey ceremony failed: its challenge is missing, expired, used or from another
    /// browser; the credential is unknown or another user's; the signature, origin, relying
    /// party or counter did not verify; or the requested action is not allowed.
    #[error("passkey refused: {0}")]
    Passkey(&'static str),
}

impl From<HashError> for AuthError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => AuthError::Busy,
            HashError::Task => AuthError::Task,
        }
    }
}

impl AuthError {
    /// The Auth.js code a client may see for this error.
    pub fn code(&self) -> AuthErrorCode {
        match self {
            Self::Csrf(_) => AuthErrorCode::MissingCsrf,
            Self::Credentials(_) | Self::Busy | Self::SecondFactor(_) => {
                AuthErrorCode::CredentialsSignin
            }
            Self::AccessDenied => AuthErrorCode::AccessDenied,
            Self::UnknownProvider => AuthErrorCode::Default,
            Self::Adapter(e) if e.is_unavailable() => AuthErrorCode::Unavailable,
            Self::Adapter(_) | Self::NotMounted(_) | Self::Configuration(_) | Self::Task => {
                AuthErrorCode::Configuration
            }
            Self::OAuthSignin(_) => AuthErrorCode::OAuthSignin,
            Self::OAuthCallback(_) | Self::Checks(_) => AuthErrorCode::OAuthCallbackError,
            Self::ProviderDenied => AuthErrorCode::AccessDenied,
            Self::AccountNotLinked => AuthErrorCode::OAuthAccountNotLinked,
            Self::SessionRequired => AuthErrorCode::SessionRequired,
            Self::LastSignInMethod | Self::RefreshFailed(_) => AuthErrorCode::Default,
            Self::InvalidEmail | Self::EmailRateLimited | Self::Email(_) => {
                AuthErrorCode::EmailSignin
            }
            Self::Verification(_) => AuthErrorCode::Verification,
            Self::Passkey(_) => AuthErrorCode::WebAuthnVerificationError,
        }
    }

    /// The `code` query parameter Auth.js v5 adds to some errors (`credentials`).
    pub fn detail_code(&self) -> Option<&'static str> {
        match self {
            Self::Credentials("rate_limited")
            | Self::EmailRateLimited
            | Self::SecondFactor("rate_limited") => Some("rate_limited"),
            Self::SecondFactor("expired") => Some("second_factor_expired"),
            Self::SecondFactor(_) => Some("second_factor"),
            Self::Busy => Some("busy"),
            Self::Credentials(_) => Some("credentials"),
            Self::InvalidEmail => Some("invalid_email"),
            _ => None,
        }
    }

    /// Which built-in page shows this error: Auth.js sends sign-in errors back to the sign-in
    /// page (so the user can try again) and the rest to the error page.
    pub fn page(&self) -> ErrorPage {
        match self {
            Self::Csrf(_)
            | Self::Credentials(_)
            | Self::Busy
            | Self::OAuthSignin(_)
            | Self::OAuthCallback(_)
            | Self::Checks(_)
            | Self::AccountNotLinked
            | Self::SessionRequired
            | Self::UnknownProvider
            | Self::InvalidEmail
            | Self::EmailRateLimited
            | Self::Email(_)
            | Self::Passkey(_)
            | Self::SecondFactor("expired") => ErrorPage::SignIn,
            // Another try on the same page, while the pending step lasts.
            Self::SecondFactor(_) => ErrorPage::TwoFactor,
            _ => ErrorPage::Error,
        }
    }

    /// Logs the error once, at the level its cause deserves (see STYLE.md section 8).
    pub fn log(&self) {
        match self {
            Self::Csrf(reason) => tracing::warn!(reason, "CSRF check failed"),
            Self::Credentials(reason) => tracing::debug!(reason, "credentials rejected"),
            Self::Busy => tracing::warn!("password hashing busy: sign-in refused"),
            Self::AccessDenied
            | Self::UnknownProvider
            | Self::ProviderDenied
            | Self::AccountNotLinked
            | Self::SessionRequired
            | Self::LastSignInMethod
            | Self::InvalidEmail => tracing::debug!(error = %self, "sign-in refused"),
            Self::Checks(reason) => tracing::warn!(reason, "OAuth check failed"),
            Self::Verification(reason) => tracing::warn!(reason, "email link refused"),
            Self::SecondFactor(reason) => tracing::warn!(reason, "second factor refused"),
            Self::Passkey(reason) => tracing::warn!(reason, "passkey refused"),
            Self::EmailRateLimited => tracing::warn!("sign-in email rate limit reached"),
            Self::OAuthSignin(_) | Self::OAuthCallback(_) | Self::RefreshFailed(_) => {
                tracing::warn!(error = %Logged(self), "OAuth provider error")
            }
            Self::Email(_) => tracing::error!(error = %Logged(self), "email provider error"),
            Self::Adapter(e) if e.is_unavailable() => {
                tracing::warn!(error = %Logged(self), "database unavailable")
            }
            Self::Adapter(_) | Self::NotMounted(_) | Self::Configuration(_) | Self::Task => {
                tracing::error!(error = %Logged(self), "auth error")
            }
        }
    }
}

/// A value from outside (a provider's `error`, a token endpoint's message) made safe to log:
/// control characters (newlines that would forge a log line, ANSI escapes) become `\u{..}`
/// escapes and it is cut at `max_chars`.
pub fn log_safe(value: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(value.len().min(max_chars));
    for (i, c) in value.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        if c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}')
        {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`log_safe`], and every email address in the text (a token with an `@` in it, as an SMTP
/// server's "550 <ada@example.com>: no such user" has) replaced by `[address]`: logs name users
/// by id, never by address.
pub fn log_safe_redacted(value: &str, max_chars: usize) -> String {
    let redacted = value
        .split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if trimmed.contains('@') {
                let tail = &word[trimmed.len()..];
                format!("[address]{tail}")
            } else {
                word.to_owned()
            }
        })
        .collect::<String>();
    log_safe(&redacted, max_chars)
}

/// An error's text as logs may hold it (see [`log_safe_redacted`]).
struct Logged<'a>(&'a AuthError);

impl std::fmt::Display for Logged<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&log_safe_redacted(&self.0.to_string(), 512))
    }
}

/// Where an error is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorPage {
    /// `pages.sign_in` (default `/api/auth/signin`).
    SignIn,
    /// `pages.error` (default `/api/auth/error`).
    Error,
    /// `pages.two_factor` (default `/api/auth/two-factor`): the second step, tried again.
    TwoFactor,
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
        assert_eq!(AuthError::AccessDenied.page(), ErrorPage::Error);
        assert_eq!(
            AuthError::ProviderDenied.code(),
            AuthErrorCode::AccessDenied
        );
        assert_eq!(
            AuthError::Checks("state").code(),
            AuthErrorCode::OAuthCallbackError
        );
        assert_eq!(AuthError::Task.page(), ErrorPage::Error);
    }

    #[test]
    fn outside_values_cannot_forge_log_lines() {
        let logged = log_safe("bad\n2026-12-01 INFO admin signed in\u{1b}[31m", 200);
        assert!(
            !logged.contains('\n') && !logged.contains('\u{1b}'),
            "{logged}"
        );
        assert!(logged.starts_with("bad\\u{a}2026"), "{logged}");
        assert_eq!(log_safe("abcdef", 3), "abc…");
        assert_eq!(log_safe("access_denied", 64), "access_denied");
    }

    #[test]
    fn logged_errors_name_no_address() {
        let error = AuthError::Email(ProviderError::Smtp(
            "permanent error (550): 5.1.1 <ada@example.com>: Recipient address rejected".into(),
        ));
        let logged = Logged(&error).to_string();
        assert!(!logged.contains("ada@example.com"), "{logged}");
        assert!(logged.contains("[address] Recipient"), "{logged}");
        assert_eq!(log_safe_redacted("no address here", 100), "no address here");
    }
}
