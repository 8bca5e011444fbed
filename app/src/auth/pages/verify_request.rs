//! `GET /api/auth/verify-request`: "check your email", after a magic link was sent.

use leptos::prelude::*;

use super::card::AuthCard;

/// The built-in "check your email" page.
#[component]
pub fn VerifyRequestPage() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Check your email"/>
        <AuthCard>
            <h1>"Check your email"</h1>
            <p>"A sign in link has been sent to your email address."</p>
            <p><a href="/">"Back to the site"</a></p>
        </AuthCard>
    }
}
