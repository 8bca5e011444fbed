//! The flows: what each Auth.js route does, one folder per way to sign in.
//!
//! | module | flow |
//! |---|---|
//! | `dispatch.rs` | `POST /signin/<id>`, `/callback/<id>`: to the provider's flow |
//! | `credentials/` | email + password sign-in, registration |
//! | `oauth/` | OAuth 2 / OIDC: start, checks, callback, linking, token refresh |
//! | `email/` | sign-in links: send, verify, SMTP |
//! | `passkey/` | passkeys (WebAuthn): options, the ceremony's answer, the account's list |
//! | `finish.rs` | the end of every sign-in (callbacks, second step, session, event, redirect) |
//! | `second_factor/` | the second step of a sign-in; turning an authenticator app on and off |
//! | `sign_out.rs` | `POST /signout` |
//! | `linked_accounts.rs` | linked accounts, unlinking, session list, sign-out-everywhere |
//!
//! Every sign-in flow ends in [`finish::complete`]; none calls another.

pub mod credentials;
pub mod dispatch;
pub mod email;
pub mod finish;
pub mod linked_accounts;
pub mod oauth;
pub mod passkey;
pub mod second_factor;
pub mod sign_out;
