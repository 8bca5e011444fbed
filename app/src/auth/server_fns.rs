//! The auth routes that fit a server function: Auth.js's paths and shapes, one core call each.
//!
//! On the server these run in-process (during SSR too); in the browser each is a typed call to
//! its route. The POST routes read their body with [`AuthForm`](super::form::AuthForm) so that
//! any fields, and garbage, reach the core and get Auth.js's answer.

use leptos::prelude::*;

use super::{
    form::{auth_form_input, auth_query_input, AuthForm, AuthQuery, FormFields},
    json::AuthJsonOutput,
    types::{AuthFnError, AuthRedirect, CsrfToken, LinkedAccount, Providers, Session},
};

/// `GET /api/auth/session`: the current session, or `null`; renews the session cookie.
///
/// # Errors
/// `Configuration` when auth is not mounted or the database fails (database strategy).
#[server(prefix = "/api/auth", endpoint = "session", input = AuthQuery, output = AuthJsonOutput)]
pub async fn get_session() -> Result<Option<Session>, AuthFnError> {
    use super::ssr::{context, session};
    let (auth, req) = context::auth_and_request()?;
    context::no_store();
    Ok(context::send(session::current(&auth, &req).await?))
}

/// `GET /api/auth/csrf`: `{"csrfToken"}`; sets the CSRF cookie when missing.
///
/// # Errors
/// `Configuration` when auth is not mounted.
#[server(prefix = "/api/auth", endpoint = "csrf", input = AuthQuery, output = AuthJsonOutput)]
pub async fn get_csrf_token() -> Result<CsrfToken, AuthFnError> {
    use super::ssr::{context, csrf, reply::Reply};
    let (auth, req) = context::auth_and_request()?;
    context::no_store();
    let token = csrf::ensure(&auth, &req);
    Ok(context::send(Reply::with_cookies(
        CsrfToken {
            csrf_token: token.token,
        },
        token.set_cookie.into_iter().collect(),
    )))
}

/// `GET /api/auth/providers`: every configured provider, keyed by id.
///
/// # Errors
/// `Configuration` when auth is not mounted.
#[server(prefix = "/api/auth", endpoint = "providers", input = AuthQuery, output = AuthJsonOutput)]
pub async fn get_providers() -> Result<Providers, AuthFnError> {
    use super::ssr::{context, reply::Reply};
    let (auth, req) = context::auth_and_request()?;
    Ok(context::send(Reply::new(auth.providers(&req))))
}

/// `POST /api/auth/callback/credentials`: `csrfToken`, `callbackUrl` and the credential fields.
/// Redirects to the `callbackUrl`, or to `/signin?error=CredentialsSignin&code=credentials`.
///
/// # Errors
/// Only when auth is not mounted; sign-in failures are redirects, as in Auth.js.
#[server(prefix = "/api/auth", endpoint = "callback/credentials", input = AuthForm, output = AuthJsonOutput)]
pub async fn callback_credentials(
    /// The submitted fields.
    form: FormFields,
) -> Result<AuthRedirect, AuthFnError> {
    use super::ssr::{
        context,
        flows::{credentials, finish},
    };
    let (auth, req) = context::auth_and_request()?;
    let result = credentials::callback(&auth, &req, &form).await;
    if result.is_ok() {
        context::rotate_flow_session().await;
    }
    let callback_url = finish::requested_callback_url(&form);
    Ok(context::finish(
        &auth,
        &req,
        result,
        callback_url.as_deref(),
    ))
}

/// `POST /api/auth/signout`: `csrfToken`, `callbackUrl`. Ends the session and redirects.
///
/// # Errors
/// Only when auth is not mounted; a bad CSRF token redirects with `MissingCSRF`.
#[server(prefix = "/api/auth", endpoint = "signout", input = AuthForm, output = AuthJsonOutput)]
pub async fn signout(
    /// The submitted fields.
    form: FormFields,
) -> Result<AuthRedirect, AuthFnError> {
    use super::ssr::{context, flows::sign_out};
    let (auth, req) = context::auth_and_request()?;
    let result = sign_out::sign_out(&auth, &req, &form).await;
    Ok(context::finish(&auth, &req, result, None))
}

/// `POST /api/auth/two-factor`: `csrfToken`, `code`. The second step of a sign-in, for a user
/// whose second factor is on: with this browser's pending step and a current code from their
/// app (or a recovery code), finishes the sign-in and redirects to its `callbackUrl`; a wrong
/// code comes back to the second-step page with `?error=CredentialsSignin&code=second_factor`.
///
/// # Errors
/// Only when auth is not mounted; refusals are redirects, as for the other auth routes.
#[server(prefix = "/api/auth", endpoint = "two-factor", input = AuthForm, output = AuthJsonOutput)]
pub async fn two_factor(
    /// The submitted fields.
    form: FormFields,
) -> Result<AuthRedirect, AuthFnError> {
    use super::ssr::{context, flows::second_factor};
    let (auth, req) = context::auth_and_request()?;
    let result = second_factor::step::verify(&auth, &req, &form).await;
    if result.is_ok() {
        context::rotate_flow_session().await;
    }
    Ok(context::finish(&auth, &req, result, None))
}

/// `GET /api/auth/linked` (NextAuthClient's `linked`): every configured provider with
/// `linked: true|false` for the signed-in user.
///
/// # Errors
/// `SessionRequired` (401) without a session; `Configuration` if the database fails.
#[server(prefix = "/api/auth", endpoint = "linked", input = AuthQuery, output = AuthJsonOutput)]
pub async fn get_linked_accounts() -> Result<Vec<LinkedAccount>, AuthFnError> {
    use super::ssr::{context, flows::linked_accounts, reply::Reply};
    let (auth, req) = context::auth_and_request()?;
    context::no_store();
    Ok(context::send(Reply::new(
        linked_accounts::linked(&auth, &req).await?,
    )))
}

auth_query_input!(GetSession, GetCsrfToken, GetProviders, GetLinkedAccounts);
auth_form_input!(CallbackCredentials, Signout, TwoFactor);
