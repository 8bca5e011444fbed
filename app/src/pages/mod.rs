//! The starter's own pages: replace them with your app.

pub mod account;
pub mod admin;
mod client_api;
mod home;
#[cfg(feature = "ssr")]
pub mod hooks;
mod login;
mod nav;
mod not_found;
mod protected;
pub mod register;

pub use account::AccountPage;
pub use admin::AdminPage;
pub use client_api::ClientApiPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use nav::Nav;
pub use not_found::NotFound;
pub use protected::ProtectedPage;
pub use register::RegisterPage;
