//! OAuth 2 and OpenID Connect providers as data: endpoints, scopes, how the provider's profile
//! maps onto a user, and the few quirks real providers have. The flows that use them are in
//! `ssr/flows/oauth/`; presets (`github.rs`, `google.rs`, ...) are functions that fill this in.

use serde_json::Value;

use crate::protocol::secret::Secret;

/// Plain OAuth 2 (explicit endpoints, a userinfo call) or OpenID Connect (discovery, id_token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthKind {
    /// OAuth 2: the profile comes from the userinfo endpoint.
    OAuth,
    /// OpenID Connect: endpoints from discovery; the profile from the verified id_token.
    Oidc,
}

impl OAuthKind {
    /// Auth.js's provider `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OAuth => "oauth",
            Self::Oidc => "oidc",
        }
    }
}

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic (`client_secret_basic`, the default).
    #[default]
    Basic,
    /// Form fields (`client_secret_post`).
    Post,
}

/// The user a provider describes, normalized.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The user's id at the provider (`providerAccountId`).
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Whether the provider says it verified the address.
    pub email_verified: bool,
    /// Avatar URL.
    pub image: Option<String>,
}

/// Maps a provider's raw profile (the userinfo JSON, or the id_token claims for OIDC) onto a
/// [`Profile`]; `None` when it has no usable id.
pub type ProfileMapper = fn(&Value) -> Option<Profile>;

/// Provider-specific behaviour that does not fit the standard flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quirks {
    /// GitHub: a profile without a public email gets the primary verified address from
    /// `GET https://api.github.com/user/emails` (with the `user:email` scope).
    pub github_emails: bool,
    /// Apple: the provider returns with a form POST (`response_mode=form_post`), and sends the
    /// user's name only on the first authorization, in a `user` JSON field.
    pub form_post: bool,
    /// LinkedIn: the id_token carries no `nonce`, so none is sent or checked (state and PKCE
    /// still protect the flow).
    pub no_nonce: bool,
}

/// One OAuth 2 / OIDC provider.
#[derive(Clone)]
pub struct OAuthProvider {
    /// Provider id in URLs (`/signin/<id>`, `/callback/<id>`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// OAuth or OIDC.
    pub kind: OAuthKind,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Secret,
    /// OIDC issuer (discovery at `<issuer>/.well-known/openid-configuration`).
    pub issuer: Option<String>,
    /// Authorization endpoint (OAuth; OIDC takes it from discovery unless set).
    pub authorization_url: Option<String>,
    /// Token endpoint (OAuth; OIDC takes it from discovery unless set).
    pub token_url: Option<String>,
    /// Userinfo endpoint (OAuth; OIDC reads the id_token).
    pub userinfo_url: Option<String>,
    /// Scopes requested.
    pub scopes: Vec<String>,
    /// Extra parameters of the authorization request.
    pub authorization_params: Vec<(String, String)>,
    /// Token endpoint authentication.
    pub client_auth: ClientAuth,
    /// Profile mapping.
    pub profile: ProfileMapper,
    /// Link this provider's account to an existing user with the same email without asking,
    /// when the provider says it verified the address and the existing user's address is
    /// verified too. Only safe with providers that really verify email addresses.
    pub allow_dangerous_email_account_linking: bool,
    /// Let callers ask for `prompt=none` (silent sign-in); off by default, so that a link to
    /// `/signin/<id>?prompt=none` cannot probe or ride a visitor's session at the provider.
    pub allow_prompt_none: bool,
    /// Button colour on the sign-in page.
    pub brand_color: String,
    /// Quirks.
    pub quirks: Quirks,
}

