//! `/register`: create an account with the credentials provider, then you are signed in.
//!
//! The form posts to `POST /api/register`; a refused form comes back to this page with `?error=`
//! and the typed name and email (kept server-side for one render, never the password). With
//! JavaScript the page script does that round trip in the background and keeps what was typed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::{
    client::from_request,
    form::{auth_form_input, AuthForm, FormFields},
    json::AuthJsonOutput,
    pages::{AuthCard, CsrfField},
    types::{AuthFnError, AuthRedirect, FormEcho, RegisterError},
    url::{local_callback, sign_in_href},
};

/// Where the page lives.
pub const PATH: &str = "/register";
const FORM: &str = "register";

/// `POST /api/register`: `csrfToken`, `name`, `email`, `password`, `callbackUrl`. Signs the new
/// user in and redirects to the `callbackUrl`; a refused form redirects back here with `?error=`.
///
/// # Errors
/// Only when auth is not mounted.
#[server(prefix = "/api", endpoint = "register", input = AuthForm, output = AuthJsonOutput)]
pub async fn register(form: FormFields) -> Result<AuthRedirect, AuthFnError> {
    use crate::auth::ssr::{
        context,
        flows::{
            credentials::{self, RegisterFailure},
            finish,
        },
        reply::{Redirect, Reply},
    };
    let (auth, req) = context::auth_and_request()?;
    let callback_url = finish::requested_callback_url(&form);
    match credentials::register(&auth, &req, &form).await {
        Ok(reply) => {
            context::rotate_flow_session().await;
            Ok(context::redirect(&req, reply))
        }
        Err(RegisterFailure::Invalid(error)) => {
            if !req.return_redirect {
                let kept = ["name", "email"]
                    .into_iter()
                    .filter_map(|k| {
                        form.get(k)
                            .map(|v| (k.to_owned(), v.chars().take(256).collect()))
                    })
                    .collect();
                context::remember_form(FormEcho {
                    form: FORM.into(),
                    error: error.as_str().into(),
                    values: kept,
                })
                .await;
            }
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.append_pair("error", error.as_str());
            if let Some(local) = callback_url.as_deref().and_then(local_callback) {
                query.append_pair("callbackUrl", &local);
            }
            let url = format!("{}{PATH}?{}", req.origin, query.finish());
            Ok(context::redirect(&req, Reply::new(Redirect(url))))
        }
        Err(RegisterFailure::Auth(error)) => Ok(context::finish(
            &auth,
            &req,
            Err(error),
            callback_url.as_deref(),
        )),
    }
}

auth_form_input!(Register);

/// The registration page: a plain form (submitted in the background by the page script when
/// JavaScript runs; a refused form comes back here with the message and the typed values).
#[component]
pub fn RegisterPage() -> impl IntoView {
    let echo = from_request::<FormEcho>()
        .filter(|e| e.form == FORM)
        .unwrap_or_default();
    let query = use_query_map();
    let callback_url = Signal::derive(move || {
        query
            .read()
            .get("callbackUrl")
            .and_then(|u| local_callback(&u))
            .unwrap_or_else(|| "/".into())
    });
    let error = query
        .read_untracked()
        .get("error")
        .and_then(|e| RegisterError::parse(&e))
        .or_else(|| RegisterError::parse(&echo.error))
        .map(RegisterError::message);
    let name = echo.value("name").unwrap_or_default().to_owned();
    let email = echo.value("email").unwrap_or_default().to_owned();

    view! {
        <Title text="Create an account"/>
        <AuthCard>
            <h1>"Create an account"</h1>
            {error.map(|message| view! { <p class="auth-error" role="alert">{message}</p> })}
            <form method="post" action="/api/register">
                <CsrfField/>
                <input type="hidden" name="callbackUrl" value=callback_url/>
                <label>"Name" <input type="text" name="name" required maxlength="100" autocomplete="name" value=name/></label>
                <label>"Email" <input type="email" name="email" required autocomplete="email" value=email/></label>
                <label>"Password" <input type="password" name="password" required minlength="12" maxlength="128" autocomplete="new-password"/></label>
                <button type="submit">"Create account"</button>
            </form>
            <p class="muted">"Already have an account? " <a href=move || sign_in_href(Some(&callback_url.get()), None)>"Sign in"</a></p>
        </AuthCard>
    }
}
