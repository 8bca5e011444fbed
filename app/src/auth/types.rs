//! The shapes that cross the wire: the core's [`auth_core::protocol::wire`] types, plus the
//! error type of the auth server functions (which names Leptos, so it lives on this side).

pub use auth_core::protocol::wire::*;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
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
    type Encoder = JsonEncoding;

    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        Self::Transport(e)
    }
}
