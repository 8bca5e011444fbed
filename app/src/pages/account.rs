//! `/account`: who you are and how you can sign in: link another provider, or unlink one
//! (never the last way in).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::{
    client::{base_path, from_request},
    form::{auth_form_input, auth_query_input, AuthForm, AuthQuery, FormFields},
    get_linked_accounts,
    json::AuthJsonOutput,
    pages::CsrfField,
    types::SessionStatus,
    types::{
        AuthErrorCode, AuthFnError, AuthRedirect, FormEcho, LinkedAccount, PasskeyInfo,
        SessionInfo, SessionList, TwoFactorStatus,
    },
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

/// The `FormEcho` form name under which fresh recovery codes wait for the next render of the
/// page (shown once, never stored in the clear).
const RECOVERY_CODES: &str = "recovery-codes";

/// `GET /api/account/two-factor`: the signed-in user's second factor; during a setup, the
/// secret and its QR code (an SVG rendered on the server).
///
/// # Errors
/// `SessionRequired` (401) without a session; `Unavailable` (503) if the database is down.
#[server(prefix = "/api/account", endpoint = "two-factor", input = AuthQuery, output = AuthJsonOutput)]
pub async fn get_two_factor() -> Result<TwoFactorStatus, AuthFnError> {
    use crate::auth::{
        ssr::{context, flows::second_factor::enrol, reply::Reply},
        types::TwoFactorSetup,
    };
    let (auth, req) = context::auth_and_request()?;
    context::no_store();
    let status = enrol::status(&auth, &req).await?;
    let setup = status.setup.map(|setup| TwoFactorSetup {
        qr_svg: qrcode::QrCode::new(setup.otpauth_url.as_bytes())
            .map(|qr| {
                let svg = qr
                    .render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(200, 200)
                    .build();
                // Inline in the page: the `<svg>` element without the XML declaration.
                svg.find("<svg")
                    .map_or(svg.clone(), |at| svg[at..].to_owned())
            })
            .unwrap_or_default(),
        secret: setup.secret,
        otpauth_url: setup.otpauth_url,
    });
    Ok(context::send(Reply::new(TwoFactorStatus {
        available: status.available,
        enabled: status.enabled,
        recovery_codes_left: status.recovery_codes_left,
        setup,
    })))
}

/// `POST /api/account/two-factor/setup` (`csrfToken`, `callbackUrl`): starts setting up an
/// authenticator app; the page then shows its QR code.
///
/// # Errors
/// Only when auth is not mounted; other failures are redirects.
#[server(prefix = "/api/account", endpoint = "two-factor/setup", input = AuthForm, output = AuthJsonOutput)]
pub async fn start_two_factor(form: FormFields) -> Result<AuthRedirect, AuthFnError> {
    use crate::auth::ssr::{context, flows::second_factor::enrol};
    let (auth, req) = context::auth_and_request()?;
    let result = enrol::begin(&auth, &req, &form).await;
    Ok(context::finish(&auth, &req, result, Some(PATH)))
}

/// `POST /api/account/two-factor/enable` (`csrfToken`, `code`, `callbackUrl`): the first code
/// from the app turns the second factor on; the page shows the recovery codes once.
///
/// # Errors
/// Only when auth is not mounted; other failures are redirects.
#[server(prefix = "/api/account", endpoint = "two-factor/enable", input = AuthForm, output = AuthJsonOutput)]
pub async fn enable_two_factor(form: FormFields) -> Result<AuthRedirect, AuthFnError> {
    use crate::auth::ssr::{context, flows::second_factor::enrol};
    let (auth, req) = context::auth_and_request()?;
    let result = match enrol::confirm(&auth, &req, &form).await {
        Ok((reply, codes)) => {
            if !codes.is_empty() {
                context::remember_form(FormEcho {
                    form: RECOVERY_CODES.into(),
                    error: String::new(),
                    values: codes.into_iter().map(|c| ("code".to_owned(), c)).collect(),
                })
                .await;
            }
            Ok(reply)
        }
        Err(error) => Err(error),
    };
    Ok(context::finish(&auth, &req, result, Some(PATH)))
}

