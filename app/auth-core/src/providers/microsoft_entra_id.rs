//! Preset: Microsoft Entra ID (formerly Azure AD), mirroring Auth.js's
//! `@auth/core/providers/microsoft-entra-id`.
//!
//! Enabled by `AUTH_MICROSOFT_ENTRA_ID_ID` and `AUTH_MICROSOFT_ENTRA_ID_SECRET`;
//! `AUTH_MICROSOFT_ENTRA_ID_ISSUER` picks the tenant
//! (`https://login.microsoftonline.com/<tenant-id>/v2.0`; default `.../common/v2.0`, any work,
//! school or personal account). Register the callback URL
//! `<origin>/api/auth/callback/microsoft-entra-id`.
//!
//! OpenID Connect with the id_token as profile. The mapper differs from the standard one because
//! Entra's id_token has no `email` unless the app registration adds that optional claim, and
//! `preferred_username` (the sign-in name, usually the UPN) is used in its place; and because
//! Entra does not verify `email` (anyone can type any address into a tenant), an address counts
//! as verified only when the token carries `xms_edov` (the tenant owns the email's domain).
//! Unlike Auth.js no Graph photo is fetched: it would be a data URL too big for a JWT cookie.

use serde_json::Value;

use super::oauth::{string_field, OAuthProvider, Profile};

const DEFAULT_ISSUER: &str = "https://login.microsoftonline.com/common/v2.0";

/// The Microsoft Entra ID provider (`microsoft-entra-id`): OIDC on `issuer` (default: the
/// multi-tenant `https://login.microsoftonline.com/common/v2.0`), scopes `openid profile email`.
pub fn microsoft_entra_id(
    client_id: impl Into<String>,
    client_secret: impl Into<String>,
    issuer: Option<String>,
) -> OAuthProvider {
    OAuthProvider::oidc(
        "microsoft-entra-id",
        "Microsoft Entra ID",
        issuer.unwrap_or_else(|| DEFAULT_ISSUER.to_owned()),
        client_id,
        client_secret,
    )
    .with_scopes(&["openid", "profile", "email"])
    .with_profile(profile)
    .with_brand_color("#0072c6")
}

/// Maps Entra ID's id_token claims: `sub` (or else `oid`), `name`, `email` or else a
/// `preferred_username` that looks like an address, and no image.
pub fn profile(claims: &Value) -> Option<Profile> {
    let email = string_field(claims, "email");
    let domain_verified = matches!(claims.get("xms_edov"), Some(Value::Bool(true)))
        || matches!(claims.get("xms_edov"), Some(Value::String(s)) if s == "1" || s == "true");
    Some(Profile {
        id: string_field(claims, "sub").or_else(|| string_field(claims, "oid"))?,
        name: string_field(claims, "name"),
        email_verified: email.is_some() && domain_verified,
        email: email
            .or_else(|| string_field(claims, "preferred_username").filter(|upn| upn.contains('@'))),
        image: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::OAuthKind;
    use serde_json::json;

    /// The v2.0 id_token example of Microsoft's "ID token claims reference".
    fn babe_ruth() -> Value {
        json!({
            "aud": "6cb04018-a3f5-46a7-b995-940c78f5aef3",
            "iss": "https://login.microsoftonline.com/b9419818-09af-49c2-b0c3-653adc1f376e/v2.0",
            "iat": 1536361411,
            "nbf": 1536361411,
            "exp": 1536365311,
            "name": "Babe Ruth",
            "nonce": "12345",
            "oid": "a1dbdde8-e4f9-4571-ad93-3059e3750d23",
            "preferred_username": "thegreatbambino@nyy.onmicrosoft.com",
            "rh": "I",
            "sub": "MF4f-ggWMEji12KynJUNQZphaUTvLcQug5jdF2nl01Q",
            "tid": "b9419818-09af-49c2-b0c3-653adc1f376e",
            "uti": "bY2ZhCpERXhBG6AAWkBkbQ",
            "ver": "2.0"
        })
    }

    #[test]
    fn the_documented_claims_map_onto_a_profile() {
        assert_eq!(
            profile(&babe_ruth()),
            Some(Profile {
                id: "MF4f-ggWMEji12KynJUNQZphaUTvLcQug5jdF2nl01Q".into(),
                name: Some("Babe Ruth".into()),
                email: Some("thegreatbambino@nyy.onmicrosoft.com".into()),
                email_verified: false,
                image: None,
            })
        );
    }

    #[test]
    fn the_email_claim_wins_and_is_verified_only_with_xms_edov() {
        let mut claims = babe_ruth();
        claims["email"] = json!("babe@nyy.example");
        assert_eq!(
            profile(&claims).unwrap().email.as_deref(),
            Some("babe@nyy.example")
        );
        assert!(!profile(&claims).unwrap().email_verified);
        claims["xms_edov"] = json!(true);
        assert!(profile(&claims).unwrap().email_verified);
        claims["xms_edov"] = json!("1");
        assert!(profile(&claims).unwrap().email_verified);
    }

    #[test]
    fn oid_stands_in_for_sub_and_non_address_usernames_are_not_emails() {
        let mut claims = babe_ruth();
        claims.as_object_mut().unwrap().remove("sub");
        claims["preferred_username"] = json!("+15555550100");
        let p = profile(&claims).unwrap();
        assert_eq!(p.id, "a1dbdde8-e4f9-4571-ad93-3059e3750d23");
        assert_eq!(p.email, None);
    }

    #[test]
    fn claims_without_any_id_map_to_none() {
        assert_eq!(profile(&json!({"name": "Babe Ruth"})), None);
        assert_eq!(profile(&json!({})), None);
        assert_eq!(profile(&json!(null)), None);
    }

    #[test]
    fn the_preset_defaults_to_the_common_endpoint() {
        let p = microsoft_entra_id("id", "secret", None);
        assert_eq!(p.id, "microsoft-entra-id");
        assert_eq!(p.name, "Microsoft Entra ID");
        assert_eq!(p.kind, OAuthKind::Oidc);
        assert_eq!(p.issuer.as_deref(), Some(DEFAULT_ISSUER));
        assert_eq!(p.scopes, ["openid", "profile", "email"]);
        let tenant = "https://login.microsoftonline.com/b9419818-09af-49c2-b0c3-653adc1f376e/v2.0";
        let p = microsoft_entra_id("id", "secret", Some(tenant.into()));
        assert_eq!(p.issuer.as_deref(), Some(tenant));
    }
}
