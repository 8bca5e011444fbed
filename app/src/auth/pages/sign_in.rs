//! `GET /api/auth/signin`: one form per provider, and the `?error=` message.

use leptos::{prelude::*, task::spawn_local_scoped};
use leptos_router::hooks::{use_navigate, use_query_map};

use super::card::{submitted_fields, AuthCard, CsrfField};
use crate::auth::{
    client::{base_path, sign_in, SignInOptions},
    fetch::current_origin,
    server_fns::get_providers,
    types::{AuthErrorCode, ProviderInfo},
    url::{local_callback, to_local},
};

/// The built-in sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let register_href = move || {
        let callback = query
            .read()
            .get("callbackUrl")
            .and_then(|u| local_callback(&u))
            .unwrap_or_else(|| "/".into());
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("callbackUrl", &callback)
            .finish();
        format!("/register?{query}")
    };

    view! {
        <leptos_meta::Title text="Sign in"/>
        <AuthCard>
            <h1>"Sign in"</h1>
            <SignInForms/>
            <p class="muted">"No account yet? " <a href=register_href>"Create one"</a></p>
        </AuthCard>
    }
}

/// The working part of a sign-in page: the `?error=` message and one form per provider, each
/// returning to the `?callbackUrl=`. A custom sign-in page (`pages.sign_in`) wraps it in its
/// own layout; see the starter's `/login`.
#[component]
pub fn SignInForms() -> impl IntoView {
    let query = use_query_map();
    let page_error = Memo::new(move |_| {
        let query = query.read();
        query
            .get("error")
            .map(|e| (AuthErrorCode::parse(&e), query.get("code")))
    });
    // One message at a time: a background submit's answer replaces the `?error=` the page was
    // opened with.
    let form_error = RwSignal::new(None::<FormError>);
    let submitted = RwSignal::new(false);
    let error = move || {
        if submitted.get() {
            form_error.get()
        } else {
            page_error.get()
        }
    };
    let callback_url = Signal::derive(move || {
        query
            .read()
            .get("callbackUrl")
            .and_then(|u| local_callback(&u))
            .unwrap_or_else(|| "/".into())
    });
    let providers = Resource::new(|| (), |_| get_providers());

    view! {
        {move || error().map(|(code, detail)| view! {
            <p class="auth-error" role="alert">{code.message_with(detail.as_deref())}</p>
        })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match providers.await {
                    Ok(list) => list
                        .0
                        .into_iter()
                        .map(|info| view! { <ProviderForm info callback_url form_error submitted/> })
                        .collect_view()
                        .into_any(),
                    Err(_) => view! { <p class="auth-error" role="alert">{AuthErrorCode::Configuration.message()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form for one provider.
#[component]
fn ProviderForm(
    info: ProviderInfo,
    callback_url: Signal<String>,
    form_error: RwSignal<Option<FormError>>,
    submitted: RwSignal<bool>,
) -> impl IntoView {
    match info.kind.as_str() {
        "credentials" | "email" => {
            view! { <BackgroundForm info callback_url form_error submitted/> }.into_any()
        }
        // OAuth and OIDC: a plain form post, with or without JavaScript (the browser leaves
        // for the provider anyway).
        _ => {
            let style = info
                .style
                .as_ref()
                .map(|s| format!("background-color: {}", s.brand_color));
            view! {
                <form method="post" action=format!("{}/signin/{}", base_path(), info.id)>
                    <CsrfField/>
                    <input type="hidden" name="callbackUrl" value=callback_url/>
                    <button type="submit" class="provider" style=style>"Sign in with " {info.name}</button>
                </form>
            }
            .into_any()
        }
    }
}

/// An Auth.js error code and its finer `code`.
type FormError = (AuthErrorCode, Option<String>);

/// The credentials form (email and password, posting to `/callback/credentials`) or the email
/// form (an address, posting to `/signin/email`). Without JavaScript they are plain posts; with
/// it they submit in the background, show errors next to what was typed, and navigate on
/// success (to the `callbackUrl`, or to "check your email").
#[component]
fn BackgroundForm(
    info: ProviderInfo,
    callback_url: Signal<String>,
    form_error: RwSignal<Option<FormError>>,
    submitted: RwSignal<bool>,
) -> impl IntoView {
    let navigate = use_navigate();
    let error = form_error;
    let pending = RwSignal::new(false);
    let id = info.id.clone();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let fields = submitted_fields(&event);
        let id = id.clone();
        let navigate = navigate.clone();
        let redirect_to = callback_url.get_untracked();
        pending.set(true);
        spawn_local_scoped(async move {
            let options = SignInOptions {
                redirect_to: Some(redirect_to),
                redirect: false,
                fields,
            };
            match sign_in(&id, options, &[]).await {
                Ok(response) => match (response.error, response.url) {
                    (None, Some(url)) => {
                        error.set(None);
                        match to_local(&url, current_origin().as_deref()) {
                            Some(path) => navigate(&path, Default::default()),
                            None => crate::auth::fetch::assign_location(&url),
                        }
                    }
                    (error_code, _) => error.set(Some((
                        error_code.unwrap_or(AuthErrorCode::Default),
                        response.code,
                    ))),
                },
                Err(_) => error.set(Some((AuthErrorCode::Default, None))),
            }
            submitted.set(true);
            pending.set(false);
        });
    };
    let (action, fields) = if info.kind == "email" {
        (
            format!("{}/signin/{}", base_path(), info.id),
            view! {
                <label>"Email address" <input type="email" name="email" required autocomplete="email"/></label>
            }
            .into_any(),
        )
    } else {
        (
            format!("{}/callback/{}", base_path(), info.id),
            view! {
                <label>"Email" <input type="email" name="email" required autocomplete="email"/></label>
                <label>"Password" <input type="password" name="password" required autocomplete="current-password"/></label>
            }
            .into_any(),
        )
    };
    view! {
        <form method="post" action=action on:submit=on_submit>
            <CsrfField/>
            <input type="hidden" name="callbackUrl" value=callback_url/>
            {fields}
            <button type="submit" disabled=move || pending.get()>"Sign in with " {info.name.clone()}</button>
        </form>
    }
}
