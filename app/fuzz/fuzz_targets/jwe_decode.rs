//! The session-token JWE decoder (`KeySet::open`, `KeySet::decode`).
//!
//! For any input (read as UTF-8, invalid bytes replaced): `open`, `decode::<serde_json::Value>`
//! and `decode::<Token>` return, never panic. Then a `Token` built from the input (its lines as
//! the string claims, `key=value` lines as extra claims) goes through `encode` and comes back
//! equal from `decode`, and a copy of that JWE with one character changed never decrypts.
#![no_main]

use std::sync::OnceLock;

use auth_core::protocol::{claims::Token, jwt::KeySet, secret::Secret};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// A fixed "now" (2026-01-01T00:00:00Z), so that a run is reproducible.
const NOW: i64 = 1_767_225_600;
/// The claims `Token` reads into its own fields: never generated as extra claims.
const STANDARD: [&str; 8] = [
    "name", "email", "picture", "sub", "iat", "exp", "jti", "nbf",
];
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| {
        KeySet::derive(
            &[Secret::new(
                "fuzz-secret-0123456789abcdef-0123456789".to_owned(),
            )],
            "authjs.session-token",
        )
    })
}

fn token_from(input: &str) -> Token {
    let mut lines = input.split('\n');
    let mut next = || lines.next().map(str::to_owned);
    let mut token = Token {
        name: next(),
        email: next(),
        picture: next(),
        sub: next(),
        jti: next(),
        iat: Some(NOW),
        exp: Some(NOW + 30 * 24 * 3600),
        nbf: None,
        extra: Map::new(),
    };
    for line in lines {
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if STANDARD.contains(&key) {
            continue;
        }
        let value = match value.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::from(value),
        };
        token.extra.insert(key.to_owned(), value);
    }
    token
}

fuzz_target!(|data: &[u8]| {
    let keys = keys();
    let input = String::from_utf8_lossy(data);

    let _ = keys.open(&input);
    let _ = keys.decode::<Value>(&input, NOW);
    let _ = keys.decode::<Token>(&input, NOW);

    let token = token_from(&input);
    let jwe = keys.encode(&token).expect("a Token always serializes");
    let back: Token = keys.decode(&jwe, NOW).expect("a token we made must decode");
    assert_eq!(back, token, "decode(encode(token)) != token");

    // One character of the JWE replaced (position and replacement from the input): unless the
    // string is unchanged, it must not decrypt.
    if let Some(&first) = data.first() {
        let at = data
            .iter()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(*b as usize))
            % jwe.len();
        let replacement = if first == b'.' {
            '.'
        } else {
            B64URL[first as usize % 64] as char
        };
        let mut tampered = jwe.clone();
        tampered.replace_range(at..at + 1, replacement.encode_utf8(&mut [0; 4]));
        if tampered != jwe {
            assert!(
                keys.open(&tampered).is_err(),
                "a tampered token decrypted: {tampered}"
            );
        }
    }
});
