//! The second factor: time-based one-time passwords (RFC 6238, what authenticator apps show)
//! and single-use recovery codes, as pure functions.
//!
//! - A TOTP secret is 20 random bytes (160 bits, RFC 4226's recommendation), shown to the user
//!   once as base32 and as an `otpauth://` URL (the QR code); codes are 6 digits, 30-second
//!   steps, SHA-1 (what every app supports), and the step before and after the current one are
//!   accepted (clock skew). [`check_code`] says which step a code matched: a step is accepted
//!   once per user (the caller keeps the last one), so a code seen over a shoulder or replayed
//!   is refused. Codes are compared in constant time (totp-rs).
//! - Recovery codes are ten random codes of 50 bits (`xxxxx-xxxxx` in base32), kept only as
//!   HMAC-SHA-256 under the app's secret, like Auth.js keeps email tokens: a leaked table gives
//!   nothing to type in.
//! - At rest the TOTP secret is sealed (encrypted and authenticated) with a key derived from
//!   `AUTH_SECRET` (see [`seal_secret`]), so a copy of the database alone cannot mint codes.
//!
//! The caller passes in the time; nothing here reads a clock or the database.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use totp_rs::{Algorithm, Secret as TotpBytes, Totp};

use super::{jwt::KeySet, secret::Secret};

/// Digits of a code.
pub const DIGITS: u8 = 6;
/// Seconds of a step.
pub const STEP_SECS: u64 = 30;
/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;

/// The salt (and key label) under which TOTP secrets are sealed at rest.
pub const SECRET_SALT: &str = "leptos-auth.totp-secret";

/// A user's TOTP secret: 20 bytes. `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 20];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        Self(bytes)
    }

    /// The secret as the user types it into an app (RFC 4648 base32, no padding).
    ///
    /// # Security warning
    /// Show it to its user once, at enrolment; never log it.
    pub fn to_base32(&self) -> String {
        TotpBytes::new(self.0.clone().into_boxed_slice()).to_base32()
    }

    /// Reads a base32 secret (as [`to_base32`](Self::to_base32) wrote it).
    pub fn from_base32(text: &str) -> Option<Self> {
        TotpBytes::try_from_base32(text)
            .ok()
            .map(|s| Self(s.as_bytes().to_vec()))
            .filter(|s| s.0.len() >= 16)
    }

    fn totp(&self, issuer: &str, account: &str) -> Option<Totp> {
        totp_rs::Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_skew(1)
            .with_step_duration(STEP_SECS)
            .with_secret(TotpBytes::new(self.0.clone().into_boxed_slice()))
            .with_issuer(Some(issuer.replace(':', " ")))
            .with_account_name(account.replace(':', " "))
            .build()
            .ok()
    }

    /// The `otpauth://totp/...` URL an app reads from the QR code.
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> Option<String> {
        self.totp(issuer, account)?.to_url().ok()
    }

    /// The code for the step that contains `unix_secs` (for tests and fixtures).
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.totp("x", "x")
            .map(|t| t.generate(unix_secs).to_string())
            .unwrap_or_default()
    }
}

/// The step `code` belongs to, if it is the code of the step of `unix_secs` or of the one
/// before or after; spaces in the code are ignored. The caller must refuse a step it already
/// accepted for this user.
pub fn check_code(secret: &TotpSecret, code: &str, unix_secs: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    secret.totp("x", "x")?.check(&code, unix_secs)
}

/// Whether `code` looks like a recovery code rather than a TOTP code.
pub fn is_recovery_code(code: &str) -> bool {
    normalise_recovery_code(code).len() == 10
}

