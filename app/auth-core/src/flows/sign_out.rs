//! Sign-out: `POST /signout`.

use crate::protocol::form::FormFields;

use crate::{
    auth::Auth,
    csrf,
    error::AuthError,
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

use super::finish::requested_callback_url;

/// `POST /signout`: checks CSRF, ends the session, and redirects to the `callbackUrl`.
///
/// # Errors
/// [`AuthError::Csrf`]; database errors.
pub async fn sign_out(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let cookies = session::destroy(auth, req).await?;
    let target = redirect::resolve(auth, req, requested_callback_url(form).as_deref());
    Ok(Reply::with_cookies(Redirect(target), cookies))
}
