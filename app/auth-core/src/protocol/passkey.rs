//! Passkeys (WebAuthn), the protocol side: the relying party a request speaks for, the sealed
//! cookie that carries a ceremony from its options to its answer, and Auth.js's stored form of
//! a credential (base64url ids, the authenticator's COSE key, comma-separated transports).
//!
//! The verification itself is `webauthn-rs-core`'s (signature, challenge, origin, relying party
//! id hash, flags, counter): this module only feeds it and stores what it returns.
//!
//! The ceremony cookie is Auth.js's `authjs.challenge` (`__Host-` over https), sealed and bound
//! to the browser like the second-step cookie, and lives [`CHALLENGE_MAX_AGE_SECS`]. A sealed
//! cookie can be sent twice; the caller spends its challenge in the database, once.

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::{Deserialize, Serialize};
use url::Url;
use webauthn_rs_core::{
    proto::{
        AttestationFormat, AuthenticationState, AuthenticatorTransport, COSEKey, Credential,
        ParsedAttestation, RegisteredExtensions, RegistrationState, UserVerificationPolicy,
    },
    WebauthnCore,
};

use super::{
    bound_cookie::{BoundCookie, BoundToBrowser},
    secret::Secret,
};

/// The cookie over plain http (Auth.js's name).
pub const CHALLENGE_COOKIE: &str = "authjs.challenge";
/// The cookie over https.
pub const SECURE_CHALLENGE_COOKIE: &str = "__Host-authjs.challenge";
/// How long a ceremony may take (the browser's timeout is one minute less).
pub const CHALLENGE_MAX_AGE_SECS: i64 = 5 * 60;
/// The timeout the options give the browser.
const CEREMONY_TIMEOUT: Duration = Duration::from_secs(4 * 60);

/// Which ceremony, as Auth.js's `action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Create a passkey.
    Register,
    /// Sign in with one.
    Authenticate,
}

impl Action {
    /// Auth.js's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Authenticate => "authenticate",
        }
    }

    /// Parses Auth.js's name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "register" => Some(Self::Register),
            "authenticate" => Some(Self::Authenticate),
            _ => None,
        }
    }

    /// Auth.js's `inferWebAuthnOptions`: the ceremony a request may start, from the action it
    /// asked for (if any), whether the browser is signed in, and whether the user it names
    /// exists (`None` when it names none). Registering needs a signed-in user (adding a
    /// passkey) or, signed out, an address no user has (signing up); `None` refuses.
    pub fn infer(asked: Option<Self>, signed_in: bool, user_exists: Option<bool>) -> Option<Self> {
        match (asked, user_exists) {
            (Some(Self::Authenticate), _) => Some(Self::Authenticate),
            (Some(Self::Register), Some(exists)) if exists == signed_in => Some(Self::Register),
            (None, _) if signed_in => None,
            (None, Some(true) | None) => Some(Self::Authenticate),
            (None, Some(false)) => Some(Self::Register),
            (Some(Self::Register), _) => None,
        }
    }
}

/// Who a registration is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Registrant {
    /// The signed-in user adds a passkey.
    User {
        /// Their id.
        id: i32,
    },
    /// A new user signs up with this passkey and this address (not proved: see the README).
    NewUser {
        /// The normalised address.
        email: String,
    },
}

/// The ceremony's server-side half, from `webauthn-rs-core`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum CeremonyState {
    /// A registration.
    Register {
        /// Its state.
        state: RegistrationState,
        /// For whom.
        registrant: Registrant,
    },
    /// An authentication.
    Authenticate {
        /// Its state (no credentials: the stored one is looked up when the answer comes).
        state: AuthenticationState,
        /// The credential ids (base64url) the options allowed; empty for a discoverable
        /// sign-in (any of this site's passkeys).
        allowed: Vec<String>,
    },
}

impl CeremonyState {
    /// Its action.
    pub fn action(&self) -> Action {
        match self {
            Self::Register { .. } => Action::Register,
            Self::Authenticate { .. } => Action::Authenticate,
        }
    }
}

/// The sealed content of the challenge cookie.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Ceremony {
    /// The ceremony.
    #[serde(flatten)]
    pub state: CeremonyState,
    /// Its challenge, base64url: spent once in the database.
    pub challenge: String,
    binding: String,
    exp: i64,
}

