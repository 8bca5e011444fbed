//! Email addresses as the email and credentials flows compare them: normalised here, parsed by
//! `lettre::Address`, and held to a stricter domain rule (a dotted ASCII host name, no IP).

use unicode_normalization::UnicodeNormalization;

/// Normalises an address (Unicode NFKC, trimmed, lower-cased) before anything looks at it, or
/// `None` if it is not a plausible email address. NFKC first, so that look-alike forms of one
/// address (fullwidth letters, ligatures, `＠`) are one address for validation, lookup and
/// limits alike (the 2026 Auth.js advisory on email normalisation).
pub fn normalize_email(raw: &str) -> Option<String> {
    if raw.len() > 1024 {
        return None;
    }
    let email = raw.nfkc().collect::<String>().trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        // The address grammar is lettre's (the mailer parses it the same way); quoted local
        // parts are refused: an identifier with spaces and quotes is not worth the ambiguity.
        && !local.contains('"')
        && email.parse::<lettre::Address>().is_ok();
    valid.then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").as_deref(),
            Some("ada@example.com")
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a b@example.com",
            "ada@exa mple.com",
            "ada@.example.com",
            "ada@example..com",
            "<ada>@example.com",
            "\"a b\"@example.com",
            "ada,bob@example.com",
            "ada@[127.0.0.1]",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
        assert_eq!(
            normalize_email(&format!("{}@example.com", "a".repeat(65))),
            None
        );
    }

    #[test]
    fn look_alike_addresses_normalise_to_one() {
        // Fullwidth letters and at sign, a ligature, a mathematical bold letter.
        for variant in [
            "\u{FF41}da@example.com",
            "ada\u{FF20}example.com",
            "ADA@EXAMPLE.COM",
            "\u{1D41A}da@example.com",
        ] {
            assert_eq!(
                normalize_email(variant).as_deref(),
                Some("ada@example.com"),
                "{variant:?}"
            );
        }
        assert_eq!(
            normalize_email("\u{FB01}x@example.com").as_deref(),
            Some("fix@example.com")
        );
        // Validation sees the normalised form: a one-dot leader is a dot.
        assert_eq!(
            normalize_email("ada@exa\u{2024}com").as_deref(),
            Some("ada@exa.com")
        );
        assert_eq!(normalize_email(&"a".repeat(5000)), None);
    }
}
