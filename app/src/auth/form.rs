//! The body of the Auth.js POST routes: any fields, read the way Auth.js reads them.
//!
//! Auth.js routes take arbitrary form fields (`csrfToken`, `callbackUrl`, whatever the
//! credentials provider asks for) as `application/x-www-form-urlencoded`, and `update` sends
//! JSON. Server functions normally deserialize into fixed arguments and answer malformed input
//! with a 500; [`AuthForm`] is a server-function input encoding that instead parses leniently
//! (invalid UTF-8 replaced, unknown fields kept, bad JSON read as no fields), so a garbage body
//! reaches the auth core and gets Auth.js's error, never a 500.

use leptos::server_fn::{
    codec::Encoding,
    error::FromServerFnError,
    request::{ClientReq, Req},
    ContentType,
};
use serde::{Deserialize, Serialize};

/// At most this many fields are read from a body; the rest are ignored.
pub const MAX_FIELDS: usize = 64;

/// Server-function input encoding of the auth POST routes (see the module docs).
pub struct AuthForm;

impl ContentType for AuthForm {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl Encoding for AuthForm {
    const METHOD: http::Method = http::Method::POST;
}

/// The fields of a form, in order. Duplicate names keep their first value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a field.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }

    /// Sets `name` to `value`, replacing every earlier value of it.
    pub fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        self.0.retain(|(n, _)| n != name);
        self.0.push((name.to_owned(), value.into()));
        self
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every field.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// URL-encodes the fields.
    pub fn encode(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.0.iter())
            .finish()
    }

    /// Parses a body as its content type says: JSON for `application/json`, URL-encoded for
    /// `application/x-www-form-urlencoded`; any other body (`text/plain`, none, ...) has no
    /// fields, so it is refused as `MissingCSRF` whatever it holds. Never fails.
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Self {
        let media_type = content_type
            .and_then(|ct| ct.split(';').next())
            .map(str::trim)
            .unwrap_or_default();
        if media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Self::parse_urlencoded(body);
        }
        if media_type.eq_ignore_ascii_case("application/json") {
            let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
                return Self::default();
            };
            return Self(
                map.into_iter()
                    .take(MAX_FIELDS)
                    .map(|(k, v)| match v {
                        serde_json::Value::String(s) => (k, s),
                        other => (k, other.to_string()),
                    })
                    .collect(),
            );
        }
        Self::default()
    }

    /// Parses an `application/x-www-form-urlencoded` body. Never fails.
    pub fn parse_urlencoded(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .take(MAX_FIELDS)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Reads a server-function request body; an unreadable body is an empty form.
    pub async fn from_request<E, R>(req: R) -> Self
    where
        R: Req<E> + Send + 'static,
        E: FromServerFnError + Send,
    {
        let content_type = req.to_content_type().map(|ct| ct.into_owned());
        match req.try_into_bytes().await {
            Ok(body) => Self::parse(content_type.as_deref(), &body),
            Err(_) => Self::default(),
        }
    }

    /// Builds the client request of a server function that takes a form.
    ///
    /// # Errors
    /// The client's request-building error.
    pub fn into_request<E, R>(self, path: &str, accepts: &str) -> Result<R, E>
    where
        R: ClientReq<E>,
        E: FromServerFnError,
    {
        R::try_new_post(path, AuthForm::CONTENT_TYPE, accepts, self.encode())
    }
}

/// Implements the [`AuthForm`] input encoding for server-function argument structs that have a
/// single `form: FormFields` field.
macro_rules! auth_form_input {
    ($($args:ident),+ $(,)?) => {$(
        impl<E, R> leptos::server_fn::codec::FromReq<$crate::auth::form::AuthForm, R, E> for $args
        where
            R: leptos::server_fn::request::Req<E> + Send + 'static,
            E: leptos::server_fn::error::FromServerFnError + Send,
        {
            async fn from_req(req: R) -> Result<Self, E> {
                Ok(Self { form: $crate::auth::form::FormFields::from_request(req).await })
            }
        }

        impl<E, R> leptos::server_fn::codec::IntoReq<$crate::auth::form::AuthForm, R, E> for $args
        where
            R: leptos::server_fn::request::ClientReq<E>,
            E: leptos::server_fn::error::FromServerFnError,
        {
            fn into_req(self, path: &str, accepts: &str) -> Result<R, E> {
                self.form.into_request(path, accepts)
            }
        }
    )+};
}
pub(crate) use auth_form_input;

