//! What every built-in page is made of: the themed card and the hidden CSRF field.

use leptos::prelude::*;

use crate::auth::{
    client::{from_request, use_session},
    types::PageAuth,
};

/// The card every built-in page is drawn in, in the configured theme (colours as CSS custom
/// properties, the colour scheme as a class, the logo above the card). Rendered on the server.
#[component]
pub fn AuthCard(children: Children) -> impl IntoView {
    let theme = from_request::<PageAuth>()
        .map(|page| page.theme)
        .unwrap_or_default();
    let class = format!("auth-page {}", theme.color_scheme.class());
    let logo = theme
        .logo
        .clone()
        .map(|src| view! { <img class="auth-logo" src=src alt=""/> });
    view! {
        <div class=class style=theme.css_vars()>
            {logo}
            <div class="auth-card">{children()}</div>
        </div>
    }
}

/// The hidden `csrfToken` field of every auth form (in an island too: it follows the page's
/// token).
#[component]
pub fn CsrfField() -> impl IntoView {
    let session = use_session();
    view! { <input type="hidden" name="csrfToken" prop:value=move || session.csrf_token().get() value=session.csrf_token().get_untracked()/> }
}
