//! The navigation bar: the signed-in user, or links to sign in.

use leptos::prelude::*;

use super::admin::is_admin;
use crate::auth::{pages::SignOutButton, use_session};

/// The navigation bar.
#[component]
pub fn Nav() -> impl IntoView {
    let session = use_session();
    view! {
        <header class="nav">
            <nav>
                <a href="/">"Home"</a>
                <a href="/protected">"Protected"</a>
            </nav>
            <div class="who">
                {move || match session.data().get() {
                    Some(s) => view! {
                        <span data-testid="signed-in-as">"Signed in as " <strong>{s.user.name.clone().or(s.user.email.clone()).unwrap_or_default()}</strong></span>
                        {is_admin(&s).then(|| view! { <a href="/admin">"Admin"</a> })}
                        <a href="/account">"Account"</a>
                        <SignOutButton callback_url="/"/>
                    }.into_any(),
                    None => view! {
                        <a href=session.sign_in_href(None)>"Sign in"</a>
                        <a href="/register">"Register"</a>
                    }.into_any(),
                }}
            </div>
        </header>
    }
}
