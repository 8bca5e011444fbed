//! The page middleware: resolves the visitor's session and CSRF token once per page request,
//! before Leptos renders, so that SSR is synchronous (and works with JavaScript off) and the
//! first HTML already knows the user.
//!
//! The result travels in the request's extensions as [`PageAuth`]; `<SessionProvider>` reads it
//! during SSR and serializes it into the page for hydration. The cookies the resolution produced
//! (sliding expiry, a new CSRF cookie) are added to the page response.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{header, HeaderValue, StatusCode};

use axum::response::IntoResponse;

use auth_core::adapter::{Db, FlowStore};

use crate::auth::types::{AuthErrorCode, FormEcho, PageAuth};

use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use super::{
    auth::Auth,
    csrf,
    request::{AuthRequest, Site},
    routes::append_cookies,
    session,
};

/// The key under which a refused form's values wait for the next page render.
pub const FORM_ECHO_KEY: &str = "form_echo";

/// The tower-sessions layer for flow state, over the `flow_sessions` table: a short-lived,
/// HttpOnly, SameSite=Lax cookie (`__Host-` prefixed over https), set only once something is
/// stored in it.
pub fn flow_sessions(auth: &Auth, db: Db) -> SessionManagerLayer<FlowStore> {
    let secure = auth
        .config()
        .use_secure_cookies()
        .unwrap_or_else(|| auth.config().site_origin().starts_with("https:"));
    SessionManagerLayer::new(FlowStore::new(db))
        .with_name(if secure {
            "__Host-leptos-auth.flow"
        } else {
            "leptos-auth.flow"
        })
        .with_secure(secure)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::minutes(10),
        ))
}

/// A plain 503 page (no Leptos render: the app's pages may need what is missing).
fn unavailable_page() -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unavailable</title>\
         <meta http-equiv=\"refresh\" content=\"10\"></head><body style=\"font-family:system-ui;\
         max-width:32rem;margin:4rem auto\"><h1>Temporarily unavailable</h1><p>{}</p></body></html>",
        AuthErrorCode::Unavailable.message()
    );
    let mut response =
        (StatusCode::SERVICE_UNAVAILABLE, axum::response::Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
    response
}

/// A bare `302 Found` to `location`.
fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// The configured replacement of the built-in page at `uri`, with the query kept.
fn custom_page(auth: &Auth, uri: &http::Uri) -> Option<String> {
    let pages = auth.config().pages();
    let action = uri.path().strip_prefix(auth.config().base_path())?;
    let page = match action {
        "/signin" => pages.sign_in.as_ref(),
        "/signout" => pages.sign_out.as_ref(),
        "/error" => pages.error.as_ref(),
        "/verify-request" => pages.verify_request.as_ref(),
        "/two-factor" => pages.two_factor.as_ref(),
        _ => None,
    }?;
    Some(match uri.query() {
        Some(query) => format!("{page}?{query}"),
        None => page.clone(),
    })
}

/// A plain 403 page for a signed-in visitor the `authorized` callback refused. Nothing of the
/// page they asked for is rendered.
fn forbidden_page() -> Response {
    let body = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Forbidden</title>\
        <link rel=\"stylesheet\" href=\"/pkg/leptos-auth.css\"></head><body><main><h1>Access denied</h1>\
        <p>Your account may not see this page.</p><p><a href=\"/\">Home</a></p></main></body></html>";
    (StatusCode::FORBIDDEN, axum::response::Html(body)).into_response()
}

/// [`middleware`] for the fallback (static files, else the 404 page): pages get it, files do
/// not. So a path the router does not know still renders with the visitor's session and
/// passes the `authorized` guard, and asset requests stay cheap.
pub async fn fallback(State(auth): State<Auth>, request: Request, next: Next) -> Response {
    if is_asset_path(request.uri().path()) {
        return next.run(request).await;
    }
    middleware(State(auth), request, next).await
}

/// A path that names a file (`/pkg/...`, or a last segment with an extension).
fn is_asset_path(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

/// Axum middleware for the page routes (`route_layer` it on the Leptos routes only).
pub async fn middleware(State(auth): State<Auth>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let auth = auth.into_for_parts(&parts);
    if let Some(custom) = custom_page(&auth, &parts.uri) {
        // As Auth.js: a built-in page that was replaced redirects to its replacement.
        return found(&custom);
    }
    let req = AuthRequest::from_parts(auth.config(), &parts);
    let (session, mut cookies) = match session::current(&auth, &req).await {
        Ok(reply) => (reply.value, reply.cookies),
        Err(error) if error.code() == AuthErrorCode::Unavailable => {
            // Database sessions cannot be read: say so rather than render a signed-out page.
            error.log();
            return unavailable_page();
        }
        Err(error) => {
            error.log();
            (None, Vec::new())
        }
    };
    let csrf = csrf::ensure(&auth, &req);
    cookies.extend(csrf.set_cookie);
    // The `authorized` callback guards every page (Auth.js's middleware): signed out, the
    // visitor goes to sign-in and comes back; signed in but refused, a 403.
    if !auth
        .config()
        .callbacks()
        .authorized(session.as_ref(), parts.uri.path())
    {
        tracing::debug!(
            path = parts.uri.path(),
            signed_in = session.is_some(),
            "authorized callback refused the page"
        );
        let mut response = match session {
            None => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map_or("/", http::uri::PathAndQuery::as_str);
                let target = auth.config().sign_in_url(here);
                found(&target)
            }
            Some(_) => forbidden_page(),
        };
        append_cookies(&mut response, cookies);
        return response;
    }
    if let Some(flow) = parts.extensions.get::<tower_sessions::Session>().cloned() {
        if let Ok(Some(echo)) = flow.remove::<FormEcho>(FORM_ECHO_KEY).await {
            parts.extensions.insert(echo);
        }
    }
    parts.extensions.insert(PageAuth {
        session,
        // Masked afresh for every page: pages go out compressed (see `protocol::csrf::mask`).
        csrf_token: auth_core::protocol::csrf::mask(&csrf.token),
        sign_in_page: auth.config().pages().sign_in.clone(),
        theme: auth.config().theme().clone(),
    });

    let mut response = next.run(Request::from_parts(parts, body)).await;
    // A page that rendered `<Redirect>` (the route guard, say) is a redirect for every client,
    // not only for those whose `Accept` names text/html.
    if response.status() == StatusCode::OK && response.headers().contains_key(header::LOCATION) {
        *response.status_mut() = StatusCode::FOUND;
    }
    append_cookies(&mut response, cookies);
    let headers = response.headers_mut();
    // The page embeds the visitor's session and CSRF token: no cache may keep it.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
