//! `GET /api/auth/signout`: "Are you sure?", and the sign-out button used in the starter's nav.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::card::{AuthCard, CsrfField};
use crate::auth::{client::base_path, url::local_callback};

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

/// A form that signs out and goes to `callback_url`: a plain POST (in the background with
/// JavaScript, through the page script, which then tells the other tabs).
#[component]
pub fn SignOutButton(
    /// Where to go afterwards.
    #[prop(into)]
    callback_url: Signal<String>,
    /// Button text.
    #[prop(optional, into)]
    label: Option<String>,
) -> impl IntoView {
    view! {
        <form method="post" action=format!("{}/signout", base_path()) class="inline">
            <CsrfField/>
            <input type="hidden" name="callbackUrl" value=callback_url/>
            <button type="submit">{label.unwrap_or_else(|| "Sign out".into())}</button>
        </form>
    }
}