impl Ceremony {
    /// A ceremony for the browser whose binding is `binding`, started at `now` (Unix seconds).
    pub fn new(state: CeremonyState, challenge: String, binding: &str, now: i64) -> Self {
        Self {
            state,
            challenge,
            binding: binding.to_owned(),
            exp: now + CHALLENGE_MAX_AGE_SECS,
        }
    }

    /// When it ends (Unix seconds).
    pub fn expires_at(&self) -> i64 {
        self.exp
    }
}

impl BoundToBrowser for Ceremony {
    fn binding(&self) -> &str {
        &self.binding
    }
}

/// The challenge cookie's keys.
pub fn challenge_cookie(secrets: &[Secret]) -> BoundCookie {
    BoundCookie::derive(
        secrets,
        CHALLENGE_COOKIE,
        SECURE_CHALLENGE_COOKIE,
        CHALLENGE_MAX_AGE_SECS,
    )
}

/// Why no relying party could be made for an origin.
#[derive(Debug, thiserror::Error)]
#[error("no relying party for this origin: {0}")]
pub struct RelyingPartyError(&'static str);

/// The relying party for a site at `origin` (Auth.js's `getRelayingParty`: its id is the
/// origin's host, the only origin it accepts is `origin` itself, port included).
///
/// # Errors
/// When `origin` is not an absolute URL with a host.
pub fn relying_party(origin: &str, name: &str) -> Result<WebauthnCore, RelyingPartyError> {
    let url = Url::parse(origin).map_err(|_| RelyingPartyError("not a URL"))?;
    let id = url
        .host_str()
        .ok_or(RelyingPartyError("no host"))?
        .to_owned();
    Ok(WebauthnCore::new_unsafe_experts_only(
        name,
        &id,
        vec![url],
        CEREMONY_TIMEOUT,
        Some(false),
        Some(false),
    ))
}

/// base64url without padding, as Auth.js stores ids and keys.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads base64url (padded or not) or standard base64 (Auth.js's adapters differ).
pub fn from_b64(value: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    let trimmed = value.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE.decode(value))
        .or_else(|_| STANDARD.decode(value))
        .ok()
}

/// The authenticator's COSE public key, as the bytes it sent, from a registration's
/// `attestationObject` (already verified). Auth.js stores this, base64url, in
/// `credentialPublicKey`.
pub fn cose_key_of_attestation(attestation_object: &[u8]) -> Option<Vec<u8>> {
    use serde_cbor_2::Value;
    let object: Value = serde_cbor_2::from_slice(attestation_object).ok()?;
    let Value::Map(map) = object else { return None };
    let auth_data = map.iter().find_map(|(k, v)| match (k, v) {
        (Value::Text(k), Value::Bytes(v)) if k == "authData" => Some(v),
        _ => None,
    })?;
    // rpIdHash (32) | flags (1) | signCount (4) | aaguid (16) | idLength (2) | id | COSE key...
    let flags = *auth_data.get(32)?;
    if flags & 0x40 == 0 {
        return None; // no attested credential data
    }
    let id_len = usize::from(u16::from_be_bytes([
        *auth_data.get(53)?,
        *auth_data.get(54)?,
    ]));
    let key_start = 55usize.checked_add(id_len)?;
    let rest = auth_data.get(key_start..)?;
    // The key is the first CBOR item; extensions may follow it.
    let mut items = serde_cbor_2::Deserializer::from_slice(rest).into_iter::<Value>();
    let key = items.next()?.ok()?;
    serde_cbor_2::to_vec(&key).ok()
}

/// A COSE key from its stored bytes.
pub fn cose_key(bytes: &[u8]) -> Option<COSEKey> {
    let value: serde_cbor_2::Value = serde_cbor_2::from_slice(bytes).ok()?;
    COSEKey::try_from(&value).ok()
}

/// Transports in Auth.js's stored form (`internal,hybrid`).
pub fn transports_to_string(transports: Option<&[AuthenticatorTransport]>) -> Option<String> {
    let names: Vec<String> = transports?
        .iter()
        .filter_map(|t| match serde_json::to_value(t) {
            Ok(serde_json::Value::String(name)) if name != "unknown" => Some(name),
            _ => None,
        })
        .collect();
    (!names.is_empty()).then(|| names.join(","))
}

/// Transports from Auth.js's stored form; unknown names are skipped.
pub fn transports_from_string(value: Option<&str>) -> Option<Vec<AuthenticatorTransport>> {
    let transports: Vec<AuthenticatorTransport> = value?
        .split(',')
        .filter_map(|name| name.trim().parse().ok())
        .filter(|t| *t != AuthenticatorTransport::Unknown)
        .collect();
    (!transports.is_empty()).then_some(transports)
}

