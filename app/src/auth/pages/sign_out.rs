//! `GET /api/auth/signout`: "Are you sure?", and the sign-out button used in the starter's nav.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{AuthCard, CsrfField};
use crate::auth::{
    client::{sign_out, SignOutOptions, BASE_PATH},
    fetch::current_origin,
    url::{local_callback, to_local},
};

/// The built-in sign-out page.
#[component]
pub fn SignOutPage() -> impl IntoView {
    let query = use_query_map();
    let callback_url = Signal::derive(move || {
        query
            .read()
            .get("callbackUrl")
            .and_then(|u| local_callback(&u))
            .unwrap_or_else(|| "/".into())
    });
    view! {
        <leptos_meta::Title text="Sign out"/>
        <AuthCard>
            <h1>"Sign out"</h1>
            <p>"Are you sure you want to sign out?"</p>
            <SignOutButton callback_url/>
        </AuthCard>
    }
}

/// A form that signs out: a plain POST without JavaScript, a background request with it.
#[component]
pub fn SignOutButton(
    /// Where to go afterwards.
    #[prop(into)]
    callback_url: Signal<String>,
    /// Button text.
    #[prop(optional, into)]
    label: Option<String>,
) -> impl IntoView {
    let navigate = use_navigate();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let navigate = navigate.clone();
        let redirect_to = callback_url.get_untracked();
        spawn_local(async move {
            let options = SignOutOptions {
                redirect_to: Some(redirect_to.clone()),
                redirect: false,
            };
            let target = match sign_out(options).await {
                Ok(response) => response.url,
                Err(_) => redirect_to,
            };
            match to_local(&target, current_origin().as_deref()) {
                Some(path) => navigate(&path, Default::default()),
                None => crate::auth::fetch::assign_location(&target),
            }
        });
    };
    view! {
        <form method="post" action=format!("{BASE_PATH}/signout") class="inline" on:submit=on_submit>
            <CsrfField/>
            <input type="hidden" name="callbackUrl" value=callback_url/>
            <button type="submit">{label.unwrap_or_else(|| "Sign out".into())}</button>
        </form>
    }
}
