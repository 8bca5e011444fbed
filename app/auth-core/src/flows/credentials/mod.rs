//! The credentials flow: sign-in with the provider's `authorize` (the starter's checks a
//! password, `password.rs`), and registration. Both end in the finisher with a `credentials`
//! account.

pub mod password;
mod register;
mod sign_in;

pub use register::{register, RegisterFailure};
pub use sign_in::callback;

use crate::adapter::{Account, User};

use crate::{
    auth::Auth,
    callbacks::SignInKind,
    error::AuthError,
    protocol::form::FormFields,
    reply::{Redirect, Reply},
    request::AuthRequest,
};

use super::finish::{self, requested_callback_url, SignedIn};

/// Signs in a user the credentials provider `provider_id` vouched for (a password just
/// checked, or just registered).
async fn finish(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
    provider_id: &str,
    user: User,
    kind: SignInKind,
) -> Result<Reply<Redirect>, AuthError> {
    let account = Account {
        provider: provider_id.to_owned(),
        kind: "credentials".into(),
        provider_account_id: user.id.to_string(),
        ..Account::default()
    };
    let callback_url = requested_callback_url(form);
    finish::complete(
        auth,
        req,
        SignedIn {
            user,
            account,
            profile: None,
            kind,
        },
        callback_url.as_deref(),
    )
    .await
}