/// Server-function input encoding of the auth GET routes: a `GET` whose query string is ignored
/// (Auth.js ignores it too), so no query can make them fail.
pub struct AuthQuery;

impl ContentType for AuthQuery {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl Encoding for AuthQuery {
    const METHOD: http::Method = http::Method::GET;
}

/// Implements the [`AuthQuery`] input encoding for argument-less server functions.
macro_rules! auth_query_input {
    ($($args:ident),+ $(,)?) => {$(
        impl<E, R> leptos::server_fn::codec::FromReq<$crate::auth::form::AuthQuery, R, E> for $args
        where
            R: leptos::server_fn::request::Req<E> + Send + 'static,
            E: leptos::server_fn::error::FromServerFnError + Send,
        {
            async fn from_req(_req: R) -> Result<Self, E> {
                Ok(Self {})
            }
        }

        impl<E, R> leptos::server_fn::codec::IntoReq<$crate::auth::form::AuthQuery, R, E> for $args
        where
            R: leptos::server_fn::request::ClientReq<E>,
            E: leptos::server_fn::error::FromServerFnError,
        {
            fn into_req(self, path: &str, accepts: &str) -> Result<R, E> {
                R::try_new_get(path, <$crate::auth::form::AuthQuery as leptos::server_fn::ContentType>::CONTENT_TYPE, accepts, "")
            }
        }
    )+};
}
pub(crate) use auth_query_input;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urlencoded_leniently() {
        let form = FormFields::parse(
            Some("application/x-www-form-urlencoded"),
            b"csrfToken=abc&email=a%40b.c&email=second&x[y]=1&%FF=%FE",
        );
        assert_eq!(form.get("csrfToken"), Some("abc"));
        assert_eq!(form.get("email"), Some("a@b.c"));
        assert_eq!(form.get("x[y]"), Some("1"));
        assert_eq!(form.get("\u{FFFD}"), Some("\u{FFFD}"));
        assert_eq!(FormFields::parse_urlencoded(b"").get("a"), None);
        assert_eq!(FormFields::parse_urlencoded(b"&&&===&").get(""), Some("=="));
    }

    #[test]
    fn only_the_content_type_decides_how_a_body_is_read() {
        let body = b"csrfToken=abc&email=a%40b.c";
        for content_type in [
            None,
            Some("text/plain"),
            Some("text/plain; charset=utf-8"),
            Some("multipart/form-data; boundary=x"),
            Some("application/x-www-form-urlencodedX"),
        ] {
            assert_eq!(
                FormFields::parse(content_type, body),
                FormFields::default(),
                "{content_type:?}"
            );
        }
        assert_eq!(
            FormFields::parse(
                Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
                body
            )
            .get("csrfToken"),
            Some("abc")
        );
    }

    #[test]
    fn parses_json_objects_and_ignores_other_json() {
        let form = FormFields::parse(
            Some("application/json; charset=utf-8"),
            br#"{"csrfToken":"t","data":{"name":"x"}}"#,
        );
        assert_eq!(form.get("csrfToken"), Some("t"));
        assert_eq!(form.get("data"), Some(r#"{"name":"x"}"#));
        assert_eq!(
            FormFields::parse(Some("application/json"), b"[1,2]"),
            FormFields::default()
        );
        assert_eq!(
            FormFields::parse(Some("application/json"), b"{oops"),
            FormFields::default()
        );
    }

    #[test]
    fn caps_the_number_of_fields() {
        let body = (0..1000)
            .map(|i| format!("f{i}=v"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            FormFields::parse_urlencoded(body.as_bytes()).iter().count(),
            MAX_FIELDS
        );
    }

    #[test]
    fn set_replaces_every_earlier_value() {
        let form = FormFields::new()
            .with("a", "1")
            .with("b", "2")
            .with("a", "3")
            .set("a", "4");
        assert_eq!(form.encode(), "b=2&a=4");
    }

    #[test]
    fn encodes_what_it_parses() {
        let form = FormFields::new().with("a b", "c&d").with("e", "ü");
        assert_eq!(FormFields::parse_urlencoded(form.encode().as_bytes()), form);
    }
}
