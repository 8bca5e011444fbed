//! `/client-api`: every function of the client API behind a button, with its answer printed.
//!
//! It is the live version of the parity table in `docs/client-api.md` (next-auth's and
//! NextAuthClient's functions and their equivalents here), and what the end-to-end suite drives
//! to check each row. Copy the calls you need; delete the page.

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use serde::Serialize;

use crate::auth::{
    form::FormFields, get_csrf_token, get_linked_accounts, get_providers, get_session, sign_in,
    sign_out, use_session, SignInOptions, SignOutOptions,
};

/// The last answer, and how many calls have answered (so a test can wait for the next one).
#[derive(Clone, Copy)]
struct Output {
    text: RwSignal<String>,
    calls: RwSignal<u32>,
}

/// The data of `update` (what the starter's `jwt` callback reads).
#[derive(Serialize)]
struct NameUpdate {
    name: String,
}

/// Runs `call` in the background and prints its answer (JSON) or its error.
fn run<T, F>(out: Output, call: F)
where
    T: Serialize,
    F: std::future::Future<Output = Result<T, crate::auth::AuthFnError>> + 'static,
{
    spawn_local(async move {
        let text = match call.await {
            Ok(value) => crate::auth::json::to_string(&value).unwrap_or_default(),
            Err(error) => format!("error: {error}"),
        };
        out.text.set(text);
        out.calls.update(|n| *n += 1);
    });
}

/// The client API page.
#[component]
pub fn ClientApiPage() -> impl IntoView {
    view! {
        <Title text="Client API"/>
        <h1>"Client API"</h1>
        <p class="muted">"Each button calls one function of " <code>"app::auth"</code> " and prints what it returned."</p>
        <Playground/>
    }
}

/// The buttons and what they printed: an island, so its code runs in the browser.
#[island]
fn Playground() -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let out = Output {
        text: RwSignal::new(String::new()),
        calls: RwSignal::new(0),
    };
    let credentials = move || {
        FormFields::new()
            .set("email", email.get_untracked())
            .set("password", password.get_untracked())
    };
    let no_redirect = move |redirect_to: &str, fields: FormFields| SignInOptions {
        redirect_to: Some(redirect_to.to_owned()),
        redirect: false,
        fields,
    };

    view! {
        <p data-testid="live">
            "use_session(): " {move || format!("{:?}", session.status().get())} " · "
            {move || session.data().get().and_then(|s| s.user.name.or(s.user.email)).unwrap_or_default()}
        </p>
        <div class="client-api">
            <label>"Email " <input type="email" name="email" on:input=move |ev| email.set(event_target_value(&ev))/></label>
            <label>"Password " <input type="password" name="password" on:input=move |ev| password.set(event_target_value(&ev))/></label>
            <label>"New name " <input type="text" name="name" on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <button on:click=move |_| run(out, get_session())>"get_session"</button>
            <button on:click=move |_| run(out, get_csrf_token())>"get_csrf_token"</button>
            <button on:click=move |_| run(out, async { get_providers().await.map(|p| p.0.into_iter().map(|p| p.id).collect::<Vec<_>>()) })>"get_providers"</button>
            <button on:click=move |_| run(out, get_linked_accounts())>"get_linked_accounts"</button>
            <button on:click=move |_| run(out, sign_in("credentials", no_redirect("/client-api?signed=in", credentials()), &[]))>"sign_in credentials"</button>
            <button on:click=move |_| run(out, sign_in("email", no_redirect("/client-api", FormFields::new().set("email", email.get_untracked())), &[]))>"sign_in email"</button>
            <button on:click=move |_| run(out, sign_in("oidc", no_redirect("/client-api", FormFields::new()), &[("login_hint", "hint@example.com"), ("prompt", "login")]))>"sign_in oidc with authorization params"</button>
            <button on:click=move |_| {
                let options = SignInOptions { redirect_to: Some("/client-api?signed=in".into()), fields: credentials(), ..SignInOptions::default() };
                run(out, sign_in("credentials", options, &[]));
            }>"sign_in credentials and redirect"</button>
            <button on:click=move |_| run(out, sign_out(SignOutOptions { redirect_to: Some("/client-api?signed=out".into()), redirect: false }))>"sign_out"</button>
            <button on:click=move |_| run(out, async move { session.update(&NameUpdate { name: name.get_untracked() }).await })>"update"</button>
            <button on:click=move |_| run(out, async move { session.reload().await })>"reload"</button>
        </div>
        <pre data-testid="out" data-calls=move || out.calls.get()>{move || out.text.get()}</pre>
    }
}
