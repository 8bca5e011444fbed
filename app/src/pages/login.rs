//! `/login`: a custom sign-in page (Auth.js's `pages.signIn`), to show how one is built.
//!
//! Point the configuration at it (`AUTH_PAGES_SIGN_IN=/login`, or `Pages { sign_in:
//! Some("/login".into()), .. }`) and every "please sign in" redirect, error redirect and
//! `<Protected>` guard sends visitors here instead of `/api/auth/signin`. It keeps the built-in
//! page's working part, [`SignInForms`], so errors, the `callbackUrl` and JavaScript-off posts
//! behave the same; only the frame is the app's.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::pages::SignInForms;

/// The starter's custom sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Log in"/>
        <section class="login">
            <h1>"Welcome back"</h1>
            <p class="muted">"Log in to the Leptos Auth starter."</p>
            <SignInForms/>
            <p class="muted">"New here? " <a href="/register">"Create an account"</a></p>
        </section>
    }
}
