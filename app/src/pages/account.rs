//! `/account`: who you are and how you can sign in: link another provider, or unlink one
//! (never the last way in).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::{
    client::BASE_PATH,
    get_linked_accounts,
    pages::CsrfField,
    types::{AuthErrorCode, LinkedAccount},
    use_session, Protected,
};

/// Where the page lives (links and unlinks come back here).
pub const PATH: &str = "/account";

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Account"/>
        <Protected>
            <AccountDetails/>
        </Protected>
    }
}

#[component]
fn AccountDetails() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let message = move || {
        query.read().get("error").map(|code| match code.as_str() {
            "LastSignInMethod" => {
                "This is your only way to sign in: link another one before removing it."
            }
            other => AuthErrorCode::parse(other).message(),
        })
    };
    let linked = Resource::new(|| (), |_| get_linked_accounts());
    view! {
        <h1>"Your account"</h1>
        {move || session.data().get().map(|s| view! {
            <p>{s.user.name.clone().unwrap_or_default()} " · " {s.user.email.clone().unwrap_or_default()}</p>
        })}
        {move || message().map(|m| view! { <p class="auth-error" role="alert">{m}</p> })}
        <h2>"Ways to sign in"</h2>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match linked.await {
                    Ok(list) => view! {
                        <ul class="linked">
                            {list.into_iter().map(|account| view! { <LinkedRow account/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(_) => view! { <p class="auth-error" role="alert">{AuthErrorCode::Default.message()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LinkedRow(account: LinkedAccount) -> impl IntoView {
    let is_oauth = matches!(account.kind.as_str(), "oauth" | "oidc");
    let action = match (account.linked, is_oauth) {
        (true, true) => view! {
            <form method="post" action=format!("{BASE_PATH}/unlink/{}", account.id) class="inline">
                <CsrfField/>
                <input type="hidden" name="callbackUrl" value=PATH/>
                <button type="submit" class="secondary">"Unlink"</button>
            </form>
        }
        .into_any(),
        (false, true) => view! {
            <form method="post" action=format!("{BASE_PATH}/signin/{}", account.id) class="inline">
                <CsrfField/>
                <input type="hidden" name="callbackUrl" value=PATH/>
                <button type="submit">"Link"</button>
            </form>
        }
        .into_any(),
        (true, false) => view! { <span class="muted">"set up"</span> }.into_any(),
        (false, false) => view! { <span class="muted">"not set up"</span> }.into_any(),
    };
    view! {
        <li data-provider=account.id.clone()>
            <span class="provider-name">{account.name.clone()}</span>
            <span class="state">{if account.linked { "linked" } else { "not linked" }}</span>
            {action}
        </li>
    }
}