/// New recovery codes, as the user writes them down (`abcde-fghij`).
pub fn generate_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let chars: String = bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A recovery code as typed, reduced to its ten characters (case, spaces and dashes ignored).
fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What is stored of a recovery code: HMAC-SHA-256 under the newest `AUTH_SECRET`, hex.
pub fn hash_recovery_code(secret: &Secret, code: &str) -> String {
    let normalised = normalise_recovery_code(code);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"leptos-auth.recovery-code:");
    mac.update(normalised.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The secret sealed for the database (a JWE under a key derived from `AUTH_SECRET` with
/// [`SECRET_SALT`], as the session token is under its cookie name).
pub fn seal_secret(keys: &KeySet, secret: &TotpSecret, now_secs: i64) -> Option<String> {
    let claims = serde_json::json!({ "totp": secret.to_base32(), "iat": now_secs });
    keys.encode(&claims).ok()
}

/// Opens what [`seal_secret`] made (with any of the configured secrets, for rotation).
pub fn open_secret(keys: &KeySet, sealed: &str) -> Option<TotpSecret> {
    let claims: serde_json::Value = serde_json::from_slice(&keys.open(sealed).ok()?).ok()?;
    TotpSecret::from_base32(claims.get("totp")?.as_str()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        // RFC 6238 appendix B's SHA-1 seed.
        TotpSecret(b"12345678901234567890".to_vec())
    }

    #[test]
    fn codes_are_rfc_6238() {
        // RFC 6238 appendix B gives 8-digit codes; ours are their last six digits.
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
        ] {
            assert_eq!(rfc_secret().code_at(time), code, "{time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_ones_around_it_only() {
        let secret = TotpSecret::generate();
        let now = 1_800_000_000;
        let code = secret.code_at(now);
        let step = now / STEP_SECS;
        assert_eq!(check_code(&secret, &code, now), Some(step));
        assert_eq!(check_code(&secret, &code, now + STEP_SECS), Some(step));
        assert_eq!(check_code(&secret, &code, now - STEP_SECS), Some(step));
        assert_eq!(check_code(&secret, &code, now + 2 * STEP_SECS), None);
        assert_eq!(
            check_code(&secret, &format!("{} {}", &code[..3], &code[3..]), now),
            Some(step)
        );
        for garbage in [
            "",
            "12345",
            "1234567",
            "abcdef",
            "12345\u{0663}",
            "\u{FF11}23456",
        ] {
            assert_eq!(check_code(&secret, garbage, now), None, "{garbage}");
        }
        assert_eq!(check_code(&TotpSecret::generate(), &code, now), None);
    }

    #[test]
    fn secrets_round_trip_through_base32_and_the_seal() {
        let secret = TotpSecret::generate();
        assert_eq!(secret.to_base32().len(), 32);
        assert_eq!(
            TotpSecret::from_base32(&secret.to_base32()),
            Some(secret.clone())
        );
        assert_eq!(
            TotpSecret::from_base32("AAAA"),
            None,
            "too short to be a secret"
        );
        assert_eq!(format!("{secret:?}"), "TotpSecret([redacted])");
        let keys = KeySet::derive(&[Secret::random()], SECRET_SALT);
        let sealed = seal_secret(&keys, &secret, 0).unwrap();
        assert!(!sealed.contains(&secret.to_base32()));
        assert_eq!(open_secret(&keys, &sealed), Some(secret));
        let other = KeySet::derive(&[Secret::random()], SECRET_SALT);
        assert_eq!(open_secret(&other, &sealed), None);
        assert_eq!(open_secret(&keys, "garbage"), None);
    }

    #[test]
    fn the_otpauth_url_names_the_issuer_and_account() {
        let url = TotpSecret::generate()
            .otpauth_url("Leptos Auth", "ada@example.com")
            .unwrap();
        assert!(
            url.starts_with("otpauth://totp/Leptos%20Auth:ada%40example.com?"),
            "{url}"
        );
        assert!(url.contains("issuer=Leptos%20Auth"), "{url}");
        assert!(url.contains("secret="), "{url}");
    }

    #[test]
    fn recovery_codes_are_random_and_hashed_case_blind() {
        let codes = generate_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let secret = Secret::random();
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert!(is_recovery_code(code));
            let hash = hash_recovery_code(&secret, code);
            assert_eq!(hash.len(), 64);
            assert_eq!(
                hash,
                hash_recovery_code(&secret, &code.to_uppercase().replace('-', " "))
            );
            assert_ne!(hash, hash_recovery_code(&Secret::random(), code));
        }
        assert!(!is_recovery_code("123456"));
    }
}
