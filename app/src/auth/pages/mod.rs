//! The built-in pages under the base path: plain HTML forms that post to the auth routes, so
//! they work with JavaScript off. They ship no code to the browser: the page script
//! (`public/enhance.js`) submits their forms in the background and shows the answer without a
//! full page load, keeping what was typed.

mod card;
mod error;
mod sign_in;
mod sign_out;
mod two_factor;
mod verify_request;

pub use card::{AuthCard, CsrfField};
pub use error::ErrorPage;
pub use sign_in::{SignInForms, SignInPage};
pub use sign_out::{SignOutButton, SignOutPage};
pub use two_factor::TwoFactorPage;
pub use verify_request::VerifyRequestPage;
