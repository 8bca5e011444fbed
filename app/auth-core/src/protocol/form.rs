//! The body of an Auth.js POST route: any fields, read the way Auth.js reads them (invalid
//! UTF-8 replaced, unknown fields kept, bad JSON read as no fields), so a garbage body reaches
//! the flows and gets Auth.js's error, never a 500. The Leptos encoding that carries it is the
//! app's `auth::form`.

use serde::{Deserialize, Serialize};

/// At most this many fields are read from a body; the rest are ignored.
pub const MAX_FIELDS: usize = 64;

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
}
