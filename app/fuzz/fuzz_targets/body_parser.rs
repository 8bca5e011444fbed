//! The body parser of the Auth.js POST routes (`FormFields::parse`, `parse_urlencoded`).
//!
//! The first input byte picks the content type (none, urlencoded, JSON, JSON with a charset,
//! `text/plain`, `multipart/form-data`), the rest is the body. Parsing never panics and never
//! keeps more than `MAX_FIELDS` fields; whatever was parsed, URL-encoded and parsed again, is
//! the same form; and for every non-JSON type `parse` is `parse_urlencoded`.
#![no_main]

use auth_core::protocol::form::{FormFields, MAX_FIELDS};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: [Option<&str>; 6] = [
    None,
    Some("application/x-www-form-urlencoded"),
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("text/plain"),
    Some("multipart/form-data"),
];

fuzz_target!(|data: &[u8]| {
    let Some((first, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(*first) % CONTENT_TYPES.len()];
    let form = FormFields::parse(content_type, body);
    assert!(form.iter().count() <= MAX_FIELDS);
    let _ = form.get("csrfToken");
    assert_eq!(
        FormFields::parse_urlencoded(form.encode().as_bytes()),
        form,
        "parse_urlencoded(encode(parse(body))) != parse(body)"
    );

    let urlencoded = FormFields::parse_urlencoded(body);
    assert!(urlencoded.iter().count() <= MAX_FIELDS);
    assert_eq!(
        FormFields::parse_urlencoded(urlencoded.encode().as_bytes()),
        urlencoded,
        "parse_urlencoded(encode(form)) != form"
    );
    match content_type {
        Some(ct) if ct.starts_with("application/json") => {}
        Some("application/x-www-form-urlencoded") => {
            assert_eq!(form, urlencoded, "a URL-encoded body was not read as one");
        }
        _ => assert_eq!(
            form,
            FormFields::default(),
            "a body whose type is neither a form nor JSON was read as fields"
        ),
    }
});
