//! `GET /api/auth/signout`: "Are you sure?", and the sign-out button used in the starter's nav.

use leptos::{prelude::*, task::spawn_local_scoped};
use leptos_router::hooks::{use_navigate, use_query_map};

use super::card::{AuthCard, CsrfField};
use crate::auth::{
    client::{base_path, request_sign_out, use_session},
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
    let session = use_session();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let navigate = navigate.clone();
        let redirect_to = callback_url.get_untracked();
        spawn_local_scoped(async move {
            let Ok(response) = request_sign_out(Some(session), Some(redirect_to.clone())).await
            else {
                // The request failed: fall back to the plain form post.
                crate::auth::fetch::assign_location(&crate::auth::url::sign_in_href(None, None));
                return;
            };
            let signed_out = crate::auth::client::error_of(&response.url).0.is_none();
            match to_local(&response.url, current_origin().as_deref()) {
                Some(path) => navigate(&path, Default::default()),
                None => crate::auth::fetch::assign_location(&response.url),
            }
            if signed_out {
                // After the navigation has rendered: clearing the session first would let a
                // protected page we are leaving redirect to sign-in.
                set_timeout(move || session.set(None), std::time::Duration::ZERO);
            }
        });
    };
    view! {
        <form method="post" action=format!("{}/signout", base_path()) class="inline" on:submit=on_submit>
            <CsrfField/>
            <input type="hidden" name="callbackUrl" value=callback_url/>
            <button type="submit">{label.unwrap_or_else(|| "Sign out".into())}</button>
        </form>
    }
}
