//! URLs the pages build and the query values they accept, and the base path they live under.
//!
//! A value from the query is never rendered as is: a `callbackUrl` must be a local path,
//! anything else is dropped (the server validates it again when the form comes back). The rules
//! are the protocol's [`redirect`](auth_core::protocol::redirect).
//!
//! The base path (Auth.js's `basePath`, default `/api/auth`) is one value per process: the
//! server sets it from its configuration before it builds the router ([`set_base_path`]), the
//! shell writes it into every page (`<meta name="auth-base-path">`), and the browser reads it
//! back before hydrating. The server functions are declared under [`BASE_PATH`] (their macro
//! takes a literal) and [`rebase`]d: the server mounts them under the configured path and the
//! browser calls them there, so nothing answers at `/api/auth` when another path is set.

use std::{borrow::Cow, sync::OnceLock};

pub use auth_core::protocol::names::BASE_PATH;
pub use auth_core::protocol::redirect::{local_callback, to_local};
use leptos_router::{PartialPathMatch, PathSegment, PossibleRouteMatch};

/// The `name` of the `<meta>` that carries the base path to the browser.
pub const BASE_PATH_META: &str = "auth-base-path";

static CONFIGURED: OnceLock<&'static str> = OnceLock::new();

/// The base path of the auth routes and pages (`/api/auth` unless configured).
pub fn base_path() -> &'static str {
    CONFIGURED.get().copied().unwrap_or(BASE_PATH)
}

/// Sets the process's base path, once (the server: from its configuration, before the router
/// is built; the browser: from the page's `<meta>`). Setting the same value again is fine.
///
/// # Errors
/// The base path already set, when it differs: the routes of one process live under one path.
pub fn set_base_path(path: &str) -> Result<(), &'static str> {
    let set = *CONFIGURED.get_or_init(|| {
        if path == BASE_PATH {
            BASE_PATH
        } else {
            // Once per process: the routes hold it as `&'static str`.
            Box::leak(path.to_owned().into_boxed_str())
        }
    });
    if set == path {
        Ok(())
    } else {
        Err(set)
    }
}

/// A route path declared under [`BASE_PATH`] (`/api/auth/csrf`) moved under `base`
/// (`/auth/csrf`); any other path as it is.
pub fn rebase<'a>(path: &'a str, base: &str) -> Cow<'a, str> {
    match path.strip_prefix(BASE_PATH) {
        Some(rest) if base != BASE_PATH && (rest.is_empty() || rest.starts_with('/')) => {
            format!("{base}{rest}").into()
        }
        _ => path.into(),
    }
}

/// [`rebase`] onto this process's [`base_path`]: where the browser calls a server function.
pub fn at_base(path: &str) -> Cow<'_, str> {
    rebase(path, base_path())
}

/// The route of a built-in page under the base path: `AuthPage("signin")` matches
/// `<base path>/signin`, whatever the base path is (`path!` takes only literals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthPage(pub &'static str);

impl PossibleRouteMatch for AuthPage {
    fn optional(&self) -> bool {
        false
    }

    fn test<'a>(&self, path: &'a str) -> Option<PartialPathMatch<'a>> {
        let rest = path
            .strip_prefix(base_path())?
            .strip_prefix('/')?
            .strip_prefix(self.0)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let (matched, remaining) = path.split_at(path.len() - rest.len());
        Some(PartialPathMatch::new(remaining, vec![], matched))
    }

    fn generate_path(&self, path: &mut Vec<PathSegment>) {
        path.extend(
            base_path()
                .split('/')
                .chain([self.0])
                .filter(|segment| !segment.is_empty())
                .map(|segment| PathSegment::Static(segment.to_owned().into())),
        );
    }
}

/// `<base path>/signin?callbackUrl=...&error=...`.
pub fn sign_in_href(callback_url: Option<&str>, error: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(error) = error {
        query.append_pair("error", error);
    }
    if let Some(callback) = callback_url {
        query.append_pair("callbackUrl", callback);
    }
    let query = query.finish();
    let base = base_path();
    if query.is_empty() {
        format!("{base}/signin")
    } else {
        format!("{base}/signin?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_links_encode_their_values() {
        assert_eq!(sign_in_href(None, None), "/api/auth/signin");
        assert_eq!(
            sign_in_href(Some("/p?a=1&b=2"), None),
            "/api/auth/signin?callbackUrl=%2Fp%3Fa%3D1%26b%3D2"
        );
    }

    #[test]
    fn server_function_paths_move_under_another_base() {
        assert_eq!(rebase("/api/auth/csrf", "/auth"), "/auth/csrf");
        assert_eq!(
            rebase("/api/auth/callback/credentials", "/a/b"),
            "/a/b/callback/credentials"
        );
        assert_eq!(rebase("/api/auth/csrf", BASE_PATH), "/api/auth/csrf");
        // Only the whole segment: not another app's `/api/authors`, not other routes.
        assert_eq!(rebase("/api/authors", "/auth"), "/api/authors");
        assert_eq!(rebase("/api/sessions", "/auth"), "/api/sessions");
    }

    #[test]
    fn pages_match_under_the_base_path_only() {
        // This test process never sets another base path.
        let signin = AuthPage("signin");
        let matched = signin.test("/api/auth/signin").unwrap();
        assert_eq!(matched.matched(), "/api/auth/signin");
        assert_eq!(matched.remaining(), "");
        for path in [
            "/api/auth/signinx",
            "/api/auth/signout",
            "/api/authx/signin",
            "/api/auth",
            "/signin",
            "/x/api/auth/signin",
        ] {
            assert!(signin.test(path).is_none(), "{path}");
        }
        let mut segments = Vec::new();
        signin.generate_path(&mut segments);
        let raw: Vec<_> = segments.iter().map(PathSegment::as_raw_str).collect();
        assert_eq!(raw, ["api", "auth", "signin"]);
    }
}
