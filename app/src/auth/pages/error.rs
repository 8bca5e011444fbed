//! `GET /api/auth/error?error=CODE`: the message for the code, with Auth.js's status (500 for
//! `Configuration`, 403 for `AccessDenied` and `Verification`, 200 otherwise).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::card::AuthCard;
use crate::auth::{types::AuthErrorCode, url::sign_in_href};

/// The built-in error page.
#[component]
pub fn ErrorPage() -> impl IntoView {
    let query = use_query_map();
    let code = query
        .read_untracked()
        .get("error")
        .map_or(AuthErrorCode::Default, |e| AuthErrorCode::parse(&e));
    crate::auth::http_status(code.status());
    let heading = match code {
        AuthErrorCode::Configuration => "Server error",
        AuthErrorCode::AccessDenied => "Access denied",
        AuthErrorCode::Verification => "Unable to sign in",
        AuthErrorCode::Unavailable => "Temporarily unavailable",
        _ => "Error",
    };
    view! {
        <leptos_meta::Title text=heading/>
        <AuthCard>
            <h1>{heading}</h1>
            <p role="alert">{code.message()}</p>
            <p><a href=sign_in_href(None, None)>"Sign in"</a></p>
        </AuthCard>
    }
}
