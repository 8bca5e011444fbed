//! The isomorphic client API: `<SessionProvider>`, `use_session()`, `sign_in`, `sign_out`.
//!
//! Pages render on the server; only islands (`#[island]`) run in the browser. During SSR,
//! `<SessionProvider>` takes the session the page middleware resolved from the request, provides
//! it to every component below, and writes it into the page as
//! `<script type="application/json" id="auth-session">`. In the browser, `use_session()` in any
//! island reads that script once into the page's session store (signals shared by all the
//! islands of the page), so the first paint is right and loading the page fetches nothing.
//!
//! Afterwards the page script (`public/enhance.js`) keeps the session live the way
//! `next-auth/react`'s provider does: it refreshes the page from the server when another tab of
//! the origin signs in, signs out or updates (the `next-auth` BroadcastChannel), when the tab
//! becomes visible again or on an interval and the session changed, and after every navigation;
//! each time the session script changes it tells the islands (`leptos-auth:session`), whose
//! signals follow. What an island changes itself (`update`, `sign_in` or `sign_out` without a
//! redirect) it announces to the page script (`leptos-auth:changed`), which tells the other tabs
//! and refreshes the server-rendered rest of the page.

use http::request::Parts;
use leptos::{prelude::*, task::spawn_local};

use super::{
    fetch,
    form::FormFields,
    server_fns::{get_csrf_token, get_providers, get_session},
    types::{
        AuthErrorCode, AuthFnError, PageAuth, Session, SessionStatus, SignInResponse,
        SignOutResponse,
    },
};

/// The Auth.js base path the client talks to (`/api/auth` unless configured).
pub use super::url::base_path;

/// The `id` of the `<script type="application/json">` that carries the page's session.
pub const SESSION_SCRIPT_ID: &str = "auth-session";

/// The DOM events between the islands and the page script (see the module docs).
mod events {
    /// The page script changed the session script: read it again.
    pub const SESSION: &str = "leptos-auth:session";
    /// An island changed the session (detail: `signin`, `signout` or `update`).
    pub const CHANGED: &str = "leptos-auth:changed";
    /// An island asks for a navigation without a full page load (detail: the URL).
    pub const NAVIGATE: &str = "leptos-auth:navigate";
}

/// What `use_session()` returns. `Copy`: pass it around freely.
#[derive(Clone, Copy, Debug)]
pub struct SessionContext {
    session: RwSignal<Option<Session>>,
    status: RwSignal<SessionStatus>,
    csrf_token: RwSignal<String>,
    sign_in_page: StoredValue<Option<String>>,
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

