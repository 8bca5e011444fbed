//! The shapes that cross the wire: the core's [`auth_core::protocol::wire`] types, plus the
//! error type of the auth server functions (which names Leptos, so it lives on this side).

pub use auth_core::protocol::wire::*;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The error type of every auth server function: an Auth.js code, or a transport failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum AuthFnError {
    /// The operation failed with this Auth.js code; details are in the server log only.
    #[error("{0}")]
    Auth(AuthErrorCode),
    /// The request never reached the function, or its answer could not be read.
    #[error(transparent)]
    Transport(ServerFnErrorErr),
}

impl FromServerFnError for AuthFnError {
    // JSON, decoded in the browser without serde_json (`auth::json`).
    type Encoder = super::json::AuthJson;

    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        Self::Transport(e)
    }
}

use super::json::FromJsonValue;

impl FromJsonValue for AuthFnError {
    /// serde's externally tagged shape: `{"Auth":"MissingCSRF"}`, `{"Transport":{"Request":".."}}`.
    fn from_json_value(value: serde_json::Value) -> Option<Self> {
        let (tag, inner) = variant(value)?;
        match tag.as_str() {
            "Auth" => AuthErrorCode::from_json_value(inner).map(Self::Auth),
            "Transport" => transport_error(inner).map(Self::Transport),
            _ => None,
        }
    }
}

/// An externally tagged enum value: an object of exactly one field, the variant's name.
fn variant(value: serde_json::Value) -> Option<(String, serde_json::Value)> {
    let serde_json::Value::Object(map) = value else {
        return None;
    };
    let mut entries = map.into_iter();
    let entry = entries.next()?;
    entries.next().is_none().then_some(entry)
}

/// A `ServerFnErrorErr` in serde's externally tagged shape.
fn transport_error(value: serde_json::Value) -> Option<ServerFnErrorErr> {
    let (tag, message) = variant(value)?;
    let message = String::from_json_value(message)?;
    Some(match tag.as_str() {
        "Registration" => ServerFnErrorErr::Registration(message),
        "UnsupportedRequestMethod" => ServerFnErrorErr::UnsupportedRequestMethod(message),
        "Request" => ServerFnErrorErr::Request(message),
        "ServerError" => ServerFnErrorErr::ServerError(message),
        "MiddlewareError" => ServerFnErrorErr::MiddlewareError(message),
        "Deserialization" => ServerFnErrorErr::Deserialization(message),
        "Serialization" => ServerFnErrorErr::Serialization(message),
        "Args" => ServerFnErrorErr::Args(message),
        "MissingArg" => ServerFnErrorErr::MissingArg(message),
        "Response" => ServerFnErrorErr::Response(message),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::server_fn::{Bytes, Decodes, Encodes};
    use serde_json::json;

    #[test]
    fn errors_keep_the_wire_shape_of_server_functions() {
        use crate::auth::json::AuthJson;
        let error = AuthFnError::Auth(AuthErrorCode::MissingCsrf);
        let bytes: Bytes = <AuthJson as Encodes<AuthFnError>>::encode(&error).unwrap();
        assert_eq!(&bytes[..], br#"{"Auth":"MissingCSRF"}"#);
        let back: AuthFnError = <AuthJson as Decodes<AuthFnError>>::decode(bytes).unwrap();
        assert_eq!(back, error);
    }

    #[test]
    fn errors_read_as_the_derive_reads_them() {
        for value in [
            json!({"Auth": "MissingCSRF"}),
            json!({"Auth": "Nope"}),
            json!({"Transport": {"Request": "offline"}}),
            json!({"Transport": {"Args": "bad"}}),
            json!({"Transport": {"Other": "x"}}),
            json!({"Transport": {"Request": 1}}),
            json!({"Auth": "Default", "Transport": {"Request": "x"}}),
            json!({}),
            json!("Auth"),
        ] {
            let derived = serde_json::from_value::<AuthFnError>(value.clone()).ok();
            assert_eq!(
                AuthFnError::from_json_value(value.clone()),
                derived,
                "{value}"
            );
        }
    }
}
