//! The headers every response gets (Auth.js leaves these to the app; a starter should not):
//!
//! - `X-Frame-Options: DENY` and, on HTML, `Content-Security-Policy: frame-ancestors 'none'`:
//!   no other site can frame the sign-in page to trick a click (clickjacking);
//! - `X-Content-Type-Options: nosniff`: a JSON answer or an upload is never run as a script;
//! - `Referrer-Policy: same-origin`: a page's URL (a `callbackUrl`, an error) never leaves in
//!   a `Referer`, while same-origin form posts keep theirs;
//! - `Strict-Transport-Security` when the site is served over https;
//! - `Cache-Control: private, no-store` on HTML: pages embed the visitor's session and CSRF
//!   token, so no cache (shared or the browser's back-forward history) may keep them.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{extract::Request, response::Response};
use http::{header, HeaderMap, HeaderValue};

use super::{auth::Auth, path, request};

/// `Strict-Transport-Security` for https sites: a year, without `includeSubDomains` (a
/// starter cannot know what else lives under the domain).
pub const HSTS: &str = "max-age=31536000";

/// The outermost layer of the router: a request for a variant of a path gets its `308` to the
/// canonical path (`path.rs`) before anything routes it, and every response gets the security
/// headers. A tower layer rather than an axum `from_fn` middleware: it runs on every request,
/// `GET /api/auth/session` included, and this way adds no allocation to it.
#[derive(Clone, Debug)]
pub struct SecurityLayer {
    auth: Auth,
}

impl SecurityLayer {
    /// The layer for this auth instance (it decides when the site is https).
    pub fn new(auth: Auth) -> Self {
        Self { auth }
    }
}

impl<S> tower::Layer<S> for SecurityLayer {
    type Service = Security<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Security {
            inner,
            auth: self.auth.clone(),
        }
    }
}

/// The service of [`SecurityLayer`].
#[derive(Clone, Debug)]
pub struct Security<S> {
    inner: S,
    auth: Auth,
}

impl<S> tower::Service<Request> for Security<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let https = request::is_https(self.auth.config(), request.headers());
        if let Some(redirect) = path::redirect(request.uri()) {
            return ResponseFuture {
                inner: None,
                redirect: Some(redirect),
                https,
            };
        }
        ResponseFuture {
            inner: Some(self.inner.call(request)),
            redirect: None,
            https,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`Security`]: the inner service's answer, or the redirect to the
    /// canonical path made without it, with the headers added.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: Option<F>,
        redirect: Option<Response>,
        https: bool,
    }
}

impl<F, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match (this.redirect.take(), this.inner.as_pin_mut()) {
            (Some(redirect), _) => redirect,
            (None, Some(inner)) => match inner.poll(cx) {
                Poll::Ready(Ok(response)) => response,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            },
            (None, None) => return Poll::Pending,
        };
        add_headers(response.headers_mut(), *this.https);
        Poll::Ready(Ok(response))
    }
}

/// Adds the headers (see the module docs) to a response's.
pub fn add_headers(headers: &mut HeaderMap, https: bool) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("text/html"));
    if is_html {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
}
