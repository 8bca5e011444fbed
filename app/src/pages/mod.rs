//! The starter's own pages: replace them with your app.

pub mod account;
mod home;
mod nav;
mod not_found;
mod protected;
pub mod register;

pub use account::AccountPage;
pub use home::HomePage;
pub use nav::Nav;
pub use not_found::NotFound;
pub use protected::ProtectedPage;
pub use register::RegisterPage;
