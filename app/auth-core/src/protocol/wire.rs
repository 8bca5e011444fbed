//! The shapes that cross the wire, shared by the server and the browser.
//!
//! Field names are Auth.js's (`csrfToken`, `callbackUrl`, `signinUrl`), so that the JSON this app
//! sends is what `next-auth/react` expects and what an Auth.js server would have sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The session as `GET /api/auth/session` returns it: `{"user":{..},"expires":"ISO-8601"}`.
///
/// Extra top-level fields (a `session` callback may add some) are kept in `extra`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The signed-in user, as the `session` callback shaped it.
    pub user: User,
    /// When the session ends unless it is used again (ISO-8601, UTC, milliseconds).
    pub expires: String,
    /// Anything else the `session` callback added (for example `error: "RefreshTokenError"`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Session {
    /// How the user signed in (the session's `amr`, RFC 8176 values: `pwd`, `email`, `fed`,
    /// `hwk`, then `otp` or `recovery` and `mfa` after a second factor); empty when unknown.
    pub fn amr(&self) -> Vec<&str> {
        self.extra
            .get("amr")
            .and_then(Value::as_array)
            .map(|methods| methods.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether the sign-in proved two factors (`amr` holds `mfa`): what a page that needs
    /// two-step verification checks.
    pub fn has_two_factors(&self) -> bool {
        self.amr().contains(&"mfa")
    }
}

/// The user inside a [`Session`]. `id` is present when the session callback exposes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The user's id (the `sub` claim), when exposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Any other field a callback added (a role, for example).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A provider as `GET /api/auth/providers` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInfo {
    /// Provider id (`credentials`, `github`, ...).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// `oauth`, `oidc`, `email` or `credentials`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Absolute URL that starts sign-in with this provider.
    pub signin_url: String,
    /// Absolute URL the provider returns to.
    pub callback_url: String,
    /// Button style on the sign-in page (OAuth providers; not part of Auth.js's shape, and
    /// ignored by its clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<ProviderStyle>,
}

/// How a provider's button looks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStyle {
    /// Background colour (CSS).
    pub brand_color: String,
}

/// The signed-in user's sessions, for the account page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionList {
    /// Whether sessions live in the database (only then can they be listed and revoked one by
    /// one; JWT sessions end when they expire or when `AUTH_SECRET` changes).
    pub listed: bool,
    /// The sessions, newest first.
    pub sessions: Vec<SessionInfo>,
}

/// One session on the account page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Its handle (never the token).
    pub id: i32,
    /// When it started (ISO-8601), if known.
    pub created_at: Option<String>,
    /// When it ends (ISO-8601).
    pub expires: String,
    /// The browser that started it.
    pub user_agent: Option<String>,
    /// Whether it is the session of this request.
    pub current: bool,
}

/// One of the signed-in user's passkeys, for the account page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyInfo {
    /// The credential id (base64url).
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it was added (ISO 8601), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it last signed in (ISO 8601), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// Whether it is synced between devices (backed up).
    pub synced: bool,
}

/// The signed-in user's second factor, for the account page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorStatus {
    /// Whether users may turn it on here.
    pub available: bool,
    /// Whether it is on.
    pub enabled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: u32,
    /// A setup in progress (shown to this user only, until they confirm a code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<TwoFactorSetup>,
}

/// What a setup shows: enter the secret in an authenticator app, or scan the QR code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorSetup {
    /// The secret, base32.
    pub secret: String,
    /// The `otpauth://` URL.
    pub otpauth_url: String,
    /// The QR code of that URL, as an SVG document (rendered on the server).
    pub qr_svg: String,
}

impl std::fmt::Debug for TwoFactorSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TwoFactorSetup([redacted])")
    }
}

/// One provider on `GET /api/auth/linked`: whether the signed-in user can sign in with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAccount {
    /// Provider id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `oauth`, `oidc`, `email` or `credentials`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the user has an account with this provider (a password, for credentials).
    pub linked: bool,
}

/// `GET /api/auth/providers`: an object keyed by provider id, in configuration order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Providers(pub Vec<ProviderInfo>);

