//! The second factor: an authenticator app (TOTP) with single-use recovery codes.
//!
//! | module | what it does |
//! |---|---|
//! | `step.rs` | the second step of a sign-in: the pending cookie, checking a code, finishing |
//! | `enrol.rs` | turning it on (secret, QR code, first code, recovery codes) and off |
//!
//! The codes and the sealed secret are `protocol::totp`, the pending cookie
//! `protocol::second_step`, the rows `adapter` (`user_totp`, `recovery_codes`).

pub mod enrol;
pub mod step;
