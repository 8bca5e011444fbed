//! The isomorphic client API: `<SessionProvider>`, `use_session()`, `sign_in`, `sign_out`.
//!
//! During SSR the provider takes the session the page middleware resolved from the request and
//! serializes it into the page (a `SharedValue`); hydration reads it back, so the first paint is
//! right and hydration makes no request. Afterwards the session is kept live the way
//! `next-auth/react`'s provider does: refetched when the tab becomes visible again, on an
//! optional interval, and when another tab of the same origin signs in, signs out or updates
//! (through the `next-auth` BroadcastChannel, with next-auth's message shape).

use http::request::Parts;
use leptos::{prelude::*, task::spawn_local};

use super::{
    fetch,
    form::FormFields,
    server_fns::{get_csrf_token, get_providers, get_session},
    types::{
        AuthErrorCode, AuthFnError, PageAuth, Session, SessionStatus, SignInResponse,
        SignOutResponse, Theme,
    },
};

/// The Auth.js base path the client talks to (`/api/auth` unless configured).
pub use super::url::base_path;

/// The channel next-auth's client uses between tabs.
const CHANNEL: &str = "next-auth";

/// What `use_session()` returns. `Copy`: pass it around freely.
#[derive(Clone, Copy, Debug)]
pub struct SessionContext {
    session: RwSignal<Option<Session>>,
    status: RwSignal<SessionStatus>,
    csrf_token: RwSignal<String>,
    sign_in_page: StoredValue<Option<String>>,
    theme: StoredValue<Theme>,
}

impl SessionContext {
    fn new(page: PageAuth, known: bool) -> Self {
        let status = match (&page.session, known) {
            (_, false) => SessionStatus::Loading,
            (Some(_), true) => SessionStatus::Authenticated,
            (None, true) => SessionStatus::Unauthenticated,
        };
        Self {
            session: RwSignal::new(page.session),
            status: RwSignal::new(status),
            csrf_token: RwSignal::new(page.csrf_token),
            sign_in_page: StoredValue::new(page.sign_in_page),
            theme: StoredValue::new(page.theme),
        }
    }

    /// The sign-in page (`pages.sign_in`, or the built-in one) with a `callbackUrl`.
    pub fn sign_in_href(&self, callback_url: Option<&str>) -> String {
        let href = crate::auth::url::sign_in_href(callback_url, None);
        match self.sign_in_page.get_value() {
            Some(page) => href.replacen(&format!("{}/signin", base_path()), &page, 1),
            None => href,
        }
    }

    /// The theme of the built-in pages.
    pub fn theme(&self) -> Theme {
        self.theme.get_value()
    }

    /// Updates the session (next-auth's `update(data)`): `POST /session {csrfToken, data}`,
    /// which runs the server's `jwt` callback with trigger `update`; the signals take the new
    /// session and the other tabs are told.
    ///
    /// # Errors
    /// A transport error; the signals keep their values then.
    pub async fn update<T: serde::Serialize>(
        &self,
        data: &T,
    ) -> Result<Option<Session>, AuthFnError> {
        #[derive(serde::Serialize)]
        struct Body<'a, T> {
            #[serde(rename = "csrfToken")]
            csrf_token: &'a str,
            data: &'a T,
        }
        let path = format!("{}/session", base_path());
        let mut retried = false;
        let session: Option<Session> = loop {
            let token = self.csrf().await?;
            let body = serde_json::to_string(&Body {
                csrf_token: &token,
                data,
            })
            .map_err(|e| {
                AuthFnError::Transport(leptos::server_fn::error::ServerFnErrorErr::Serialization(
                    e.to_string(),
                ))
            })?;
            match fetch::post_json(&path, &body).await {
                // The page's token went stale (the CSRF cookie changed): once more with a new one.
                Err(AuthFnError::Auth(AuthErrorCode::MissingCsrf)) if !retried => {
                    retried = true;
                    self.csrf_token.set(String::new());
                }
                result => break result?,
            }
        };
        self.set(session.clone());
        broadcast("update");
        Ok(session)
    }

    /// The session, or `None` when signed out.
    pub fn data(&self) -> Signal<Option<Session>> {
        self.session.into()
    }

    /// Loading, Authenticated or Unauthenticated.
    pub fn status(&self) -> Signal<SessionStatus> {
        self.status.into()
    }

    /// The CSRF token for forms on this page.
    pub fn csrf_token(&self) -> Signal<String> {
        self.csrf_token.into()
    }

    /// Replaces the session (for example after `update`).
    pub fn set(&self, session: Option<Session>) {
        self.status.set(if session.is_some() {
            SessionStatus::Authenticated
        } else {
            SessionStatus::Unauthenticated
        });
        self.session.set(session);
    }

    /// Fetches the session again and updates the signals.
    ///
    /// # Errors
    /// The transport error; the signals keep their values then.
    pub async fn reload(&self) -> Result<Option<Session>, AuthFnError> {
        let session = get_session().await?;
        self.set(session.clone());
        Ok(session)
    }

    /// Fetches the session again in the background.
    pub fn refetch(&self) {
        let this = *self;
        spawn_local(async move {
            let _ = this.reload().await;
        });
    }

    /// A CSRF token: the page's, or a fresh one from `/csrf`.
    async fn csrf(&self) -> Result<String, AuthFnError> {
        let token = self.csrf_token.get_untracked();
        if !token.is_empty() {
            return Ok(token);
        }
        let token = get_csrf_token().await?.csrf_token;
        self.csrf_token.set(token.clone());
        Ok(token)
    }
}

