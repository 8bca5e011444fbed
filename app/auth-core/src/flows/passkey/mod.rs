//! Passkeys (Auth.js's WebAuthn provider, `passkey`): `GET <base>/webauthn-options/passkey`
//! ([`options`]) starts a ceremony, `POST <base>/callback/passkey` ([`callback`]) finishes it,
//! and the account page lists and removes a user's passkeys ([`manage`]).
//!
//! Refusals, each tested: a challenge answered twice (also in parallel), expired, from another
//! browser or absent; an assertion signed for another origin or relying party; a counter that
//! did not move forward; an unknown credential, or one the options did not allow; registering
//! with another user's address, or for a user who is no longer the signed-in one.

pub mod callback;
pub mod manage;
pub mod options;

use webauthn_rs_core::proto::Credential;

use crate::{
    adapter::AuthenticatorRow,
    error::AuthError,
    protocol::passkey::{relying_party, stored_credential},
    providers::PasskeyProvider,
    request::AuthRequest,
};

/// The relying party this request speaks for: the request's public origin (`AUTH_URL`, else
/// the trusted `Host`, as every other absolute URL the server makes).
fn relying_party_of(
    req: &AuthRequest,
    provider: &PasskeyProvider,
) -> Result<webauthn_rs_core::WebauthnCore, AuthError> {
    let host = url::Url::parse(&req.origin)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    let name = provider.rp_name.as_deref().unwrap_or(&host);
    relying_party(&req.origin, name).map_err(|e| AuthError::Configuration(e.to_string()))
}

/// A stored passkey as the verifier checks against it (`None` for a row whose key or id does
/// not read: written by hand, or damaged).
fn credential_of(row: &AuthenticatorRow) -> Option<Credential> {
    stored_credential(
        &row.credential_id,
        &row.public_key,
        row.counter,
        row.backed_up,
        &row.device_type,
        row.transports.as_deref(),
    )
}
