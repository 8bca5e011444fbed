//! `/account`: who you are and how you can sign in: link another provider, or unlink one
//! (never the last way in).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::{
    client::base_path,
    form::{auth_form_input, auth_query_input, AuthForm, AuthQuery, FormFields},
    get_linked_accounts,
    json::AuthJsonOutput,
    pages::CsrfField,
    types::SessionStatus,
    types::{AuthErrorCode, AuthFnError, AuthRedirect, LinkedAccount, SessionInfo, SessionList},
    use_session, use_session_required,
};

/// Where the page lives (links and unlinks come back here).
pub const PATH: &str = "/account";

/// `GET /api/account/sessions`: the signed-in user's sessions (database strategy).
///
/// # Errors
/// `SessionRequired` (401) without a session; `Unavailable` (503) if the database is down.
#[server(prefix = "/api/account", endpoint = "sessions", input = AuthQuery, output = AuthJsonOutput)]
pub async fn get_sessions() -> Result<SessionList, AuthFnError> {
    use crate::auth::ssr::{context, flows::linked_accounts, reply::Reply};
    let (auth, req) = context::auth_and_request()?;
    context::no_store();
    Ok(context::send(Reply::new(
        linked_accounts::sessions(&auth, &req).await?,
    )))
}

/// `POST /api/account/sessions/revoke` (`csrfToken`, `session` = an id, `others` or
/// `everywhere`, `callbackUrl`): signs those sessions out (`everywhere`: every session of the
/// user, JWT ones included, this one too), then back to the page.
///
/// # Errors
/// Only when auth is not mounted; other failures are redirects, as for the auth routes.
#[server(prefix = "/api/account", endpoint = "sessions/revoke", input = AuthForm, output = AuthJsonOutput)]
pub async fn revoke_sessions(
    /// The submitted fields.
    form: FormFields,
) -> Result<AuthRedirect, AuthFnError> {
    use crate::auth::ssr::{context, flows::linked_accounts};
    let (auth, req) = context::auth_and_request()?;
    let result = linked_accounts::revoke_sessions(&auth, &req, &form).await;
    Ok(context::finish(&auth, &req, result, Some(PATH)))
}

auth_query_input!(GetSessions);
auth_form_input!(RevokeSessions);

/// The account page. It uses the `required` mode of the session (next-auth's
/// `useSession({ required: true })`): signed out, here or in another tab, the visitor is sent
/// to sign-in and comes back after.
#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session_required(None);
    view! {
        <Title text="Account"/>
        {move || match session.status().get() {
            SessionStatus::Authenticated => view! { <AccountDetails/> }.into_any(),
            _ => view! { <p class="muted">"Loading…"</p> }.into_any(),
        }}
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
    let sessions = Resource::new(|| (), |_| get_sessions());
    view! {
        <h1>"Your account"</h1>
        {move || session.data().get().map(|s| view! {
            <p>{s.user.name.clone().unwrap_or_default()} " · " {s.user.email.clone().unwrap_or_default()}</p>
        })}
        {move || message().map(|m| view! { <p class="auth-error" role="alert">{m}</p> })}
        <DisplayName/>
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
        <h2>"Sessions"</h2>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(list) if list.listed => view! {
                        <ul class="sessions">
                            {list.sessions.into_iter().map(|info| view! { <SessionRow info/> }).collect_view()}
                        </ul>
                        <form method="post" action="/api/account/sessions/revoke" class="inline">
                            <CsrfField/>
                            <input type="hidden" name="session" value="others"/>
                            <input type="hidden" name="callbackUrl" value=PATH/>
                            <button type="submit" class="secondary">"Sign out all other sessions"</button>
                        </form>
                    }.into_any(),
                    Ok(_) => view! {
                        <p class="muted">"Sessions are signed tokens (JWT): each lasts until it expires, at most 30 days after its sign-in. Use the database session strategy to list them here one by one."</p>
                    }.into_any(),
                    Err(_) => view! { <p class="auth-error" role="alert">{AuthErrorCode::Default.message()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <form method="post" action="/api/account/sessions/revoke" class="inline">
            <CsrfField/>
            <input type="hidden" name="session" value="everywhere"/>
            <input type="hidden" name="callbackUrl" value=PATH/>
            <button type="submit" class="secondary">"Sign out everywhere"</button>
        </form>
    }
}

/// Changes the name shown for this session with `use_session().update({name})`: the server's
/// `jwt` callback (trigger `update`) takes it into the token, and the page script refreshes the
/// rest of the page (the nav shows the new name) and tells the other tabs. An island: the one
/// part of this page that runs in the browser, so it needs JavaScript.
#[island]
fn DisplayName() -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<bool>);
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = name.get_untracked();
        leptos::task::spawn_local(async move {
            let result = session.update(&NameUpdate { name: value }).await;
            saved.set(Some(result.is_ok()));
        });
    };
    view! {
        <form class="inline display-name" on:submit=on_submit>
            <label>"Display name "
                <input type="text" name="name" maxlength="80" required
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            " "
            <button type="submit" class="secondary">"Update session"</button>
            {move || saved.get().map(|ok| if ok {
                view! { <span class="muted" role="status">" Saved"</span> }.into_any()
            } else {
                view! { <span class="auth-error" role="alert">" Could not save"</span> }.into_any()
            })}
        </form>
    }
}

/// The data of the display-name update (what the `jwt` callback reads).
#[derive(serde::Serialize)]
struct NameUpdate {
    name: String,
}

#[component]
fn SessionRow(info: SessionInfo) -> impl IntoView {
    let started = info
        .created_at
        .as_deref()
        .map(|at| format!("started {}", at.get(..16).unwrap_or(at).replace('T', " ")))
        .unwrap_or_else(|| "started earlier".into());
    let expires = format!(
        "expires {}",
        info.expires.get(..10).unwrap_or(&info.expires)
    );
    let browser = info
        .user_agent
        .clone()
        .unwrap_or_else(|| "Unknown browser".into());
    view! {
        <li data-session=info.id>
            <span class="provider-name">{browser}</span>
            <span class="state">{started} " · " {expires}</span>
            {if info.current {
                view! { <strong>"This session"</strong> }.into_any()
            } else {
                view! {
                    <form method="post" action="/api/account/sessions/revoke" class="inline">
                        <CsrfField/>
                        <input type="hidden" name="session" value=info.id.to_string()/>
                        <input type="hidden" name="callbackUrl" value=PATH/>
                        <button type="submit" class="secondary">"Sign out"</button>
                    </form>
                }.into_any()
            }}
        </li>
    }
}

#[component]
fn LinkedRow(account: LinkedAccount) -> impl IntoView {
    let is_oauth = matches!(account.kind.as_str(), "oauth" | "oidc");
    let action = match (account.linked, is_oauth) {
        (true, true) => view! {
            <form method="post" action=format!("{}/unlink/{}", base_path(), account.id) class="inline">
                <CsrfField/>
                <input type="hidden" name="callbackUrl" value=PATH/>
                <button type="submit" class="secondary">"Unlink"</button>
            </form>
        }
        .into_any(),
        // Linking leaves for the provider: the browser posts it (`data-native`).
        (false, true) => view! {
            <form method="post" action=format!("{}/signin/{}", base_path(), account.id) class="inline" data-native="">
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