/// `POST /api/account/two-factor/disable` (`csrfToken`, `code`, `callbackUrl`): a current code
/// or a recovery code turns the second factor off.
///
/// # Errors
/// Only when auth is not mounted; other failures are redirects.
#[server(prefix = "/api/account", endpoint = "two-factor/disable", input = AuthForm, output = AuthJsonOutput)]
pub async fn disable_two_factor(form: FormFields) -> Result<AuthRedirect, AuthFnError> {
    use crate::auth::ssr::{context, flows::second_factor::enrol};
    let (auth, req) = context::auth_and_request()?;
    let result = enrol::disable(&auth, &req, &form).await;
    Ok(context::finish(&auth, &req, result, Some(PATH)))
}

/// `GET /api/account/passkeys`: the signed-in user's passkeys (name, added, last used).
///
/// # Errors
/// `SessionRequired` (401) without a session; `Unavailable` (503) if the database is down.
#[server(prefix = "/api/account", endpoint = "passkeys", input = AuthQuery, output = AuthJsonOutput)]
pub async fn get_passkeys() -> Result<Vec<PasskeyInfo>, AuthFnError> {
    use crate::auth::ssr::{context, flows::passkey::manage, reply::Reply};
    let (auth, req) = context::auth_and_request()?;
    context::no_store();
    Ok(context::send(Reply::new(manage::list(&auth, &req).await?)))
}

/// `POST /api/account/passkeys/remove` (`csrfToken`, `credentialId`, `callbackUrl`): removes
/// one passkey, never the last way to sign in (`?error=LastSignInMethod`).
///
/// # Errors
/// Only when auth is not mounted; other failures are redirects.
#[server(prefix = "/api/account", endpoint = "passkeys/remove", input = AuthForm, output = AuthJsonOutput)]
pub async fn remove_passkey(form: FormFields) -> Result<AuthRedirect, AuthFnError> {
    use crate::auth::ssr::{context, flows::passkey::manage};
    let (auth, req) = context::auth_and_request()?;
    let result = manage::remove(&auth, &req, &form).await;
    Ok(context::finish(&auth, &req, result, Some(PATH)))
}

auth_query_input!(GetSessions, GetTwoFactor, GetPasskeys);
auth_form_input!(
    RevokeSessions,
    StartTwoFactor,
    EnableTwoFactor,
    DisableTwoFactor,
    RemovePasskey
);

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
            "TwoFactorCode" => "That code is not valid. Enter the current code from your app.",
            "TwoFactorLimit" => "Too many attempts. Please wait a few minutes and try again.",
            "TwoFactorState" => "Two-step verification changed meanwhile: check it below.",
            "TwoFactorUnavailable" => "Two-step verification is turned off on this site.",
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
        <TwoFactorSection/>
        <PasskeySection linked/>
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

