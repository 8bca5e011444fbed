//! What a passkey registration stores, and what sign-in reads back (`protocol::passkey`): the
//! COSE key cut out of an `attestationObject` the browser sent, and a stored row (Auth.js's
//! base64 columns, which another Auth.js adapter may have written) turned into the credential
//! `webauthn-rs-core` checks against.
//!
//! Never a panic; a key cut from an attestation is CBOR that reads back the same; and a stored
//! row built from it, under any base64 spelling, yields the same credential key.
#![no_main]

use auth_core::protocol::passkey::{
    b64, cose_key, cose_key_of_attestation, from_b64, stored_credential, SINGLE_DEVICE,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(key) = cose_key_of_attestation(data) {
        let parsed = cose_key(&key);
        if let Some(parsed) = &parsed {
            let stored = stored_credential("AQID", &b64(&key), 0, false, SINGLE_DEVICE, None)
                .expect("a parsed key is a stored credential");
            assert_eq!(&stored.cred, parsed);
        }
    }
    let _ = cose_key(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = from_b64(text);
        let _ = stored_credential(text, text, i64::from(data.len() as u32), true, text, Some(text));
    }
    assert_eq!(from_b64(&b64(data)).as_deref(), Some(data));
});
