//! `GET /api/auth/two-factor`: the second step of a sign-in, for a user whose second factor is
//! on. One field takes a code from their authenticator app or a recovery code; it posts to
//! `POST /api/auth/two-factor`, and a refused code comes back here with its message.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::card::{AuthCard, CsrfField};
use crate::auth::{client::base_path, types::AuthErrorCode, url::sign_in_href};

/// The built-in second-step page.
#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        let query = query.read();
        query
            .get("error")
            .map(|e| AuthErrorCode::parse(&e).message_with(query.get("code").as_deref()))
    };
    view! {
        <leptos_meta::Title text="Two-step verification"/>
        <AuthCard>
            <h1>"Two-step verification"</h1>
            {move || error().map(|message| view! { <p class="auth-error" role="alert">{message}</p> })}
            <p>"Enter the code from your authenticator app, or one of your recovery codes."</p>
            <form method="post" action=format!("{}/two-factor", base_path())>
                <CsrfField/>
                <label>"Code"
                    <input type="text" name="code" required autocomplete="one-time-code"
                        autocapitalize="none" spellcheck="false" maxlength="16" autofocus/>
                </label>
                <button type="submit">"Verify"</button>
            </form>
            <p class="muted"><a href=sign_in_href(None, None)>"Sign in again"</a></p>
        </AuthCard>
    }
}
