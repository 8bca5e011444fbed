//! The passkey provider (Auth.js's `next-auth/providers/passkey`, type `webauthn`): sign-up and
//! sign-in with a WebAuthn credential. On by default in the starter; `AUTH_PASSKEY=false` turns
//! it off. The relying party is the site's origin (`AUTH_URL`, else the request's as the other
//! flows decide it): browsers refuse an IP address as a relying party id, so open the site on
//! `localhost` in development.

/// The passkey provider's settings.
#[derive(Clone, Debug)]
pub struct PasskeyProvider {
    /// Provider id (`passkey`).
    pub id: String,
    /// Display name (`Passkey`).
    pub name: String,
    /// The relying party's name browsers show (`AUTH_PASSKEY_RP_NAME`; default: the site's
    /// host).
    pub rp_name: Option<String>,
}

impl Default for PasskeyProvider {
    fn default() -> Self {
        Self {
            id: "passkey".into(),
            name: "Passkey".into(),
            rp_name: None,
        }
    }
}
