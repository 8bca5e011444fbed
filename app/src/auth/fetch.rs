//! The browser side of Auth.js's POST protocol: a form body plus `X-Auth-Return-Redirect: 1`,
//! answered with `{"url"}` instead of a 302 (what `next-auth/react` does). Used by
//! [`sign_in`](super::sign_in) and [`sign_out`](super::sign_out); the GET routes are plain server
//! function calls.

use leptos::server_fn::error::ServerFnErrorErr;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{
    form::FormFields,
    types::{AuthFnError, AuthRedirect},
};

fn transport(message: impl Into<String>) -> AuthFnError {
    AuthFnError::Transport(ServerFnErrorErr::Request(message.into()))
}

fn js_error(value: JsValue) -> AuthFnError {
    transport(value.as_string().unwrap_or_else(|| format!("{value:?}")))
}

/// POSTs `form` to `path`; returns the HTTP status and the `url` of the answer.
///
/// # Errors
/// A transport error if there is no browser window, the request fails, or the answer is not
/// `{"url"}`.
pub async fn post_form(path: &str, form: &FormFields) -> Result<(u16, AuthRedirect), AuthFnError> {
    let (status, text) = post(path, "application/x-www-form-urlencoded", &form.encode()).await?;
    let body: AuthRedirect = super::json::from_str(&text)
        .map_err(|_| transport(format!("unexpected answer from {path} (HTTP {status})")))?;
    Ok((status, body))
}

/// POSTs a JSON `body` to `path` and parses the JSON answer of a 2xx.
///
/// # Errors
/// `MissingCSRF` for a `400` (a refused session update answers `400 null`); a transport error if
/// there is no browser window, the request fails, the status is another error, or the answer
/// does not parse as `T`.
pub async fn post_json<T: super::json::FromJsonValue>(
    path: &str,
    body: &str,
) -> Result<T, AuthFnError> {
    let (status, text) = post(path, "application/json", body).await?;
    if status == 400 {
        return Err(AuthFnError::Auth(super::types::AuthErrorCode::MissingCsrf));
    }
    if !(200..300).contains(&status) {
        return Err(transport(format!("{path} answered HTTP {status}")));
    }
    super::json::from_str(&text)
        .map_err(|_| transport(format!("unexpected answer from {path} (HTTP {status})")))
}

async fn post(path: &str, content_type: &str, body: &str) -> Result<(u16, String), AuthFnError> {
    if !cfg!(target_arch = "wasm32") {
        return Err(transport("the client API's POSTs run in the browser only"));
    }
    let window = web_sys::window().ok_or_else(|| transport("no window"))?;
    let headers = web_sys::Headers::new().map_err(js_error)?;
    headers
        .set("Content-Type", content_type)
        .map_err(js_error)?;
    headers
        .set("X-Auth-Return-Redirect", "1")
        .map_err(js_error)?;
    headers
        .set("Accept", "application/json")
        .map_err(js_error)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default();
    Ok((status, text))
}

/// Sends the browser to `url` with a full page load.
pub fn assign_location(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// The current page's URL.
pub fn current_href() -> Option<String> {
    web_sys::window()?.location().href().ok()
}
