//! `/protected`: only for signed-in users.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::{use_session, Protected};

/// A page that needs a session.
#[component]
pub fn ProtectedPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Protected"/>
        <Protected>
            <h1>"Protected page"</h1>
            <p>"Only signed-in users see this. Your email: "
                <strong>{move || session.data().get().and_then(|s| s.user.email).unwrap_or_default()}</strong>
            </p>
        </Protected>
    }
}
