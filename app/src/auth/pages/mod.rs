//! The built-in pages under the base path: plain HTML forms that post to the auth routes (so
//! they work with JavaScript off), enhanced after hydration to submit in the background, keep
//! what was typed on errors, and navigate without a full page load.

use leptos::{ev::SubmitEvent, prelude::*};
use wasm_bindgen::JsCast;

use super::form::FormFields;

mod error;
mod sign_in;
mod sign_out;
mod verify_request;

pub use error::ErrorPage;
pub use sign_in::{SignInForms, SignInPage};
pub use sign_out::{SignOutButton, SignOutPage};
pub use verify_request::VerifyRequestPage;

/// The card every built-in page is drawn in, in the configured theme (colours as CSS custom
/// properties, the colour scheme as a class, the logo above the card).
#[component]
pub fn AuthCard(children: Children) -> impl IntoView {
    let theme = super::client::use_session().theme();
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
    let session = super::client::use_session();
    view! { <input type="hidden" name="csrfToken" prop:value=move || session.csrf_token().get() value=session.csrf_token().get_untracked()/> }
}