/// A stored passkey as `webauthn-rs-core` checks an assertion against it. Nothing of the
/// registration's attestation is kept (Auth.js keeps none), and user verification is asked
/// for as `preferred` (as Auth.js): whether it happened is read from each assertion.
pub fn stored_credential(
    credential_id: &str,
    public_key: &str,
    counter: i64,
    backed_up: bool,
    device_type: &str,
    transports: Option<&str>,
) -> Option<Credential> {
    Some(Credential {
        cred_id: from_b64(credential_id)?,
        cred: cose_key(&from_b64(public_key)?)?,
        counter: u32::try_from(counter).ok()?,
        transports: transports_from_string(transports),
        user_verified: false,
        backup_eligible: device_type == MULTI_DEVICE,
        backup_state: backed_up,
        registration_policy: UserVerificationPolicy::Preferred,
        extensions: RegisteredExtensions::none(),
        attestation: ParsedAttestation::default(),
        attestation_format: AttestationFormat::None,
    })
}

/// Auth.js's `credentialDeviceType` of a backup-eligible (syncable) credential.
pub const MULTI_DEVICE: &str = "multiDevice";
/// ... and of one bound to its device.
pub const SINGLE_DEVICE: &str = "singleDevice";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_action_is_inferred_as_auth_js_does() {
        use Action::{Authenticate as A, Register as R};
        // Asked to authenticate: always.
        for signed_in in [false, true] {
            for exists in [None, Some(false), Some(true)] {
                assert_eq!(Action::infer(Some(A), signed_in, exists), Some(A));
            }
        }
        // Register: a signed-in user (who exists), or a new address while signed out.
        assert_eq!(Action::infer(Some(R), true, Some(true)), Some(R));
        assert_eq!(Action::infer(Some(R), false, Some(false)), Some(R));
        assert_eq!(
            Action::infer(Some(R), false, Some(true)),
            None,
            "another's address"
        );
        assert_eq!(Action::infer(Some(R), false, None), None, "no address");
        assert_eq!(Action::infer(Some(R), true, Some(false)), None);
        // Nothing asked: signed out, by whether the address has a user.
        assert_eq!(Action::infer(None, false, None), Some(A));
        assert_eq!(Action::infer(None, false, Some(true)), Some(A));
        assert_eq!(Action::infer(None, false, Some(false)), Some(R));
        assert_eq!(Action::infer(None, true, Some(true)), None);
    }

    #[test]
    fn transports_round_trip_in_auth_js_form() {
        let stored = transports_to_string(Some(&[
            AuthenticatorTransport::Internal,
            AuthenticatorTransport::Hybrid,
        ]));
        assert_eq!(stored.as_deref(), Some("internal,hybrid"));
        assert_eq!(
            transports_from_string(Some("usb, nfc,smoke-signals")),
            Some(vec![
                AuthenticatorTransport::Usb,
                AuthenticatorTransport::Nfc
            ])
        );
        assert_eq!(transports_from_string(Some("")), None);
        assert_eq!(transports_to_string(Some(&[])), None);
    }

    #[test]
    fn ids_read_in_every_base64_auth_js_adapters_write() {
        let bytes = [0xfb, 0xff, 0x01, 0x02];
        for form in ["-_8BAg", "-_8BAg==", "+/8BAg=="] {
            assert_eq!(from_b64(form).as_deref(), Some(&bytes[..]), "{form}");
        }
        assert_eq!(b64(&bytes), "-_8BAg");
        assert_eq!(from_b64("not base64!"), None);
    }

    #[test]
    fn a_relying_party_needs_an_origin_with_a_host() {
        assert!(relying_party("http://localhost:3000", "x").is_ok());
        assert!(relying_party("not a url", "x").is_err());
        assert!(relying_party("data:text/plain,x", "x").is_err());
    }

    #[test]
    fn garbage_is_no_cose_key() {
        assert!(cose_key(b"").is_none());
        assert!(cose_key(&[0xa1, 0x01, 0x02]).is_none());
        assert!(cose_key_of_attestation(b"\xff\xff").is_none());
        assert!(stored_credential("AAAA", "AAAA", 0, false, SINGLE_DEVICE, None).is_none());
    }
}