    /// Updates the session (next-auth's `update(data)`): `POST /session {csrfToken, data}`,
    /// which runs the server's `jwt` callback with trigger `update`; the signals take the new
    /// session, and the page and the other tabs are told.
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
            let body = super::json::to_string(&Body {
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
        announce("update");
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

    /// Replaces the session (for example after `update`). Signals only change when the value
    /// does, so nothing re-renders for an equal session.
    pub fn set(&self, session: Option<Session>) {
        let status = if session.is_some() {
            SessionStatus::Authenticated
        } else {
            SessionStatus::Unauthenticated
        };
        if self.status.get_untracked() != status {
            self.status.set(status);
        }
        if self.session.with_untracked(|current| *current != session) {
            self.session.set(session);
        }
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

    /// Takes the session and token of the page's session script again.
    fn read_page(&self) {
        if let Some(page) = page_in_document() {
            self.set(page.session);
            if self.csrf_token.get_untracked() != page.csrf_token {
                self.csrf_token.set(page.csrf_token);
            }
        }
    }
}

/// Makes the session available to every component below it and writes it into the page for
/// the islands and the page script. Put it inside `<Router>`, around everything.
///
/// `refetch_interval` (seconds) polls the session; `refetch_on_window_focus` (default on)
/// checks it when the tab becomes visible. Either refreshes the page when it changed.
#[component]
pub fn SessionProvider(
    /// The app.
    children: Children,
    /// Check the session every this many seconds while the tab is visible (off by default).
    #[prop(optional)]
    refetch_interval: Option<u32>,
    /// Check the session when the tab becomes visible again (on by default).
    #[prop(default = true)]
    refetch_on_window_focus: bool,
) -> impl IntoView {
    let (page, known) =
        from_request::<PageAuth>().map_or((PageAuth::default(), false), |page| (page, true));
    let script = known.then(|| script_json(&page));
    provide_context(SessionContext::new(page, known));
    view! {
        {script.map(|json| view! {
            <script
                type="application/json"
                id=SESSION_SCRIPT_ID
                data-refetch-interval=refetch_interval.unwrap_or(0)
                data-refetch-on-focus=refetch_on_window_focus.to_string()
                inner_html=json
            ></script>
        })}
        {children()}
    }
}

/// `page` as JSON that is safe inside `<script>`: `<`, `>` and `&` (and the JavaScript line
/// separators) are escaped, so no value can close the element or open a comment.
fn script_json(page: &PageAuth) -> String {
    let json = super::json::to_string(page).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The session context: `<SessionProvider>`'s on the server, the page's store in the browser
/// (every island of a page shares it). On the server outside a `<SessionProvider>` it reports
/// `Loading` (and says so in the log) rather than panicking.
pub fn use_session() -> SessionContext {
    use_context::<SessionContext>().unwrap_or_else(|| {
        if cfg!(target_arch = "wasm32") {
            page_store()
        } else {
            leptos::logging::warn!("use_session() called outside <SessionProvider>");
            SessionContext::new(PageAuth::default(), false)
        }
    })
}

thread_local! {
    /// The browser page's session store (one page per thread there).
    static PAGE_STORE: std::cell::OnceCell<SessionContext> = const { std::cell::OnceCell::new() };
}

/// The page's store, made on first use from the session script; it then follows the page
/// script's `leptos-auth:session` events. Without a session script (a page rendered without
/// `<SessionProvider>`), it starts `Loading` and fetches the session.
fn page_store() -> SessionContext {
    PAGE_STORE.with(|cell| {
        *cell.get_or_init(|| {
            // Its own root: the store outlives any island that first asked for it.
            let owner = Owner::new_root(None);
            let page = page_in_document();
            let known = page.is_some();
            let context = owner.with(|| SessionContext::new(page.unwrap_or_default(), known));
            std::mem::forget(owner);
            on_document_event(events::SESSION, move || context.read_page());
            if !known {
                context.refetch();
            }
            context
        })
    })
}

/// The session script of the current document, parsed.
fn page_in_document() -> Option<PageAuth> {
    let text = document()
        .get_element_by_id(SESSION_SCRIPT_ID)?
        .text_content()?;
    super::json::from_str(&text).ok()
}

fn on_document_event(name: &str, handler: impl Fn() + 'static) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let closure = Closure::<dyn Fn()>::new(handler);
    let _ = document().add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    // The store lives as long as the page: so does its listener.
    closure.forget();
}

/// Dispatches a cancelable event to the page script; whether it claimed it.
fn tell_page(name: &str, detail: &str) -> bool {
    if !cfg!(target_arch = "wasm32") {
        return false;
    }
    let init = web_sys::CustomEventInit::new();
    init.set_cancelable(true);
    init.set_detail(&wasm_bindgen::JsValue::from_str(detail));
    web_sys::CustomEvent::new_with_event_init_dict(name, &init)
        .and_then(|event| document().dispatch_event(&event))
        .is_ok_and(|not_claimed| !not_claimed)
}

/// Tells the page script that this tab changed the session (`signin`, `signout`, `update`): it
/// tells the other tabs and refreshes the server-rendered parts of the page.
pub fn announce(trigger: &str) {
    tell_page(events::CHANGED, trigger);
}

/// Goes to `url`: without a full page load when the page script can (same origin), else the
/// browser's way.
pub fn navigate(url: &str) {
    if !tell_page(events::NAVIGATE, url) {
        fetch::assign_location(url);
    }
}

/// `useSession({ required: true })`: the session context, and a signed-out visitor is sent to
/// the sign-in page with a `callbackUrl` back here (a 302 during SSR; in an island, as soon as
/// the session ends, as next-auth's `required` mode). `on_unauthenticated` replaces that
/// redirect.
pub fn use_session_required(on_unauthenticated: Option<Callback<()>>) -> SessionContext {
    let context = use_session();
    let send_away = move || match on_unauthenticated {
        Some(callback) => callback.run(()),
        None => {
            let here = current_path();
            let target = context.sign_in_href(Some(&here));
            if cfg!(target_arch = "wasm32") {
                navigate(&target);
            } else {
                crate::auth::http_redirect(&target);
            }
        }
    };
    if context.status.get_untracked() == SessionStatus::Unauthenticated {
        send_away();
    }
    Effect::new(move |_| {
        if context.status.get() == SessionStatus::Unauthenticated {
            send_away();
        }
    });
    context
}

/// The path and query of the page: the request's on the server, the location's in the browser.
fn current_path() -> String {
    if let Some(parts) = use_context::<Parts>() {
        return parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".into(), |p| p.as_str().to_owned());
    }
    web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(location.pathname().ok()? + &location.search().ok()?)
        })
        .unwrap_or_else(|| "/".into())
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
    /// the result. Default `true`, as in next-auth.
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
/// refreshes the session; otherwise the browser goes to the result (without a full page load
/// when it is on this site).
///
/// # Errors
/// A transport error if the auth routes cannot be reached.
pub async fn sign_in(
    provider: &str,
    options: SignInOptions,
    authorization_params: &[(&str, &str)],
) -> Result<SignInResponse, AuthFnError> {
    let context = use_session();
    let redirect_to = options
        .redirect_to
        .clone()
        .or_else(fetch::current_href)
        .unwrap_or_else(|| "/".into());
    let providers = get_providers().await?;
    let Some(info) = providers.0.iter().find(|p| p.id == provider) else {
        let url = context.sign_in_href(Some(&redirect_to));
        if options.redirect {
            navigate(&url);
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
        navigate(&answer.url);
    } else if ok && error.is_none() && action == "callback" {
        // Credentials sign in at once; other providers only start here.
        let _ = context.reload().await;
        announce("signin");
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
    let context = use_session();
    let redirect_to = options
        .redirect_to
        .or_else(fetch::current_href)
        .unwrap_or_else(|| "/".into());
    let form = FormFields::new().set("callbackUrl", redirect_to);
    let (_, answer) = post_with_csrf(context, &format!("{}/signout", base_path()), form).await?;
    let signed_out = error_of(&answer.url).0.is_none();
    if options.redirect {
        navigate(&answer.url);
    } else if signed_out {
        context.set(None);
        announce("signout");
    }
    Ok(SignOutResponse { url: answer.url })
}

/// POSTs `form` with the page's CSRF token. If the server answers `MissingCSRF` (the cookie
/// expired or was cleared), fetches a fresh token, which also sets a new cookie, and tries once
/// more.
async fn post_with_csrf(
    context: SessionContext,
    path: &str,
    form: FormFields,
) -> Result<(u16, super::types::AuthRedirect), AuthFnError> {
    let token = context.csrf().await?;
    let answer = fetch::post_form(path, &form.clone().set("csrfToken", token)).await?;
    if error_of(&answer.1.url).0 != Some(AuthErrorCode::MissingCsrf) {
        return Ok(answer);
    }
    let fresh = get_csrf_token().await?.csrf_token;
    context.csrf_token.set(fresh.clone());
    fetch::post_form(path, &form.set("csrfToken", fresh)).await
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

    #[test]
    fn the_session_script_cannot_be_closed_by_a_value() {
        let mut session = Session {
            user: crate::auth::User::default(),
            expires: "2030-01-01T00:00:00.000Z".into(),
            extra: serde_json::Map::new(),
        };
        session.user.name = Some("</script><script>alert(1)</script>&\u{2028}".into());
        let page = PageAuth {
            session: Some(session.clone()),
            csrf_token: "t".into(),
            ..PageAuth::default()
        };
        let json = script_json(&page);
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        assert!(!json.contains('\u{2028}'));
        let back: PageAuth = serde_json::from_str(&json).unwrap();
        assert_eq!(back.session, Some(session));
        assert_eq!(back.csrf_token, "t");
        assert!(json.contains(r#""csrfToken":"t""#), "{json}");
    }
}