/// Makes the session available to every component below it. Put it inside `<Router>`.
///
/// `refetch_interval` (seconds) polls the session; `refetch_on_window_focus` (default on)
/// refetches when the tab becomes visible.
#[component]
pub fn SessionProvider(
    /// The app.
    children: Children,
    /// Poll the session every this many seconds (off by default).
    #[prop(optional)]
    refetch_interval: Option<u32>,
    /// Refetch when the tab becomes visible again (on by default).
    #[prop(default = true)]
    refetch_on_window_focus: bool,
) -> impl IntoView {
    let page = SharedValue::new(|| {
        from_request::<PageAuth>().map_or((PageAuth::default(), false), |page| (page, true))
    })
    .into_inner();
    let context = SessionContext::new(page.0, page.1);
    provide_context(context);

    // Browser-only wiring; effects never run on the server.
    Effect::new(move |_| {
        PAGE_CONTEXT.with(|cell| cell.set(Some(context)));
        if !page.1 {
            context.refetch();
        }
        listen_to_other_tabs(context);
        if refetch_on_window_focus {
            refetch_when_visible(context);
        }
        if let Some(seconds) = refetch_interval.filter(|s| *s > 0) {
            let _ = set_interval_with_handle(
                move || context.refetch(),
                std::time::Duration::from_secs(u64::from(seconds)),
            );
        }
    });

    children()
}

/// The session context. Outside a `<SessionProvider>` it reports `Loading` forever (and says so
/// in the log) rather than panicking.
pub fn use_session() -> SessionContext {
    use_context::<SessionContext>().unwrap_or_else(|| {
        leptos::logging::warn!("use_session() called outside <SessionProvider>");
        SessionContext::new(PageAuth::default(), false)
    })
}

/// `useSession({ required: true })`: the session context, and a signed-out visitor is sent to
/// the sign-in page with a `callbackUrl` back here (a 302 during SSR, a page load in the
/// browser, as next-auth's `required` mode). `on_unauthenticated` replaces that redirect.
pub fn use_session_required(on_unauthenticated: Option<Callback<()>>) -> SessionContext {
    let context = use_session();
    let here = move || {
        let location = leptos_router::hooks::use_location();
        let search = location.search.get_untracked();
        if search.is_empty() {
            location.pathname.get_untracked()
        } else {
            format!("{}?{search}", location.pathname.get_untracked())
        }
    };
    if context.status.get_untracked() == SessionStatus::Unauthenticated {
        match on_unauthenticated {
            Some(callback) => callback.run(()),
            None => crate::auth::http_redirect(&context.sign_in_href(Some(&here()))),
        }
    }
    let here = here();
    Effect::new(move |_| {
        if context.status.get() == SessionStatus::Unauthenticated {
            match on_unauthenticated {
                Some(callback) => callback.run(()),
                None => fetch::assign_location(&context.sign_in_href(Some(&here))),
            }
        }
    });
    context
}

