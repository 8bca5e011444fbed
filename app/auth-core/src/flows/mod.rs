//! The flows: what each Auth.js route does, one folder per way to sign in.
//!
//! | module | flow |
//! |---|---|
//! | `dispatch.rs` | `POST /signin/<id>`, `/callback/<id>`: to the provider's flow |
//! | `credentials/` | email + password sign-in, registration |
//! | `oauth/` | OAuth 2 / OIDC: start, checks, callback, linking, token refresh |
//! | `email/` | sign-in links: send, verify, SMTP |
//! | `finish.rs` | the end of every sign-in (callbacks, session, event, redirect) |
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
pub mod sign_out;
