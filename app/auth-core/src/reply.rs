//! What a core auth operation produces: a value and the cookies to set with it.
//!
//! The doors (server functions and axum handlers) turn a [`Reply`] into a response; the core
//! never touches response types, so the same function serves both doors and SSR.

/// A value plus `Set-Cookie` header values.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    /// The result.
    pub value: T,
    /// `Set-Cookie` values, in order.
    pub cookies: Vec<String>,
}

impl<T> Reply<T> {
    /// A reply that sets no cookie.
    pub fn new(value: T) -> Self {
        Self {
            value,
            cookies: Vec::new(),
        }
    }

    /// A reply that sets these cookies.
    pub fn with_cookies(value: T, cookies: Vec<String>) -> Self {
        Self { value, cookies }
    }
}

/// An absolute URL to send the browser to (302, or `{url}` for `X-Auth-Return-Redirect`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect(pub String);
