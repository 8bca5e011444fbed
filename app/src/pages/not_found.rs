//! The 404 page.

use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for unknown paths (the server answers 404).
#[component]
pub fn NotFound() -> impl IntoView {
    crate::auth::http_status(404);
    view! {
        <Title text="Not found"/>
        <h1>"Page not found"</h1>
        <p><a href="/">"Home"</a></p>
    }
}
