//! The built-in pages under the base path: plain HTML forms that post to the auth routes (so
//! they work with JavaScript off), enhanced after hydration to submit in the background, keep
//! what was typed on errors, and navigate without a full page load.

mod card;
mod error;
mod sign_in;
mod sign_out;
mod verify_request;

pub use card::{submitted_fields, AuthCard, CsrfField};
pub use error::ErrorPage;
pub use sign_in::{SignInForms, SignInPage};
pub use sign_out::{SignOutButton, SignOutPage};
pub use verify_request::VerifyRequestPage;
