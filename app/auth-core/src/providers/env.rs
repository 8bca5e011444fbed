//! The OAuth providers configured from the environment, like Auth.js's `AUTH_<PROVIDER>_ID`,
//! `AUTH_<PROVIDER>_SECRET` and `AUTH_<PROVIDER>_ISSUER`.
//!
//! A preset is enabled when both its ID and SECRET are set (and not blank); one without the other
//! is a start-up error naming the missing variable, as is a required issuer that is missing or an
//! issuer that is not an http(s) URL, so a typo fails loudly instead of silently hiding a button.
//! Two generic providers, `oidc` (`AUTH_OIDC_*`) and `oauth` (`AUTH_OAUTH_*`), cover any other
//! provider and are what the test suites sign in with. The variable names live in static tables
//! because [`ConfigError::Invalid`] names them with a `&'static str`.

use url::Url;

use super::super::error::ConfigError;
use super::oauth::{ClientAuth, OAuthProvider};
use super::{
    apple, auth0, discord, facebook, github, gitlab, google, keycloak, linkedin,
    microsoft_entra_id, okta,
};

/// Whether a preset reads `AUTH_<P>_ISSUER`.
#[derive(Clone, Copy)]
enum Issuer {
    /// The provider's issuer or endpoints are fixed.
    None,
    /// An optional base (self-managed GitLab, an Entra tenant).
    Optional(&'static str),
    /// The tenant's issuer; the preset cannot work without it.
    Required(&'static str),
}

/// One row of the preset table.
struct Preset {
    id: &'static str,
    secret: &'static str,
    issuer: Issuer,
    build: fn(String, String, Option<String>) -> OAuthProvider,
}

/// The presets, in the order they come back (and appear on the sign-in page).
const PRESETS: &[Preset] = &[
    Preset {
        id: "AUTH_GITHUB_ID",
        secret: "AUTH_GITHUB_SECRET",
        issuer: Issuer::None,
        build: |id, secret, _| github::github(id, secret),
    },
    Preset {
        id: "AUTH_GOOGLE_ID",
        secret: "AUTH_GOOGLE_SECRET",
        issuer: Issuer::None,
        build: |id, secret, _| google::google(id, secret),
    },
    Preset {
        id: "AUTH_DISCORD_ID",
        secret: "AUTH_DISCORD_SECRET",
        issuer: Issuer::None,
        build: |id, secret, _| discord::discord(id, secret),
    },
    Preset {
        id: "AUTH_GITLAB_ID",
        secret: "AUTH_GITLAB_SECRET",
        issuer: Issuer::Optional("AUTH_GITLAB_ISSUER"),
        build: gitlab::gitlab,
    },
    Preset {
        id: "AUTH_MICROSOFT_ENTRA_ID_ID",
        secret: "AUTH_MICROSOFT_ENTRA_ID_SECRET",
        // Required: the multi-tenant `common` issuer's discovery document names a templated
        // issuer (`{tenantid}`), which exact issuer validation cannot accept.
        issuer: Issuer::Required("AUTH_MICROSOFT_ENTRA_ID_ISSUER"),
        build: microsoft_entra_id::microsoft_entra_id,
    },
    Preset {
        id: "AUTH_AUTH0_ID",
        secret: "AUTH_AUTH0_SECRET",
        issuer: Issuer::Required("AUTH_AUTH0_ISSUER"),
        build: |id, secret, issuer| auth0::auth0(id, secret, issuer.unwrap_or_default()),
    },
    Preset {
        id: "AUTH_KEYCLOAK_ID",
        secret: "AUTH_KEYCLOAK_SECRET",
        issuer: Issuer::Required("AUTH_KEYCLOAK_ISSUER"),
        build: |id, secret, issuer| keycloak::keycloak(id, secret, issuer.unwrap_or_default()),
    },
    Preset {
        id: "AUTH_OKTA_ID",
        secret: "AUTH_OKTA_SECRET",
        issuer: Issuer::Required("AUTH_OKTA_ISSUER"),
        build: |id, secret, issuer| okta::okta(id, secret, issuer.unwrap_or_default()),
    },
    Preset {
        id: "AUTH_FACEBOOK_ID",
        secret: "AUTH_FACEBOOK_SECRET",
        issuer: Issuer::None,
        build: |id, secret, _| facebook::facebook(id, secret),
    },
    Preset {
        id: "AUTH_LINKEDIN_ID",
        secret: "AUTH_LINKEDIN_SECRET",
        issuer: Issuer::None,
        build: |id, secret, _| linkedin::linkedin(id, secret),
    },
    Preset {
        id: "AUTH_APPLE_ID",
        secret: "AUTH_APPLE_SECRET",
        issuer: Issuer::None,
        build: |id, secret, _| apple::apple(id, secret),
    },
];

/// The OAuth/OIDC providers the environment enables: the presets in a fixed order (GitHub,
/// Google, Discord, GitLab, Microsoft Entra ID, Auth0, Keycloak, Okta, Facebook, LinkedIn,
/// Apple), then the generic `oidc` and `oauth` providers.
///
/// `var` reads one variable (`|name| std::env::var(name).ok()` for the process environment);
/// values are trimmed and blank ones count as unset.
///
/// Generic OIDC (`oidc`): `AUTH_OIDC_ID`, `AUTH_OIDC_SECRET`, `AUTH_OIDC_ISSUER` (required),
/// `AUTH_OIDC_NAME` (default "OpenID Connect"), `AUTH_OIDC_ALLOW_EMAIL_LINKING` (true/false).
///
/// Generic OAuth 2 (`oauth`): `AUTH_OAUTH_ID`, `AUTH_OAUTH_SECRET`,
/// `AUTH_OAUTH_AUTHORIZATION_URL`, `AUTH_OAUTH_TOKEN_URL`, `AUTH_OAUTH_USERINFO_URL` (all
/// required), `AUTH_OAUTH_NAME` (default "OAuth"), `AUTH_OAUTH_SCOPE` (space-separated, default
/// "openid email profile"), `AUTH_OAUTH_CLIENT_AUTH` (`basic` or `post`, default `basic`),
/// `AUTH_OAUTH_ALLOW_EMAIL_LINKING` (true/false). Its profile is read as standard claims (`sub`,
/// `name`, `email`, `email_verified`, `picture`).
///
/// # Errors
/// [`ConfigError::Invalid`] naming the variable at fault: an ID without its SECRET (or the
/// reverse), a missing required issuer or endpoint, a URL that is not http(s), or an unusable
/// boolean or client authentication method. The reason never contains a secret.
pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<Vec<OAuthProvider>, ConfigError> {
    let get = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut providers = Vec::new();
    for preset in PRESETS {
        let Some((id, secret)) = credentials(&get, preset.id, preset.secret)? else {
            continue;
        };
        let issuer = match preset.issuer {
            Issuer::None => None,
            Issuer::Optional(name) => get(name).map(|v| http_url(name, v)).transpose()?,
            Issuer::Required(name) => Some(required_url(&get, name)?),
        };
        providers.push((preset.build)(id, secret, issuer));
    }
    if let Some(provider) = generic_oidc(&get)? {
        providers.push(provider);
    }
    if let Some(provider) = generic_oauth(&get)? {
        providers.push(provider);
    }
    Ok(providers)
}

/// The generic OIDC provider, if `AUTH_OIDC_ID` and `AUTH_OIDC_SECRET` are set.
fn generic_oidc(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<OAuthProvider>, ConfigError> {
    let Some((id, secret)) = credentials(get, "AUTH_OIDC_ID", "AUTH_OIDC_SECRET")? else {
        return Ok(None);
    };
    let issuer = required_url(get, "AUTH_OIDC_ISSUER")?;
    let name = get("AUTH_OIDC_NAME").unwrap_or_else(|| "OpenID Connect".to_owned());
    let linking = boolean(get, "AUTH_OIDC_ALLOW_EMAIL_LINKING")?;
    Ok(Some(
        OAuthProvider::oidc("oidc", name, issuer, id, secret)
            .allow_dangerous_email_account_linking(linking),
    ))
}

/// The generic OAuth 2 provider, if `AUTH_OAUTH_ID` and `AUTH_OAUTH_SECRET` are set.
fn generic_oauth(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<OAuthProvider>, ConfigError> {
    let Some((id, secret)) = credentials(get, "AUTH_OAUTH_ID", "AUTH_OAUTH_SECRET")? else {
        return Ok(None);
    };
    let authorization_url = required_url(get, "AUTH_OAUTH_AUTHORIZATION_URL")?;
    let token_url = required_url(get, "AUTH_OAUTH_TOKEN_URL")?;
    let userinfo_url = required_url(get, "AUTH_OAUTH_USERINFO_URL")?;
    let name = get("AUTH_OAUTH_NAME").unwrap_or_else(|| "OAuth".to_owned());
    let scope = get("AUTH_OAUTH_SCOPE").unwrap_or_else(|| "openid email profile".to_owned());
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let client_auth = match get("AUTH_OAUTH_CLIENT_AUTH")
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("basic" | "client_secret_basic") => ClientAuth::Basic,
        Some("post" | "client_secret_post") => ClientAuth::Post,
        Some(_) => {
            return Err(ConfigError::Invalid {
                variable: "AUTH_OAUTH_CLIENT_AUTH",
                reason: "expected `basic` or `post`".into(),
            })
        }
    };
    let linking = boolean(get, "AUTH_OAUTH_ALLOW_EMAIL_LINKING")?;
    Ok(Some(
        OAuthProvider::oauth(
            "oauth",
            name,
            id,
            secret,
            authorization_url,
            token_url,
            userinfo_url,
        )
        .with_scopes(&scopes)
        .with_client_auth(client_auth)
        .allow_dangerous_email_account_linking(linking),
    ))
}

/// The client id and secret when both are set, `None` when neither is.
fn credentials(
    get: &dyn Fn(&str) -> Option<String>,
    id_var: &'static str,
    secret_var: &'static str,
) -> Result<Option<(String, String)>, ConfigError> {
    match (get(id_var), get(secret_var)) {
        (Some(id), Some(secret)) => Ok(Some((id, secret))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::Invalid {
            variable: secret_var,
            reason: format!("{id_var} is set, so the client secret is needed too"),
        }),
        (None, Some(_)) => Err(ConfigError::Invalid {
            variable: id_var,
            reason: format!("{secret_var} is set, so the client id is needed too"),
        }),
    }
}

/// A URL that must be set once its provider is enabled.
fn required_url(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<String, ConfigError> {
    let value = get(name).ok_or_else(|| ConfigError::Invalid {
        variable: name,
        reason: "required by this provider, which its ID and SECRET enable".into(),
    })?;
    http_url(name, value)
}

/// Checks that `value` is an absolute http(s) URL with a host.
fn http_url(name: &'static str, value: String) -> Result<String, ConfigError> {
    match Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(value),
        _ => Err(ConfigError::Invalid {
            variable: name,
            reason: "expected an http(s) URL such as https://id.example.com".into(),
        }),
    }
}

/// How every true/false variable is spelled: `1`, `true`, `yes` or `0`, `false`, `no`, in any
/// case, spaces around ignored; `None` for anything else.
#[must_use]
pub fn flag(value: &str) -> Option<bool> {
    let value = value.trim();
    let is = |word: &str| value.eq_ignore_ascii_case(word);
    if is("1") || is("true") || is("yes") {
        Some(true)
    } else if is("0") || is("false") || is("no") {
        Some(false)
    } else {
        None
    }
}

/// A true/false variable's value ([`flag`]), or an error that names the variable.
///
/// # Errors
/// [`ConfigError::Invalid`] for anything [`flag`] does not read.
pub fn parse_flag(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    flag(value).ok_or(ConfigError::Invalid {
        variable,
        reason: "expected true or false".into(),
    })
}

/// An optional true/false variable (default false).
fn boolean(get: &dyn Fn(&str) -> Option<String>, name: &'static str) -> Result<bool, ConfigError> {
    get(name).map_or(Ok(false), |value| parse_flag(name, &value))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::providers::oauth::OAuthKind;

    #[test]
    fn flags_read_the_six_spellings_in_any_case_and_nothing_else() {
        for yes in ["1", "true", "TRUE", " yes ", "Yes"] {
            assert_eq!(flag(yes), Some(true), "{yes:?}");
        }
        for no in ["0", "false", "No", " NO"] {
            assert_eq!(flag(no), Some(false), "{no:?}");
        }
        for neither in ["", "y", "on", "2", "truee"] {
            assert_eq!(flag(neither), None, "{neither:?}");
        }
        assert!(parse_flag("AUTH_X", "maybe").is_err());
    }

    fn providers(vars: &[(&str, &str)]) -> Result<Vec<OAuthProvider>, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        from_env(&|name| map.get(name).cloned())
    }

    fn ids(vars: &[(&str, &str)]) -> Vec<String> {
        providers(vars).unwrap().into_iter().map(|p| p.id).collect()
    }

    fn invalid_variable(vars: &[(&str, &str)]) -> &'static str {
        match providers(vars) {
            Err(ConfigError::Invalid { variable, .. }) => variable,
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    #[test]
    fn nothing_set_means_no_providers() {
        assert!(providers(&[]).unwrap().is_empty());
        // Blank values count as unset.
        assert!(
            providers(&[("AUTH_GITHUB_ID", " "), ("AUTH_GITHUB_SECRET", "")])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn github_is_enabled_by_its_id_and_secret() {
        let list = providers(&[
            ("AUTH_GITHUB_ID", " Iv1.8a61f9b3a7aba766 "),
            ("AUTH_GITHUB_SECRET", "1234567890abcdef"),
        ])
        .unwrap();
        assert_eq!(list.len(), 1);
        let github = &list[0];
        assert_eq!(
            (github.id.as_str(), github.kind),
            ("github", OAuthKind::OAuth)
        );
        assert_eq!(github.client_id, "Iv1.8a61f9b3a7aba766");
        assert_eq!(github.client_secret.expose(), "1234567890abcdef");
        assert!(github.quirks.github_emails);
    }

    #[test]
    fn keycloak_without_issuer_names_the_issuer_variable() {
        let vars = [("AUTH_KEYCLOAK_ID", "app"), ("AUTH_KEYCLOAK_SECRET", "s")];
        assert_eq!(invalid_variable(&vars), "AUTH_KEYCLOAK_ISSUER");
        for bad in [
            "keycloak.example.com/realms/r",
            "ftp://kc.example.com",
            "https://",
        ] {
            let vars = [
                ("AUTH_KEYCLOAK_ID", "app"),
                ("AUTH_KEYCLOAK_SECRET", "s"),
                ("AUTH_KEYCLOAK_ISSUER", bad),
            ];
            assert_eq!(invalid_variable(&vars), "AUTH_KEYCLOAK_ISSUER", "{bad}");
        }
        let list = providers(&[
            ("AUTH_KEYCLOAK_ID", "app"),
            ("AUTH_KEYCLOAK_SECRET", "s"),
            ("AUTH_KEYCLOAK_ISSUER", "https://kc.example.com/realms/r"),
        ])
        .unwrap();
        assert_eq!(
            list[0].issuer.as_deref(),
            Some("https://kc.example.com/realms/r")
        );
    }

    #[test]
    fn every_required_issuer_is_required() {
        for (p, issuer) in [("AUTH0", "AUTH_AUTH0_ISSUER"), ("OKTA", "AUTH_OKTA_ISSUER")] {
            let (id, secret) = (format!("AUTH_{p}_ID"), format!("AUTH_{p}_SECRET"));
            assert_eq!(
                invalid_variable(&[(id.as_str(), "a"), (secret.as_str(), "b")]),
                issuer
            );
        }
    }

    #[test]
    fn an_id_without_secret_names_the_secret_and_the_reverse() {
        assert_eq!(
            invalid_variable(&[("AUTH_GOOGLE_ID", "abc.apps.googleusercontent.com")]),
            "AUTH_GOOGLE_SECRET"
        );
        assert_eq!(
            invalid_variable(&[("AUTH_DISCORD_SECRET", "s")]),
            "AUTH_DISCORD_ID"
        );
        assert_eq!(
            invalid_variable(&[("AUTH_OIDC_ID", "x")]),
            "AUTH_OIDC_SECRET"
        );
        assert_eq!(
            invalid_variable(&[("AUTH_OAUTH_SECRET", "x")]),
            "AUTH_OAUTH_ID"
        );
        // The reason names the other variable but never a value.
        match providers(&[("AUTH_APPLE_SECRET", "top-secret-jwt")]) {
            Err(e) => assert!(!e.to_string().contains("top-secret-jwt")),
            Ok(_) => panic!("expected an error"),
        }
    }

    #[test]
    fn optional_bases_default_and_are_checked() {
        let list = providers(&[("AUTH_GITLAB_ID", "a"), ("AUTH_GITLAB_SECRET", "b")]).unwrap();
        assert_eq!(
            list[0].userinfo_url.as_deref(),
            Some("https://gitlab.com/api/v4/user")
        );
        assert_eq!(
            invalid_variable(&[
                ("AUTH_MICROSOFT_ENTRA_ID_ID", "c"),
                ("AUTH_MICROSOFT_ENTRA_ID_SECRET", "d"),
            ]),
            "AUTH_MICROSOFT_ENTRA_ID_ISSUER"
        );
        let list = providers(&[
            ("AUTH_GITLAB_ID", "a"),
            ("AUTH_GITLAB_SECRET", "b"),
            ("AUTH_GITLAB_ISSUER", "https://git.example.com"),
        ])
        .unwrap();
        assert_eq!(
            list[0].token_url.as_deref(),
            Some("https://git.example.com/oauth/token")
        );
        assert_eq!(
            invalid_variable(&[
                ("AUTH_MICROSOFT_ENTRA_ID_ID", "c"),
                ("AUTH_MICROSOFT_ENTRA_ID_SECRET", "d"),
                ("AUTH_MICROSOFT_ENTRA_ID_ISSUER", "my-tenant-id"),
            ]),
            "AUTH_MICROSOFT_ENTRA_ID_ISSUER"
        );
    }

    #[test]
    fn providers_come_back_in_table_order_with_generic_ones_last() {
        let mut vars = Vec::new();
        let names: Vec<(String, String)> = [
            "APPLE",
            "LINKEDIN",
            "FACEBOOK",
            "OKTA",
            "KEYCLOAK",
            "AUTH0",
            "MICROSOFT_ENTRA_ID",
            "GITLAB",
            "DISCORD",
            "GOOGLE",
            "GITHUB",
            "OIDC",
            "OAUTH",
        ]
        .iter()
        .map(|p| (format!("AUTH_{p}_ID"), format!("AUTH_{p}_SECRET")))
        .collect();
        for (id, secret) in &names {
            vars.push((id.as_str(), "client"));
            vars.push((secret.as_str(), "secret"));
        }
        vars.extend([
            ("AUTH_AUTH0_ISSUER", "https://dev-abc.us.auth0.com"),
            ("AUTH_KEYCLOAK_ISSUER", "http://localhost:8080/realms/r"),
            ("AUTH_OKTA_ISSUER", "https://example.okta.com"),
            (
                "AUTH_MICROSOFT_ENTRA_ID_ISSUER",
                "https://login.microsoftonline.com/t/v2.0",
            ),
            ("AUTH_OIDC_ISSUER", "http://127.0.0.1:3010"),
            ("AUTH_OAUTH_AUTHORIZATION_URL", "http://127.0.0.1:3010/auth"),
            ("AUTH_OAUTH_TOKEN_URL", "http://127.0.0.1:3010/token"),
            ("AUTH_OAUTH_USERINFO_URL", "http://127.0.0.1:3010/me"),
        ]);
        assert_eq!(
            ids(&vars),
            [
                "github",
                "google",
                "discord",
                "gitlab",
                "microsoft-entra-id",
                "auth0",
                "keycloak",
                "okta",
                "facebook",
                "linkedin",
                "apple",
                "oidc",
                "oauth",
            ]
        );
    }

    #[test]
    fn the_generic_oidc_provider_parses() {
        let list = providers(&[
            ("AUTH_OIDC_ID", "leptos-oidc"),
            ("AUTH_OIDC_SECRET", "leptos-oidc-secret-0123456789"),
            ("AUTH_OIDC_ISSUER", "http://127.0.0.1:3010"),
        ])
        .unwrap();
        let p = &list[0];
        assert_eq!((p.id.as_str(), p.name.as_str()), ("oidc", "OpenID Connect"));
        assert_eq!(p.kind, OAuthKind::Oidc);
        // Exactly as given: discovery compares issuers as strings.
        assert_eq!(p.issuer.as_deref(), Some("http://127.0.0.1:3010"));
        assert!(!p.allow_dangerous_email_account_linking);

        let list = providers(&[
            ("AUTH_OIDC_ID", "leptos-oidc"),
            ("AUTH_OIDC_SECRET", "s"),
            ("AUTH_OIDC_ISSUER", "https://id.example.com"),
            ("AUTH_OIDC_NAME", "Example SSO"),
            ("AUTH_OIDC_ALLOW_EMAIL_LINKING", "TRUE"),
        ])
        .unwrap();
        assert_eq!(list[0].name, "Example SSO");
        assert!(list[0].allow_dangerous_email_account_linking);

        let base = [("AUTH_OIDC_ID", "x"), ("AUTH_OIDC_SECRET", "s")];
        assert_eq!(invalid_variable(&base), "AUTH_OIDC_ISSUER");
        let mut bad = base.to_vec();
        bad.extend([
            ("AUTH_OIDC_ISSUER", "https://id.example.com"),
            ("AUTH_OIDC_ALLOW_EMAIL_LINKING", "maybe"),
        ]);
        assert_eq!(invalid_variable(&bad), "AUTH_OIDC_ALLOW_EMAIL_LINKING");
    }

    #[test]
    fn the_generic_oauth_provider_parses() {
        let endpoints = [
            ("AUTH_OAUTH_ID", "leptos-oauth"),
            ("AUTH_OAUTH_SECRET", "leptos-oauth-secret-0123456789"),
            ("AUTH_OAUTH_AUTHORIZATION_URL", "http://127.0.0.1:3010/auth"),
            ("AUTH_OAUTH_TOKEN_URL", "http://127.0.0.1:3010/token"),
            ("AUTH_OAUTH_USERINFO_URL", "http://127.0.0.1:3010/me"),
        ];
        let list = providers(&endpoints).unwrap();
        let p = &list[0];
        assert_eq!((p.id.as_str(), p.name.as_str()), ("oauth", "OAuth"));
        assert_eq!(p.kind, OAuthKind::OAuth);
        assert_eq!(
            p.authorization_url.as_deref(),
            Some("http://127.0.0.1:3010/auth")
        );
        assert_eq!(p.token_url.as_deref(), Some("http://127.0.0.1:3010/token"));
        assert_eq!(p.userinfo_url.as_deref(), Some("http://127.0.0.1:3010/me"));
        assert_eq!(p.scopes, ["openid", "email", "profile"]);
        assert_eq!(p.client_auth, ClientAuth::Basic);
        assert!(!p.allow_dangerous_email_account_linking);

        let mut custom = endpoints.to_vec();
        custom.extend([
            ("AUTH_OAUTH_NAME", "Fixture"),
            ("AUTH_OAUTH_SCOPE", " openid  email "),
            ("AUTH_OAUTH_CLIENT_AUTH", "post"),
            ("AUTH_OAUTH_ALLOW_EMAIL_LINKING", "true"),
        ]);
        let list = providers(&custom).unwrap();
        let p = &list[0];
        assert_eq!(p.name, "Fixture");
        assert_eq!(p.scopes, ["openid", "email"]);
        assert_eq!(p.client_auth, ClientAuth::Post);
        assert!(p.allow_dangerous_email_account_linking);

        for missing in [
            "AUTH_OAUTH_AUTHORIZATION_URL",
            "AUTH_OAUTH_TOKEN_URL",
            "AUTH_OAUTH_USERINFO_URL",
        ] {
            let vars: Vec<_> = endpoints
                .iter()
                .copied()
                .filter(|(k, _)| *k != missing)
                .collect();
            assert_eq!(invalid_variable(&vars), missing);
        }
        let mut bad = endpoints.to_vec();
        bad.push(("AUTH_OAUTH_CLIENT_AUTH", "private_key_jwt"));
        assert_eq!(invalid_variable(&bad), "AUTH_OAUTH_CLIENT_AUTH");
        let mut bad = endpoints.to_vec();
        bad[3] = ("AUTH_OAUTH_TOKEN_URL", "/token");
        assert_eq!(invalid_variable(&bad), "AUTH_OAUTH_TOKEN_URL");
    }
}
