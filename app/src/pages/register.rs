//! `/register`: create an account with the credentials provider, then you are signed in.
//!
//! Without JavaScript the form posts to `POST /api/register`; a refused form comes back to this
//! page with `?error=` and the typed name and email (kept server-side for one render, never the
//! password). With JavaScript it submits in the background and keeps the values in place.

use leptos::{prelude::*, task::spawn_local_scoped};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::auth::{
    client::{broadcast, from_request, post_with_csrf, use_session},
    fetch::current_origin,
    form::{auth_form_input, AuthForm, FormFields},
    pages::{submitted_fields, AuthCard, CsrfField},
    types::{AuthErrorCode, AuthFnError, AuthRedirect, FormEcho, RegisterError},
    url::{local_callback, sign_in_href, to_local},
};

/// Where the page lives.
pub const PATH: &str = "/register";
const FORM: &str = "register";

/// `POST /api/register`: `csrfToken`, `name`, `email`, `password`, `callbackUrl`. Signs the new
/// user in and redirects to the `callbackUrl`; a refused form redirects back here with `?error=`.
///
/// # Errors
/// Only when auth is not mounted.
#[server(prefix = "/api", endpoint = "register", input = AuthForm)]
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

/// The registration page.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let echo = SharedValue::new(|| from_request::<FormEcho>().filter(|e| e.form == FORM))
        .into_inner()
        .unwrap_or_default();
    let query = use_query_map();
    let callback_url = Signal::derive(move || {
        query
            .read()
            .get("callbackUrl")
            .and_then(|u| local_callback(&u))
            .unwrap_or_else(|| "/".into())
    });
    let error = RwSignal::new(
        query
            .read_untracked()
            .get("error")
            .and_then(|e| RegisterError::parse(&e))
            .or_else(|| RegisterError::parse(&echo.error))
            .map(RegisterError::message),
    );
    let name = echo.value("name").unwrap_or_default().to_owned();
    let email = echo.value("email").unwrap_or_default().to_owned();
    let pending = RwSignal::new(false);
    let session = use_session();
    let navigate = use_navigate();

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let fields = submitted_fields(&event);
        let navigate = navigate.clone();
        pending.set(true);
        spawn_local_scoped(async move {
            match post_with_csrf(Some(session), "/api/register", fields).await {
                Ok((_, answer)) => {
                    let refused = crate::auth::client::query_param(&answer.url, "error").map(|v| {
                        match RegisterError::parse(&v) {
                            Some(reason) => reason.message(),
                            None => AuthErrorCode::parse(&v).message(),
                        }
                    });
                    match refused {
                        Some(message) => error.set(Some(message)),
                        None => {
                            let _ = session.reload().await;
                            broadcast("signin");
                            match to_local(&answer.url, current_origin().as_deref()) {
                                Some(path) => navigate(&path, Default::default()),
                                None => crate::auth::fetch::assign_location(&answer.url),
                            }
                        }
                    }
                }
                Err(_) => error.set(Some(AuthErrorCode::Default.message())),
            }
            pending.set(false);
        });
    };

    view! {
        <Title text="Create an account"/>
        <AuthCard>
            <h1>"Create an account"</h1>
            {move || error.get().map(|message| view! { <p class="auth-error" role="alert">{message}</p> })}
            <form method="post" action="/api/register" on:submit=on_submit>
                <CsrfField/>
                <input type="hidden" name="callbackUrl" value=callback_url/>
                <label>"Name" <input type="text" name="name" required maxlength="100" autocomplete="name" value=name/></label>
                <label>"Email" <input type="email" name="email" required autocomplete="email" value=email/></label>
                <label>"Password" <input type="password" name="password" required minlength="12" maxlength="128" autocomplete="new-password"/></label>
                <button type="submit" disabled=move || pending.get()>"Create account"</button>
            </form>
            <p class="muted">"Already have an account? " <a href=move || sign_in_href(Some(&callback_url.get()), None)>"Sign in"</a></p>
        </AuthCard>
    }
}
