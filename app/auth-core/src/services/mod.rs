//! What the instance holds besides configuration and keys: the pieces that talk to the outside
//! or are shared by every request. They know the configuration, never the instance.
//!
//! | file | what it holds |
//! |---|---|
//! | `provider_client.rs` | the HTTP client for providers (no redirects, timeouts), discovery, token requests |
//! | `mailer.rs` | SMTP (lettre) and the sign-in message, HTML and plain text, themed |
//! | `refresh_locks.rs` | one lock per account while its access token is refreshed |

pub mod mailer;
pub mod provider_client;
pub mod refresh_locks;
