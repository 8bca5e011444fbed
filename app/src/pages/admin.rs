//! `/admin`: only for users with the `admin` role.
//!
//! The role is put in the token by the server's `jwt` callback and exposed by its `session`
//! callback (`app/src/pages/hooks.rs`). The server's `authorized` callback refuses the page to
//! everyone else before it renders (a 403, or sign-in when signed out); `<Protected allow>`
//! does the same for navigation inside the hydrated app.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::{types::Session, use_session, Protected};

/// The role this page needs.
pub const ROLE: &str = "admin";

/// Whether a session carries the admin role.
pub fn is_admin(session: &Session) -> bool {
    session.user.extra.get("role").and_then(|r| r.as_str()) == Some(ROLE)
}

/// The admin page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Admin"/>
        <Protected allow=Callback::new(|s: Session| is_admin(&s))>
            <h1>"Admin"</h1>
            <p data-testid="admin-only">"Only the admin role sees this. Signed in as "
                <strong>{move || session.data().get().and_then(|s| s.user.email).unwrap_or_default()}</strong>
            </p>
        </Protected>
    }
}
