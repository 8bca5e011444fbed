//! What every built-in page is made of: the themed card, the hidden CSRF field, and the fields
//! of a submitted form (for the enhanced, in-the-background submit).

use leptos::{ev::SubmitEvent, prelude::*};
use wasm_bindgen::JsCast;

use crate::auth::{client::use_session, form::FormFields};

/// The card every built-in page is drawn in, in the configured theme (colours as CSS custom
/// properties, the colour scheme as a class, the logo above the card).
#[component]
pub fn AuthCard(children: Children) -> impl IntoView {
    let theme = use_session().theme();
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

/// The fields of the form an event was submitted from (browser only).
pub fn submitted_fields(event: &SubmitEvent) -> FormFields {
    let Some(form) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return FormFields::new();
    };
    let Ok(data) = web_sys::FormData::new_with_form(&form) else {
        return FormFields::new();
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else {
        return FormFields::new();
    };
    let encoded: String = params.to_string().into();
    FormFields::parse_urlencoded(encoded.as_bytes())
}

/// The hidden `csrfToken` field of every auth form.
#[component]
pub fn CsrfField() -> impl IntoView {
    let session = use_session();
    view! { <input type="hidden" name="csrfToken" prop:value=move || session.csrf_token().get() value=session.csrf_token().get_untracked()/> }
}
