//! The database adapter: Auth.js's SQL adapter tables over SQLite or PostgreSQL.
//!
//! One enum, two pools, and the same SQL text for both: `$1` placeholders and quoted camelCase
//! column names are valid in each. [`on_pool!`] runs a block once per backend so that each arm
//! is type-checked against its own driver. Ids are `i32` because Auth.js's schema uses `SERIAL`,
//! so an existing NextAuth database works unchanged.

mod accounts;
mod authenticators;
mod error;
mod flow_store;
pub mod model;
mod passwords;
mod pool;
mod rate_limits;
mod second_factor;
mod sessions;
mod users;
mod verification;

pub use accounts::{AccountRow, AccountTokens};
pub use authenticators::{AuthenticatorRow, NewAuthenticator, PASSKEY_PROVIDER};
pub use error::AdapterError;
pub use flow_store::FlowStore;
pub use model::{Account, NewUser, User};
pub use pool::{Backend, Db};
pub use rate_limits::Purged;
pub use second_factor::TotpRow;
pub use sessions::{SessionDetails, SessionRow};
pub use users::unix_ms;