impl Serialize for Providers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for provider in &self.0 {
            map.serialize_entry(&provider.id, provider)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Providers {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Providers;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of providers")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Providers, A::Error> {
                let mut out = Vec::new();
                while let Some((_, provider)) = map.next_entry::<String, ProviderInfo>()? {
                    out.push(provider);
                }
                Ok(Providers(out))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// What the server knew about the visitor when it rendered a page: handed from the SSR request
/// to `<SessionProvider>`, which writes it into the page (`<script id="auth-session">`), where
/// the page script and the islands read it, so the first paint is right and nothing is fetched
/// when the page loads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageAuth {
    /// The session, if any.
    pub session: Option<Session>,
    /// The CSRF token for the forms of this page (its cookie is set with the page), masked
    /// afresh for each page (`csrf::mask`).
    pub csrf_token: String,
    /// The configured sign-in page (`pages.sign_in`), when it is not the built-in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_page: Option<String>,
    /// The theme of the built-in pages (rendered on the server only, so not in the page).
    #[serde(skip)]
    pub theme: Theme,
}

/// `theme.colorScheme`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorScheme {
    /// Follows the visitor's system preference.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ColorScheme {
    /// `auto`, `light` or `dark`.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Self::Auto),
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            _ => None,
        }
    }

    /// The CSS class of the built-in pages.
    pub fn class(self) -> &'static str {
        match self {
            Self::Auto => "scheme-auto",
            Self::Light => "scheme-light",
            Self::Dark => "scheme-dark",
        }
    }
}

/// Auth.js's `theme`: colours and logo of the built-in pages and the sign-in email.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Theme {
    /// Accent colour (a CSS colour such as `#346df1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_color: Option<String>,
    /// Logo URL, shown above the built-in pages' card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Text colour on the accent colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_text: Option<String>,
    /// Light, dark or the visitor's preference.
    #[serde(default)]
    pub color_scheme: ColorScheme,
}

impl Theme {
    /// The inline CSS custom properties that apply the colours (`--brand`, `--brand-text`), or
    /// `None` with the defaults. A value that is not a plain CSS colour is ignored, so a
    /// configuration value can never inject CSS.
    pub fn css_vars(&self) -> Option<String> {
        let mut out = String::new();
        for (name, value) in [
            ("--brand", &self.brand_color),
            ("--brand-text", &self.button_text),
        ] {
            if let Some(value) = value.as_deref().filter(|v| is_css_color(v)) {
                out.push_str(name);
                out.push(':');
                out.push_str(value);
                out.push(';');
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

/// `#abc`, `#aabbcc`, `rgb(1 2 3)`, `hsl(...)` or a colour keyword: no `;`, `}` or quotes.
fn is_css_color(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'#' | b'(' | b')' | b',' | b'.' | b'%' | b' ' | b'/')
        })
}

/// `GET /api/auth/csrf`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsrfToken {
    /// 64 hex characters; send it back as the `csrfToken` form field.
    pub csrf_token: String,
}

/// What a POST auth route answers to a client that sent `X-Auth-Return-Redirect: 1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRedirect {
    /// Where the browser should go next; errors come back as `?error=CODE&code=...`.
    pub url: String,
}

/// What [`sign_in`](crate::auth::sign_in) resolves to when `redirect` is `false` (next-auth's
/// `SignInResponse`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInResponse {
    /// The Auth.js error code, if sign-in failed.
    pub error: Option<AuthErrorCode>,
    /// The finer-grained `code` (`credentials` for a wrong password).
    pub code: Option<String>,
    /// HTTP status of the auth route.
    pub status: u16,
    /// Whether the HTTP request succeeded (not whether sign-in did: see `error`).
    pub ok: bool,
    /// Where to go on success; `None` when there was an error.
    pub url: Option<String>,
}

/// What [`sign_out`](crate::auth::sign_out) resolves to when `redirect` is `false`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOutResponse {
    /// Where the browser would have been sent.
    pub url: String,
}

