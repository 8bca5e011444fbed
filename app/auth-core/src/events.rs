//! Events: Auth.js's `events` option. Fire-and-forget notifications for audit logs and
//! analytics; they cannot change the outcome of a flow (use callbacks for that).

use async_trait::async_trait;

use crate::protocol::wire::Session;

use super::callbacks::SignInKind;

use crate::{
    adapter::{Account, User},
    protocol::claims::Token,
};

/// Event listeners; every method defaults to doing nothing.
#[async_trait]
pub trait Events: Send + Sync + 'static {
    /// A user signed in.
    async fn sign_in(&self, _user: &User, _account: Option<&Account>, _kind: SignInKind) {}
    /// A user signed out (the token for JWT sessions, the user id for database ones).
    async fn sign_out(&self, _token: Option<&Token>, _user_id: Option<i32>) {}
    /// A user was created.
    async fn create_user(&self, _user: &User) {}
    /// A user was updated.
    async fn update_user(&self, _user: &User) {}
    /// A provider account was linked to a user.
    async fn link_account(&self, _user: &User, _account: &Account) {}
    /// A session was read.
    async fn session(&self, _session: &Session) {}
}

/// No listeners.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl Events for NoEvents {}
