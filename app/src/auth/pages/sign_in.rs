//! `GET /api/auth/signin`: one form per provider, and the `?error=` message.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::card::{AuthCard, CsrfField};
use crate::auth::{
    client::base_path,
    server_fns::get_providers,
    types::{AuthErrorCode, ProviderInfo},
    url::local_callback,
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
///
/// A refused sign-in comes back to the page with `?error=` (and `&code=`), which the message
/// shows; with JavaScript the page script does that round trip in the background and keeps what
/// was typed.
#[component]
pub fn SignInForms() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        let query = query.read();
        query
            .get("error")
            .map(|e| (AuthErrorCode::parse(&e), query.get("code")))
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
                        .map(|info| view! { <ProviderForm info callback_url/> })
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
fn ProviderForm(info: ProviderInfo, callback_url: Signal<String>) -> impl IntoView {
    match info.kind.as_str() {
        // Email: an address, posting to `/signin/email`, then "check your email".
        "email" => view! {
            <form method="post" action=format!("{}/signin/{}", base_path(), info.id)>
                <CsrfField/>
                <input type="hidden" name="callbackUrl" value=callback_url/>
                <label>"Email address" <input type="email" name="email" required autocomplete="email"/></label>
                <button type="submit">"Sign in with " {info.name}</button>
            </form>
        }
        .into_any(),
        // Credentials: email and password, posting to `/callback/credentials`.
        "credentials" => view! {
            <form method="post" action=format!("{}/callback/{}", base_path(), info.id)>
                <CsrfField/>
                <input type="hidden" name="callbackUrl" value=callback_url/>
                <label>"Email" <input type="email" name="email" required autocomplete="email"/></label>
                <label>"Password" <input type="password" name="password" required autocomplete="current-password"/></label>
                <button type="submit">"Sign in with " {info.name}</button>
            </form>
        }
        .into_any(),
        // Passkeys (WebAuthn) need JavaScript: a template shows nothing without it, and
        // public/passkey.js puts the form in place. The address is only needed to create a
        // passkey (Auth.js: an address with no user signs up); to sign in, the browser offers
        // this site's passkeys, also in the field's autofill.
        // The template sits alone in its own element, so that the form put beside it stays out
        // of the way when the page script morphs the page (its siblings keep their places).
        "webauthn" => view! {
            <div class="passkey-slot"><template data-passkey="signin" data-base=base_path()>
                <form class="passkey" data-passkey-form="">
                    <CsrfField/>
                    <input type="hidden" name="callbackUrl" value=callback_url/>
                    <label>"Email (to create a passkey)"
                        <input type="email" name="email" autocomplete="username webauthn"/></label>
                    <button type="submit" data-testid="passkey-signin">"Sign in with " {info.name}</button>
                    <p class="muted" role="status" data-passkey-message=""></p>
                </form>
            </template></div>
        }
        .into_any(),
        // OAuth and OIDC: the browser leaves for the provider, so the page script leaves the
        // post to the browser (`data-native`).
        _ => {
            let style = info
                .style
                .as_ref()
                .map(|s| format!("background-color: {}", s.brand_color));
            view! {
                <form method="post" action=format!("{}/signin/{}", base_path(), info.id) data-native="">
                    <CsrfField/>
                    <input type="hidden" name="callbackUrl" value=callback_url/>
                    <button type="submit" class="provider" style=style>"Sign in with " {info.name}</button>
                </form>
            }
            .into_any()
        }
    }
}
