//! JSON for the client API: parsed by the browser's own `JSON` in the wasm, by serde_json on the
//! server, and read into the wire types by hand ([`FromJsonValue`]) on both.
//!
//! Why: serde_json's parser and serde's derived deserializers were over a third of the islands'
//! wasm (README, "Performance"), and the browser already has a JSON parser. [`AuthJson`] is the
//! server-function encoding of the auth routes' answers and errors on top of this: the server
//! writes the same JSON as before (Auth.js's shapes, through serde), the browser reads it
//! without serde's deserializers.

use leptos::server_fn::{codec::Post, Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;

pub use auth_core::protocol::wire_value::FromJsonValue;

/// Why a value could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(String);

/// Parses `text` as JSON into `T`.
///
/// # Errors
/// Invalid JSON, or JSON of another shape.
pub fn from_str<T: FromJsonValue>(text: &str) -> Result<T, JsonError> {
    T::from_json_value(imp::parse(text)?)
        .ok_or_else(|| JsonError(format!("unexpected JSON shape: {text:.80}")))
}

/// `value` as JSON text.
///
/// # Errors
/// A value JSON cannot hold (a map with non-string keys, say).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
    imp::to_string(value)
}

/// The server-function encoding of the auth routes' answers and errors: JSON (see the module
/// docs).
pub struct AuthJson;

/// [`AuthJson`] as a server function's `output` (in a response body, whatever the method).
pub type AuthJsonOutput = Post<AuthJson>;

impl ContentType for AuthJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for AuthJson {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for AuthJson {
    type Error = JsonError;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        to_string(output).map(Bytes::from)
    }
}

impl<T: FromJsonValue> Decodes<T> for AuthJson {
    type Error = JsonError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|e| JsonError(e.to_string()))?;
        from_str(text)
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    //! The browser's `JSON.parse` / `JSON.stringify`, and JS values to and from
    //! `serde_json::Value` by hand.

    use crate::auth::json::JsonError;
    use js_sys::{Array, Object, Reflect};
    use serde::Serialize;
    use serde_json::{Map, Number, Value};
    use wasm_bindgen::{JsCast, JsValue};

    fn js_error(value: JsValue) -> JsonError {
        let message = value
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default();
        JsonError(message)
    }

    pub fn parse(text: &str) -> Result<Value, JsonError> {
        js_sys::JSON::parse(text)
            .map(|v| from_js(&v))
            .map_err(js_error)
    }

    pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
        let value = serde_json::to_value(value).map_err(|e| JsonError(e.to_string()))?;
        js_sys::JSON::stringify(&to_js(&value))
            .map(String::from)
            .map_err(js_error)
    }

    /// What `JSON.parse` made, as a `Value` (numbers as serde_json reads them: integers as
    /// integers).
    fn from_js(value: &JsValue) -> Value {
        if let Some(b) = value.as_bool() {
            Value::Bool(b)
        } else if let Some(n) = value.as_f64() {
            if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
                // Exact: a safe integer.
                #[allow(clippy::cast_possible_truncation)]
                let i = n as i64;
                if i >= 0 {
                    Value::from(i.unsigned_abs())
                } else {
                    Value::from(i)
                }
            } else {
                Number::from_f64(n).map_or(Value::Null, Value::Number)
            }
        } else if let Some(s) = value.as_string() {
            Value::String(s)
        } else if Array::is_array(value) {
            Array::from(value).iter().map(|v| from_js(&v)).collect()
        } else if value.is_object() {
            let mut map = Map::new();
            for entry in Object::entries(value.unchecked_ref()).iter() {
                let pair = Array::from(&entry);
                if let Some(key) = pair.get(0).as_string() {
                    map.insert(key, from_js(&pair.get(1)));
                }
            }
            Value::Object(map)
        } else {
            Value::Null
        }
    }

    fn to_js(value: &Value) -> JsValue {
        match value {
            Value::Null => JsValue::NULL,
            Value::Bool(b) => JsValue::from_bool(*b),
            Value::Number(n) => n.as_f64().map_or(JsValue::NULL, JsValue::from_f64),
            Value::String(s) => JsValue::from_str(s),
            Value::Array(items) => items.iter().map(to_js).collect::<Array>().into(),
            Value::Object(map) => {
                let object = Object::new();
                for (key, item) in map {
                    let _ = Reflect::set(&object, &JsValue::from_str(key), &to_js(item));
                }
                object.into()
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    //! serde_json, on the server (and in native tests).

    use crate::auth::json::JsonError;
    use serde::Serialize;
    use serde_json::Value;

    pub fn parse(text: &str) -> Result<Value, JsonError> {
        serde_json::from_str(text).map_err(|e| JsonError(e.to_string()))
    }

    pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
        serde_json::to_string(value).map_err(|e| JsonError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in ["", "{", "nul", "[1,", "{\"user\":1}", "[]"] {
            assert!(
                from_str::<Option<auth_core::protocol::wire::Session>>(text).is_err(),
                "{text}"
            );
        }
        assert_eq!(
            from_str::<Option<auth_core::protocol::wire::Session>>("null").unwrap(),
            None
        );
        assert!(<AuthJson as Decodes<String>>::decode(Bytes::from_static(b"\xff")).is_err());
    }
}