/// Two-step verification: set up an authenticator app (QR code and secret, then a first code),
/// the recovery codes once, and turning it off with a code. Rendered on the server: works
/// without JavaScript.
#[component]
fn TwoFactorSection() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_two_factor());
    let fresh_codes = from_request::<FormEcho>()
        .filter(|echo| echo.form == RECOVERY_CODES)
        .map(|echo| {
            echo.values
                .into_iter()
                .map(|(_, code)| code)
                .collect::<Vec<_>>()
        });
    let code_field = || {
        view! {
            <label>"Code "
                <input type="text" name="code" required autocomplete="one-time-code"
                    autocapitalize="none" spellcheck="false" maxlength="16"/>
            </label>
        }
    };
    view! {
        <h2>"Two-step verification"</h2>
        {fresh_codes.map(|codes| view! {
            <div class="recovery-codes" data-testid="recovery-codes">
                <p><strong>"Save these recovery codes now."</strong>
                    " Each signs you in once if you lose your authenticator app. They will not be shown again."</p>
                <ul>{codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}</ul>
            </div>
        })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(status) if status.enabled => view! {
                        <p data-testid="two-factor-state">{format!("On. {} recovery codes left.", status.recovery_codes_left)}</p>
                        <form method="post" action="/api/account/two-factor/disable" class="inline">
                            <CsrfField/>
                            <input type="hidden" name="callbackUrl" value=PATH/>
                            {code_field()}
                            " "
                            <button type="submit" class="secondary">"Turn off"</button>
                        </form>
                    }.into_any(),
                    Ok(TwoFactorStatus { setup: Some(setup), .. }) => view! {
                        <p>"Scan this QR code with your authenticator app, then enter the code it shows."</p>
                        <div class="qr" inner_html=setup.qr_svg></div>
                        <p class="muted">"Or enter this key: " <code data-testid="totp-secret">{setup.secret}</code></p>
                        <form method="post" action="/api/account/two-factor/enable" class="inline">
                            <CsrfField/>
                            <input type="hidden" name="callbackUrl" value=PATH/>
                            {code_field()}
                            " "
                            <button type="submit">"Turn on"</button>
                        </form>
                    }.into_any(),
                    Ok(status) if status.available => view! {
                        <p data-testid="two-factor-state">"Off. Add a code from an authenticator app to every sign-in."</p>
                        <form method="post" action="/api/account/two-factor/setup" class="inline">
                            <CsrfField/>
                            <input type="hidden" name="callbackUrl" value=PATH/>
                            <button type="submit">"Set up an authenticator app"</button>
                        </form>
                    }.into_any(),
                    Ok(_) => view! { <p class="muted">"Two-step verification is turned off on this site."</p> }.into_any(),
                    Err(_) => view! { <p class="auth-error" role="alert">{AuthErrorCode::Default.message()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The user's passkeys: the list with a remove button each (works without JavaScript), and
/// "Add a passkey", which needs JavaScript (a template that public/passkey.js fills in). Shown
/// when the passkey provider is on.
#[component]
fn PasskeySection(
    /// The page's linked-accounts resource: whether the passkey provider is on (read once per
    /// page, shared with "Ways to sign in").
    linked: Resource<Result<Vec<LinkedAccount>, AuthFnError>>,
) -> impl IntoView {
    let passkeys = Resource::new(|| (), |_| get_passkeys());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let enabled = linked
                    .await
                    .map(|list| list.iter().any(|a| a.kind == "webauthn"))
                    .unwrap_or(false);
                if !enabled {
                    return ().into_any();
                }
                let list = passkeys.await.unwrap_or_default();
                view! {
                    <h2>"Passkeys"</h2>
                    {if list.is_empty() {
                        view! { <p class="muted" data-testid="passkeys-none">"No passkeys yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="passkeys" data-testid="passkeys">
                                {list.into_iter().map(|info| view! { <PasskeyRow info/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <div class="passkey-slot"><template data-passkey="add" data-base=base_path()>
                        <form class="inline passkey" data-passkey-form="">
                            <CsrfField/>
                            <input type="hidden" name="callbackUrl" value=PATH/>
                            <label>"Name " <input type="text" name="name" maxlength="64" placeholder="This laptop"/></label>
                            " "
                            <button type="submit" data-testid="passkey-add">"Add a passkey"</button>
                            <span class="muted" role="status" data-passkey-message=""></span>
                        </form>
                    </template></div>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn PasskeyRow(info: PasskeyInfo) -> impl IntoView {
    let day = |at: &Option<String>| {
        at.as_deref()
            .map(|at| at.get(..10).unwrap_or(at).to_owned())
    };
    let added = day(&info.created_at).map_or_else(String::new, |d| format!("added {d}"));
    let used = day(&info.last_used_at)
        .map_or_else(|| "never used".to_owned(), |d| format!("last used {d}"));
    let id = info.id.clone();
    view! {
        <li data-passkey-id=id>
            <span class="provider-name">{info.name.clone()}</span>
            <span class="state">{added} " · " {used} {info.synced.then_some(" · synced")}</span>
            <form method="post" action="/api/account/passkeys/remove" class="inline">
                <CsrfField/>
                <input type="hidden" name="credentialId" value=info.id/>
                <input type="hidden" name="callbackUrl" value=PATH/>
                <button type="submit" class="secondary">"Remove"</button>
            </form>
        </li>
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