/// A value the server put in the request's extensions (the page middleware does), read during
/// SSR. In the browser there is no request, so this is `None` there.
pub fn from_request<T: Clone + Send + Sync + 'static>() -> Option<T> {
    use_context::<Parts>().and_then(|parts| parts.extensions.get::<T>().cloned())
}

/// Options of [`sign_in`] (next-auth's `SignInOptions`).
#[derive(Clone, Debug)]
pub struct SignInOptions {
    /// Where to go after signing in (default: the current page).
    pub redirect_to: Option<String>,
    /// `false` to get a [`SignInResponse`] (and a refreshed session) instead of being sent to
    /// the result with a full page load. Default `true`, as in next-auth.
    pub redirect: bool,
    /// Provider fields: `email` and `password` for credentials, `email` for email.
    pub fields: FormFields,
}

impl Default for SignInOptions {
    fn default() -> Self {
        Self {
            redirect_to: None,
            redirect: true,
            fields: FormFields::new(),
        }
    }
}

/// Options of [`sign_out`].
#[derive(Clone, Debug)]
pub struct SignOutOptions {
    /// Where to go after signing out (default: the current page).
    pub redirect_to: Option<String>,
    /// `false` to get a [`SignOutResponse`] instead of being sent to the result.
    pub redirect: bool,
}

impl Default for SignOutOptions {
    fn default() -> Self {
        Self {
            redirect_to: None,
            redirect: true,
        }
    }
}

/// Signs in with `provider` (next-auth's `signIn`): credentials post to `/callback/<id>`, other
/// providers to `/signin/<id>`. With `redirect: false`, resolves to a [`SignInResponse`] and
/// refreshes the session; otherwise the browser goes to the result.
///
/// # Errors
/// A transport error if the auth routes cannot be reached.
pub async fn sign_in(
    provider: &str,
    options: SignInOptions,
    authorization_params: &[(&str, &str)],
) -> Result<SignInResponse, AuthFnError> {
    let context = current_context();
    let redirect_to = options
        .redirect_to
        .clone()
        .or_else(fetch::current_href)
        .unwrap_or_else(|| "/".into());
    let providers = get_providers().await?;
    let Some(info) = providers.0.iter().find(|p| p.id == provider) else {
        let url = match context {
            Some(context) => context.sign_in_href(Some(&redirect_to)),
            None => crate::auth::url::sign_in_href(Some(&redirect_to), None),
        };
        if options.redirect {
            fetch::assign_location(&url);
        }
        return Ok(SignInResponse {
            error: None,
            code: None,
            status: 200,
            ok: true,
            url: Some(url),
        });
    };
    let action = if info.kind == "credentials" {
        "callback"
    } else {
        "signin"
    };
    let mut path = format!("{}/{action}/{provider}", base_path());
    if !authorization_params.is_empty() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(authorization_params)
            .finish();
        path = format!("{path}?{query}");
    }
    let form = options.fields.clone().set("callbackUrl", redirect_to);
    let (status, answer) = post_with_csrf(context, &path, form).await?;
    let (error, code) = error_of(&answer.url);
    let ok = (200..300).contains(&status);
    if options.redirect {
        fetch::assign_location(&answer.url);
    } else if ok && error.is_none() && action == "callback" {
        // Credentials sign in at once; other providers only start here.
        if let Some(context) = context {
            let _ = context.reload().await;
        }
        broadcast("signin");
    }
    Ok(SignInResponse {
        url: error.is_none().then(|| answer.url.clone()),
        error,
        code,
        status,
        ok,
    })
}

/// Signs out (next-auth's `signOut`). With `redirect: false` the session signals are cleared and
/// a [`SignOutResponse`] returned; otherwise the browser goes to the result.
///
/// # Errors
/// A transport error if the auth routes cannot be reached.
pub async fn sign_out(options: SignOutOptions) -> Result<SignOutResponse, AuthFnError> {
    let context = current_context();
    let response = request_sign_out(context, options.redirect_to).await?;
    if options.redirect {
        fetch::assign_location(&response.url);
    } else if let Some(context) = context {
        if error_of(&response.url).0.is_none() {
            context.set(None);
        }
    }
    Ok(response)
}

