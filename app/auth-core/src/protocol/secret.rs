//! `AUTH_SECRET`, wrapped so that it cannot end up in a log line or a response by accident.
//!
//! Mirrors oauth2-rs's secret types: a redacted `Debug`, no `Display`, no `Serialize`, no
//! `PartialEq` (compare derived values with `subtle`, never the secret with `==`).

/// One secret. `AUTH_SECRET` may hold several (rotation), newest first.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string (used as-is as key material, as Auth.js does).
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// A fresh random secret (32 bytes, hex): used for development when none is configured.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        Self(hex::encode(bytes))
    }

    /// The secret itself.
    ///
    /// # Security Warning
    /// Only key derivation and hashing may see this; never log, format or return it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2-hunter2".into());
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_ne!(Secret::random().expose(), Secret::random().expose());
    }
}
