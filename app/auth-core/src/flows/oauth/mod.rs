//! OAuth 2 and OpenID Connect sign-in: Auth.js's `oauth` and `oidc` providers.
//!
//! | file | what it does |
//! |---|---|
//! | `signin.rs` | `POST`/`GET /signin/<id>`: the authorization URL, with state, PKCE and nonce |
//! | `checks.rs` | those three values in encrypted, single-use, 15-minute cookies |
//! | `callback.rs` | `GET`/`POST /callback/<id>`: checks, code exchange, id_token, profile |
//! | `linking.rs` | which user an account belongs to: create, link, or `OAuthAccountNotLinked` |
//!
//! The HTTP client for providers is `services/provider_client.rs`; a user's provider access
//! tokens, refreshed when due, are `session/provider_tokens.rs`.

pub mod callback;
pub mod checks;
pub mod linking;
pub mod signin;
