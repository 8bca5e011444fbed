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

pub use auth_core::protocol::form::{FormFields, MAX_FIELDS};

/// Server-function input encoding of the auth POST routes (see the module docs).
pub struct AuthForm;

impl ContentType for AuthForm {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl Encoding for AuthForm {
    const METHOD: http::Method = http::Method::POST;
}

/// Reads a server-function request body; an unreadable body is an empty form.
pub async fn read_request<E, R>(req: R) -> FormFields
where
    R: Req<E> + Send + 'static,
    E: FromServerFnError + Send,
{
    let content_type = req.to_content_type().map(|ct| ct.into_owned());
    match req.try_into_bytes().await {
        Ok(body) => FormFields::parse(content_type.as_deref(), &body),
        Err(_) => FormFields::default(),
    }
}

/// Builds the client request of a server function that takes a form, at its path under the
/// configured base path.
///
/// # Errors
/// The client's request-building error.
pub fn build_request<E, R>(form: &FormFields, path: &str, accepts: &str) -> Result<R, E>
where
    R: ClientReq<E>,
    E: FromServerFnError,
{
    R::try_new_post(
        &super::url::at_base(path),
        AuthForm::CONTENT_TYPE,
        accepts,
        form.encode(),
    )
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
                Ok(Self { form: $crate::auth::form::read_request(req).await })
            }
        }

        impl<E, R> leptos::server_fn::codec::IntoReq<$crate::auth::form::AuthForm, R, E> for $args
        where
            R: leptos::server_fn::request::ClientReq<E>,
            E: leptos::server_fn::error::FromServerFnError,
        {
            fn into_req(self, path: &str, accepts: &str) -> Result<R, E> {
                $crate::auth::form::build_request(&self.form, path, accepts)
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
                R::try_new_get(&$crate::auth::url::at_base(path), <$crate::auth::form::AuthQuery as leptos::server_fn::ContentType>::CONTENT_TYPE, accepts, "")
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