impl std::fmt::Debug for OAuthProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl OAuthProvider {
    /// A generic OpenID Connect provider: endpoints by discovery from `issuer`, scopes
    /// `openid email profile`, the standard claims as profile.
    pub fn oidc(
        id: impl Into<String>,
        name: impl Into<String>,
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            kind: OAuthKind::Oidc,
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret.into()),
            // Kept exactly as given: discovery compares issuers as strings (Auth0's ends in `/`).
            issuer: Some(issuer.into()),
            authorization_url: None,
            token_url: None,
            userinfo_url: None,
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
            authorization_params: Vec::new(),
            client_auth: ClientAuth::Basic,
            profile: oidc_profile,
            allow_dangerous_email_account_linking: false,
            allow_prompt_none: false,
            brand_color: "#346df1".into(),
            quirks: Quirks::default(),
        }
    }

    /// A generic OAuth 2 provider with explicit endpoints; the profile comes from `userinfo_url`
    /// and is read with [`oidc_profile`] unless [`with_profile`](Self::with_profile) says
    /// otherwise.
    pub fn oauth(
        id: impl Into<String>,
        name: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        authorization_url: impl Into<String>,
        token_url: impl Into<String>,
        userinfo_url: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            kind: OAuthKind::OAuth,
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret.into()),
            issuer: None,
            authorization_url: Some(authorization_url.into()),
            token_url: Some(token_url.into()),
            userinfo_url: Some(userinfo_url.into()),
            scopes: Vec::new(),
            authorization_params: Vec::new(),
            client_auth: ClientAuth::Basic,
            profile: oidc_profile,
            allow_dangerous_email_account_linking: false,
            allow_prompt_none: false,
            brand_color: "#346df1".into(),
            quirks: Quirks::default(),
        }
    }

    /// Replaces the scopes.
    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Adds a parameter to the authorization request.
    pub fn with_authorization_param(mut self, name: &str, value: &str) -> Self {
        self.authorization_params
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the token endpoint authentication.
    pub fn with_client_auth(mut self, auth: ClientAuth) -> Self {
        self.client_auth = auth;
        self
    }

    /// Sets the profile mapping.
    pub fn with_profile(mut self, profile: ProfileMapper) -> Self {
        self.profile = profile;
        self
    }

    /// Sets the button colour.
    pub fn with_brand_color(mut self, color: &str) -> Self {
        self.brand_color = color.to_owned();
        self
    }

    /// Sets the quirks.
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Allows linking by (verified) email address without the user signing in first.
    pub fn allow_dangerous_email_account_linking(mut self, allow: bool) -> Self {
        self.allow_dangerous_email_account_linking = allow;
        self
    }

    /// Lets callers ask for `prompt=none` (see [`OAuthProvider::allow_prompt_none`]).
    pub fn allow_prompt_none(mut self, allow: bool) -> Self {
        self.allow_prompt_none = allow;
        self
    }

    /// Changes the id (two clients of one provider need two ids).
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = id.to_owned();
        self
    }

    /// Changes the display name.
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }
}

/// A string field of a JSON object (numbers are turned into strings: some providers use
/// numeric ids).
pub fn string_field(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The standard OpenID Connect claims: `sub` (or `id`), `name` (or `preferred_username`,
/// `nickname`), `email`, `email_verified`, `picture` — Auth.js's default profile.
pub fn oidc_profile(claims: &Value) -> Option<Profile> {
    Some(Profile {
        id: string_field(claims, "sub").or_else(|| string_field(claims, "id"))?,
        name: string_field(claims, "name")
            .or_else(|| string_field(claims, "preferred_username"))
            .or_else(|| string_field(claims, "nickname")),
        email: string_field(claims, "email"),
        email_verified: matches!(claims.get("email_verified"), Some(Value::Bool(true)))
            || matches!(claims.get("email_verified"), Some(Value::String(s)) if s == "true"),
        image: string_field(claims, "picture"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn standard_claims_map_onto_a_profile() {
        let profile = oidc_profile(&json!({
            "sub": "248289761001", "name": "Jane Doe", "email": "janedoe@example.com",
            "email_verified": true, "picture": "http://example.com/janedoe/me.jpg"
        }))
        .unwrap();
        assert_eq!(profile.id, "248289761001");
        assert_eq!(profile.name.as_deref(), Some("Jane Doe"));
        assert!(profile.email_verified);
        assert_eq!(oidc_profile(&json!({"name": "no sub"})), None);
        assert_eq!(
            oidc_profile(&json!({"id": 5, "nickname": "n"}))
                .unwrap()
                .name
                .as_deref(),
            Some("n")
        );
        let p =
            oidc_profile(&json!({"sub": 7, "preferred_username": "jd", "email_verified": "true"}))
                .unwrap();
        assert_eq!(
            (p.id.as_str(), p.name.as_deref(), p.email_verified),
            ("7", Some("jd"), true)
        );
    }
}
