//! `<Protected>`: the route guard of protected pages, rendered on the server. Signed-out
//! visitors are sent to sign-in with a `callbackUrl` back to the page (a 302). A page that is
//! open when its session ends elsewhere is refreshed by the page script, which meets the same
//! redirect. (Inside an island, use `use_session_required` instead: router hooks are not
//! available there.)

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

use super::{client::use_session, types::SessionStatus};

/// Renders `children` only with a session (and, if given, when `allow` says yes).
#[component]
pub fn Protected(
    children: ChildrenFn,
    /// An extra check on the session (a role, say); refused visitors see `fallback`.
    #[prop(optional, into)]
    allow: Option<Callback<crate::auth::types::Session, bool>>,
    /// Shown when the session exists but `allow` refuses it.
    #[prop(optional, into)]
    fallback: Option<ViewFn>,
) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    move || match session.status().get() {
        SessionStatus::Loading => view! { <p class="muted">"Loading…"</p> }.into_any(),
        SessionStatus::Unauthenticated => {
            let search = location.search.get_untracked();
            let here = if search.is_empty() {
                location.pathname.get_untracked()
            } else {
                format!("{}?{search}", location.pathname.get_untracked())
            };
            view! { <Redirect path=session.sign_in_href(Some(&here))/> }.into_any()
        }
        SessionStatus::Authenticated => {
            let allowed = match (allow, session.data().get()) {
                (Some(allow), Some(data)) => allow.run(data),
                _ => true,
            };
            if allowed {
                children().into_any()
            } else {
                match &fallback {
                    Some(fallback) => fallback.run(),
                    None => view! { <p>"You do not have access to this page."</p> }.into_any(),
                }
            }
        }
    }
}
