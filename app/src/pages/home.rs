//! `/`: who you are.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::{url::sign_in_href, use_session};

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Home"/>
        <h1>"Leptos Auth"</h1>
        {move || match session.data().get() {
            Some(s) => view! {
                <p class="status">"You are signed in as " <strong>{s.user.name.clone().or(s.user.email.clone()).unwrap_or_default()}</strong> "."</p>
                <p><a href="/protected">"Open the protected page"</a></p>
            }.into_any(),
            None => view! {
                <p class="status">"You are not signed in."</p>
                <p><a href=sign_in_href(None, None)>"Sign in"</a> " or " <a href="/register">"create an account"</a> "."</p>
            }.into_any(),
        }}
    }
}
