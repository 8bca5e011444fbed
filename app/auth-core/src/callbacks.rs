//! Callbacks: Auth.js's `callbacks` option, as a trait with default methods.
//!
//! Implement only what you need; the defaults behave as Auth.js's. They are called where Auth.js
//! calls them: `sign_in` before a session is made, `redirect` for every redirect target, `jwt`
//! whenever a token is created or read, `session` whenever a session is sent to a client, and
//! `authorized` by the route guard of protected pages.

use async_trait::async_trait;
use serde_json::Value;

use crate::protocol::wire::Session;

pub use crate::adapter::Account;
use crate::adapter::User;

use crate::protocol::{claims::Token, redirect};

/// What the `sign_in` callback sees.
#[derive(Debug, Clone, Copy)]
pub struct SignInParams<'a> {
    /// Who is signing in, and at which step.
    pub user: SignInUser<'a>,
    /// The account used.
    pub account: Option<&'a Account>,
    /// The provider's raw profile (OAuth/OIDC).
    pub profile: Option<&'a Value>,
}

/// Who the `sign_in` callback is asked about.
#[derive(Debug, Clone, Copy)]
pub enum SignInUser<'a> {
    /// The user about to be signed in (every provider; for email, when the link is used).
    User(&'a User),
    /// An email sign-in link is about to be sent (Auth.js's `email.verificationRequest`):
    /// refusing means no link is sent. `existing` is the user who has that address, if any.
    VerificationRequest {
        /// The address the link would go to (normalized).
        email: &'a str,
        /// The user with that address, if there is one.
        existing: Option<&'a User>,
    },
}

impl<'a> SignInUser<'a> {
    /// The address signing in, whichever the step.
    #[must_use]
    pub fn email(&self) -> Option<&'a str> {
        match *self {
            Self::User(user) => user.email.as_deref(),
            Self::VerificationRequest { email, .. } => Some(email),
        }
    }

    /// The user, when there is one.
    #[must_use]
    pub fn user(&self) -> Option<&'a User> {
        match *self {
            Self::User(user) => Some(user),
            Self::VerificationRequest { existing, .. } => existing,
        }
    }
}

/// Whether a sign-in found its user or created it (Auth.js's `isNewUser`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInKind {
    /// An existing user signed in.
    SignIn,
    /// This sign-in created the user.
    SignUp,
}

impl SignInKind {
    /// Whether this sign-in created the user.
    #[must_use]
    pub fn is_new_user(self) -> bool {
        self == Self::SignUp
    }
}

impl From<SignInKind> for JwtTrigger {
    fn from(kind: SignInKind) -> Self {
        match kind {
            SignInKind::SignIn => Self::SignIn,
            SignInKind::SignUp => Self::SignUp,
        }
    }
}

/// The `sign_in` callback's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInDecision {
    /// Sign the user in.
    Allow,
    /// Refuse with `AccessDenied`.
    Deny,
    /// Refuse and send the browser here instead (validated like any redirect).
    RedirectTo(String),
}

/// Why the `jwt` callback runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtTrigger {
    /// An existing user signed in.
    SignIn,
    /// A new user was created by this sign-in.
    SignUp,
    /// The client called `update(data)`.
    Update,
}

/// What the `jwt` callback sees.
#[derive(Debug)]
pub struct JwtParams<'a> {
    /// The token so far (on sign-in: name, email, picture, sub).
    pub token: Token,
    /// The user, on sign-in only.
    pub user: Option<&'a User>,
    /// The account, on sign-in only.
    pub account: Option<&'a Account>,
    /// The provider profile, on OAuth sign-in only.
    pub profile: Option<&'a Value>,
    /// Why it runs (`SignUp`: this sign-in created the user); `None` when a session is only
    /// read.
    pub trigger: Option<JwtTrigger>,
    /// The data sent with `update(data)`.
    pub session: Option<&'a Value>,
}

/// What the `session` callback sees.
#[derive(Debug)]
pub struct SessionParams<'a> {
    /// The default session (`user.name`, `user.email`, `user.image`, `expires`).
    pub session: Session,
    /// The token (JWT strategy).
    pub token: Option<&'a Token>,
    /// The user row (database strategy).
    pub user: Option<&'a User>,
    /// `Some(Update)` when the client called `update(data)`.
    pub trigger: Option<JwtTrigger>,
    /// The data sent with `update(data)` (Auth.js's `newSession`, database strategy).
    pub new_session: Option<&'a Value>,
}

/// Auth.js callbacks. Every method has Auth.js's default behaviour.
#[async_trait]
pub trait Callbacks: Send + Sync + 'static {
    /// Whether this user may sign in.
    async fn sign_in(&self, _params: SignInParams<'_>) -> SignInDecision {
        SignInDecision::Allow
    }

    /// Where to send the browser, given a requested `url` and the app's `base_url` (origin).
    /// The default allows relative paths and the app's own origin; anything else gets the
    /// base URL. Synchronous so pages can validate a `callbackUrl` while rendering.
    fn redirect(&self, url: &str, base_url: &str) -> String {
        redirect::default_redirect(url, base_url)
    }

    /// Shapes the JWT; returning `None` ends the session.
    async fn jwt(&self, params: JwtParams<'_>) -> Option<Token> {
        Some(params.token)
    }

    /// Shapes the session sent to clients.
    async fn session(&self, params: SessionParams<'_>) -> Session {
        params.session
    }

    /// Whether a page request for `path` may go on (Auth.js's `authorized`, used by its
    /// middleware): the page middleware asks it before every page render. Refused without a
    /// session, the visitor is sent to sign-in with a `callbackUrl` back; refused with one,
    /// they get a 403. The default allows everything, as Auth.js without the callback.
    /// Synchronous: it runs on every page request, so it must not wait on anything.
    fn authorized(&self, _session: Option<&Session>, _path: &str) -> bool {
        true
    }
}

/// Auth.js's default callbacks.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultCallbacks;

impl Callbacks for DefaultCallbacks {}