/// The error codes Auth.js puts in `?error=`: the only error information a browser ever sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthErrorCode {
    /// Server misconfiguration, or anything not safe to tell the client.
    Configuration,
    /// The `sign_in` callback refused the user.
    AccessDenied,
    /// An email link was expired, used or altered.
    Verification,
    /// The CSRF token was missing or did not match its cookie.
    #[serde(rename = "MissingCSRF")]
    MissingCsrf,
    /// Wrong credentials.
    CredentialsSignin,
    /// Starting an OAuth flow failed.
    OAuthSignin,
    /// The OAuth callback failed.
    OAuthCallbackError,
    /// The provider account belongs to another user.
    OAuthAccountNotLinked,
    /// Sending the sign-in email failed.
    EmailSignin,
    /// A page required a session.
    SessionRequired,
    /// The database is unreachable right now (an extension of Auth.js's codes: HTTP 503).
    Unavailable,
    /// A passkey did not verify (Auth.js's `WebAuthnVerificationError`): an unknown
    /// credential, a used or expired challenge, another origin, a counter that went back.
    WebAuthnVerificationError,
    /// Anything else.
    Default,
}

impl AuthErrorCode {
    /// Every code, for parsing and for tests.
    pub const ALL: [AuthErrorCode; 13] = [
        Self::Configuration,
        Self::AccessDenied,
        Self::Verification,
        Self::MissingCsrf,
        Self::CredentialsSignin,
        Self::OAuthSignin,
        Self::OAuthCallbackError,
        Self::OAuthAccountNotLinked,
        Self::EmailSignin,
        Self::SessionRequired,
        Self::Unavailable,
        Self::WebAuthnVerificationError,
        Self::Default,
    ];

    /// The wire name (`"MissingCSRF"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Configuration => "Configuration",
            Self::AccessDenied => "AccessDenied",
            Self::Verification => "Verification",
            Self::MissingCsrf => "MissingCSRF",
            Self::CredentialsSignin => "CredentialsSignin",
            Self::OAuthSignin => "OAuthSignin",
            Self::OAuthCallbackError => "OAuthCallbackError",
            Self::OAuthAccountNotLinked => "OAuthAccountNotLinked",
            Self::EmailSignin => "EmailSignin",
            Self::SessionRequired => "SessionRequired",
            Self::Unavailable => "Unavailable",
            Self::WebAuthnVerificationError => "WebAuthnVerificationError",
            Self::Default => "Default",
        }
    }

    /// Parses a `?error=` value; anything unknown is `Default`, so a page never renders it.
    pub fn parse(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|code| code.as_str() == value)
            .unwrap_or(Self::Default)
    }

    /// The sentence the built-in pages show for this code (Auth.js's wording).
    pub fn message(self) -> &'static str {
        match self {
            Self::Configuration => {
                "There is a problem with the server configuration. Check the server logs for more information."
            }
            Self::AccessDenied => "You do not have permission to sign in.",
            Self::Verification => {
                "The sign in link is no longer valid. It may have been used already or it may have expired."
            }
            Self::MissingCsrf => "The form expired. Please try again.",
            Self::CredentialsSignin => {
                "Sign in failed. Check the details you provided are correct."
            }
            Self::OAuthSignin | Self::OAuthCallbackError => {
                "Try signing in with a different account."
            }
            Self::OAuthAccountNotLinked => {
                "To confirm your identity, sign in with the same account you used originally."
            }
            Self::EmailSignin => "The email could not be sent.",
            Self::SessionRequired => "Please sign in to access this page.",
            Self::Unavailable => {
                "The service is temporarily unavailable. Please try again in a moment."
            }
            Self::WebAuthnVerificationError => {
                "The passkey could not be verified. Please try again, or sign in another way."
            }
            Self::Default => "Unable to sign in.",
        }
    }

    /// The message for this code with Auth.js v5's finer `code` (`credentials`, `rate_limited`,
    /// `invalid_email`).
    pub fn message_with(self, detail: Option<&str>) -> &'static str {
        match (self, detail) {
            (Self::CredentialsSignin, Some("rate_limited")) => {
                "Too many attempts. Please wait a few minutes and try again."
            }
            (Self::CredentialsSignin, Some("busy")) => {
                "The server is busy. Please try again in a moment."
            }
            (Self::EmailSignin, Some("rate_limited")) => {
                "Too many sign-in emails were requested. Please wait a few minutes and try again."
            }
            (Self::EmailSignin, Some("invalid_email")) => "Enter a valid email address.",
            (Self::CredentialsSignin, Some("second_factor")) => {
                "That code is not valid. Enter the current code from your authenticator app, or one of your recovery codes."
            }
            (Self::CredentialsSignin, Some("second_factor_expired")) => {
                "The sign-in took too long. Please sign in again."
            }
            _ => self.message(),
        }
    }

    /// The HTTP status of the built-in error page for this code (as Auth.js).
    #[must_use]
    pub fn status(self) -> u16 {
        match self {
            Self::Configuration => 500,
            Self::AccessDenied | Self::Verification => 403,
            Self::Unavailable => 503,
            _ => 200,
        }
    }

    /// The HTTP status of a JSON answer that carries this code (a server function or API route
    /// that failed): the error page's table is for people, this one for programs.
    #[must_use]
    pub fn api_status(self) -> u16 {
        match self {
            Self::Configuration => 500,
            Self::MissingCsrf | Self::AccessDenied => 403,
            Self::SessionRequired => 401,
            Self::Unavailable => 503,
            _ => 400,
        }
    }
}