/// `POST /signout` and tell the other tabs; leaves this tab's signals to the caller (a page that
/// navigates away first avoids flashing its signed-out state).
pub(crate) async fn request_sign_out(
    context: Option<SessionContext>,
    redirect_to: Option<String>,
) -> Result<SignOutResponse, AuthFnError> {
    let redirect_to = redirect_to
        .or_else(fetch::current_href)
        .unwrap_or_else(|| "/".into());
    let form = FormFields::new().set("callbackUrl", redirect_to);
    let (_, answer) = post_with_csrf(context, &format!("{}/signout", base_path()), form).await?;
    if error_of(&answer.url).0.is_none() {
        broadcast("signout");
    }
    Ok(SignOutResponse { url: answer.url })
}

/// POSTs `form` with the page's CSRF token. If the server answers `MissingCSRF` (the cookie
/// expired or was cleared), fetches a fresh token, which also sets a new cookie, and tries once
/// more.
pub(crate) async fn post_with_csrf(
    context: Option<SessionContext>,
    path: &str,
    form: FormFields,
) -> Result<(u16, super::types::AuthRedirect), AuthFnError> {
    let token = match context {
        Some(context) => context.csrf().await?,
        None => get_csrf_token().await?.csrf_token,
    };
    let answer = fetch::post_form(path, &form.clone().set("csrfToken", token)).await?;
    if error_of(&answer.1.url).0 != Some(AuthErrorCode::MissingCsrf) {
        return Ok(answer);
    }
    let fresh = get_csrf_token().await?.csrf_token;
    if let Some(context) = context {
        context.csrf_token.set(fresh.clone());
    }
    fetch::post_form(path, &form.set("csrfToken", fresh)).await
}

thread_local! {
    /// The page's session context, for calls made outside the reactive owner (inside a spawned
    /// task, say). Set in the browser only, where there is one page per thread.
    static PAGE_CONTEXT: std::cell::Cell<Option<SessionContext>> = const { std::cell::Cell::new(None) };
}

/// The session context: from the reactive owner, or the page's.
fn current_context() -> Option<SessionContext> {
    use_context::<SessionContext>().or_else(|| PAGE_CONTEXT.with(std::cell::Cell::get))
}

/// The `error` and `code` query parameters of a URL the auth routes answered with.
pub fn error_of(url: &str) -> (Option<AuthErrorCode>, Option<String>) {
    (
        query_param(url, "error").map(|e| AuthErrorCode::parse(&e)),
        query_param(url, "code"),
    )
}

/// The first value of a query parameter of `url` (without a full URL parser: the browser
/// bundle stays small).
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Tells the other tabs of this origin that the session changed (next-auth's message shape).
pub fn broadcast(trigger: &str) {
    if !cfg!(target_arch = "wasm32") {
        return;
    }
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        // next-auth's shape: {event: "session", data: {trigger}}.
        let data = js_sys::Object::new();
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&data, &"trigger".into(), &trigger.into());
        let _ = js_sys::Reflect::set(&message, &"event".into(), &"session".into());
        let _ = js_sys::Reflect::set(&message, &"data".into(), &data);
        let _ = channel.post_message(&message);
        channel.close();
    }
}

fn listen_to_other_tabs(context: SessionContext) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let is_session = js_sys::Reflect::get(&event.data(), &"event".into())
                .ok()
                .and_then(|e| e.as_string())
                .is_some_and(|e| e == "session");
            if is_session {
                context.refetch();
            }
        });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The provider lives as long as the page: keep the listener and its channel.
    on_message.forget();
    std::mem::forget(channel);
}

fn refetch_when_visible(context: SessionContext) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let doc = document.clone();
    let on_change = Closure::<dyn Fn()>::new(move || {
        if doc.visibility_state() == web_sys::VisibilityState::Visible {
            context.refetch();
        }
    });
    let _ = document
        .add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    on_change.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_error_and_code_like_next_auth() {
        assert_eq!(
            error_of("http://x/api/auth/signin?error=CredentialsSignin&code=credentials"),
            (
                Some(AuthErrorCode::CredentialsSignin),
                Some("credentials".into())
            )
        );
        assert_eq!(error_of("http://x/dashboard"), (None, None));
        assert_eq!(
            error_of("http://x/?error=Nope").0,
            Some(AuthErrorCode::Default)
        );
    }
}
