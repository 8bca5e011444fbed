//! OAuth 2 and OpenID Connect sign-in: Auth.js's `oauth` and `oidc` providers.
//!
//! | file | what it does |
//! |---|---|
//! | `signin.rs` | `POST`/`GET /signin/<id>`: the authorization URL, with state, PKCE and nonce |
//! | `checks.rs` | those three values in encrypted, single-use, 15-minute cookies |
//! | `callback.rs` | `GET`/`POST /callback/<id>`: checks, code exchange, id_token, profile |
//! | `client.rs` | the HTTP client (no redirects, timeouts), discovery, token requests |
//! | `linking.rs` | which user an account belongs to: create, link, or `OAuthAccountNotLinked` |
//! | `tokens.rs` | a valid access token for a user, refreshed (once at a time) when expired |

pub mod callback;
pub mod checks;
pub mod client;
pub mod linking;
pub mod signin;
pub mod tokens;