impl std::fmt::Display for AuthErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How `use_session` describes the session right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionStatus {
    /// Not known yet (only before the first answer when there was no server render).
    Loading,
    /// There is a session.
    Authenticated,
    /// There is none.
    Unauthenticated,
}

/// Why registration was refused; shown next to the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegisterError {
    /// An account already uses this email address.
    EmailTaken,
    /// The address is not a valid email address.
    InvalidEmail,
    /// The password is too short or too long.
    WeakPassword,
    /// The name is empty or too long.
    InvalidName,
    /// Too many attempts from this client; try later.
    RateLimited,
}

impl RegisterError {
    /// Every variant, for parsing.
    pub const ALL: [RegisterError; 5] = [
        Self::EmailTaken,
        Self::InvalidEmail,
        Self::WeakPassword,
        Self::InvalidName,
        Self::RateLimited,
    ];

    /// The `?error=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmailTaken => "EmailTaken",
            Self::InvalidEmail => "InvalidEmail",
            Self::WeakPassword => "WeakPassword",
            Self::InvalidName => "InvalidName",
            Self::RateLimited => "RateLimited",
        }
    }

    /// Parses a `?error=` value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == value)
    }

    /// The message shown on the form.
    pub fn message(self) -> &'static str {
        match self {
            Self::EmailTaken => {
                "An account with this email address already exists. Sign in instead."
            }
            Self::InvalidEmail => "Enter a valid email address.",
            Self::WeakPassword => "Use a password of 12 to 128 characters.",
            Self::InvalidName => "Enter your name (at most 100 characters).",
            Self::RateLimited => "Too many attempts. Please wait a few minutes and try again.",
        }
    }
}

/// The values a form was submitted with, kept so a refused form can be shown again filled in
/// (never the password).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEcho {
    /// Which form (`"register"`).
    pub form: String,
    /// The error code to show.
    pub error: String,
    /// Field name and value pairs.
    pub values: Vec<(String, String)>,
}

impl FormEcho {
    /// The kept value of one field.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_round_trip_through_their_wire_names() {
        for code in AuthErrorCode::ALL {
            assert_eq!(AuthErrorCode::parse(code.as_str()), code);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(AuthErrorCode::parse("<script>"), AuthErrorCode::Default);
    }

    #[test]
    fn session_json_has_the_auth_js_shape() {
        let session = Session {
            user: User {
                name: Some("Ada".into()),
                email: Some("ada@example.com".into()),
                ..User::default()
            },
            expires: "2026-01-01T00:00:00.000Z".into(),
            extra: Map::new(),
        };
        assert_eq!(
            serde_json::to_value(&session).unwrap(),
            serde_json::json!({"user":{"name":"Ada","email":"ada@example.com"},"expires":"2026-01-01T00:00:00.000Z"})
        );
    }

    #[test]
    fn provider_info_uses_auth_js_field_names() {
        let info = ProviderInfo {
            id: "credentials".into(),
            name: "Credentials".into(),
            kind: "credentials".into(),
            signin_url: "http://x/api/auth/signin/credentials".into(),
            callback_url: "http://x/api/auth/callback/credentials".into(),
            style: None,
        };
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["type"], "credentials");
        assert_eq!(json["signinUrl"], "http://x/api/auth/signin/credentials");
        assert_eq!(
            json["callbackUrl"],
            "http://x/api/auth/callback/credentials"
        );
    }
}
