//! The binary's operator commands: roles live in the database (`users.role`), set here, never
//! derived from an address; and the reset of a user's second factor, for a user who lost both
//! their authenticator app and their recovery codes.
//!
//! ```text
//! leptos-auth roles grant admin ada@example.com
//! leptos-auth roles revoke ada@example.com
//! leptos-auth roles list
//! leptos-auth two-factor reset ada@example.com
//! ```
//!
//! They use `DATABASE_URL` (default `sqlite://data/app.db?mode=rwc`), run the migrations first,
//! and print one line per change. A role takes effect on the user's next sign-in (JWT
//! sessions carry it from then on), or on the next request (database sessions).

use app::auth::ssr::{providers::credentials::normalize_email, Db};

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve the app (no arguments).
    Serve,
    /// `roles grant <role> <email>`.
    Grant {
        /// The role.
        role: String,
        /// The user's address.
        email: String,
    },
    /// `roles revoke <email>`.
    Revoke {
        /// The user's address.
        email: String,
    },
    /// `roles list`.
    List,
    /// `two-factor reset <email>`.
    ResetTwoFactor {
        /// The user's address.
        email: String,
    },
}

/// The usage text.
pub const USAGE: &str = "usage: leptos-auth                          serve the app
       leptos-auth roles grant <role> <email>   give a user a role (e.g. admin)
       leptos-auth roles revoke <email>         take a user's role away
       leptos-auth roles list                   users that have a role
       leptos-auth two-factor reset <email>     turn a user's second factor off (lost app and codes)";

/// Parses the arguments (without the program name).
///
/// # Errors
/// The usage, with what was wrong.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => Ok(Command::Serve),
        ["roles", "grant", role, email] => {
            let role = role.trim();
            if role.is_empty()
                || role.len() > 64
                || !role
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
            {
                return Err(format!(
                    "`{role}`: a role is letters, digits, '-' or '_'\n{USAGE}"
                ));
            }
            Ok(Command::Grant {
                role: role.to_owned(),
                email: address(email)?,
            })
        }
        ["roles", "revoke", email] => Ok(Command::Revoke {
            email: address(email)?,
        }),
        ["roles", "list"] => Ok(Command::List),
        ["two-factor", "reset", email] => Ok(Command::ResetTwoFactor {
            email: address(email)?,
        }),
        _ => Err(USAGE.to_owned()),
    }
}

fn address(raw: &str) -> Result<String, String> {
    normalize_email(raw).ok_or_else(|| format!("`{raw}` is not an email address\n{USAGE}"))
}

/// Runs a roles command against `db`; returns what to print.
///
/// # Errors
/// A message: no user with that address, or the database error.
pub async fn run(command: &Command, db: &Db) -> Result<String, String> {
    let db_error = |e: app::auth::ssr::adapter::AdapterError| format!("database: {e}");
    match command {
        Command::Serve => Ok(String::new()),
        Command::Grant { role, email } => match db.set_role(email, Some(role)).await {
            Ok(Some(user)) => Ok(format!(
                "user {} ({email}) now has the role {role}",
                user.id
            )),
            Ok(None) => Err(format!("no user has the address {email}")),
            Err(e) => Err(db_error(e)),
        },
        Command::Revoke { email } => match db.set_role(email, None).await {
            Ok(Some(user)) => Ok(format!("user {} ({email}) has no role now", user.id)),
            Ok(None) => Err(format!("no user has the address {email}")),
            Err(e) => Err(db_error(e)),
        },
        Command::ResetTwoFactor { email } => {
            let Some(user) = db.get_user_by_email(email).await.map_err(db_error)? else {
                return Err(format!("no user has the address {email}"));
            };
            let removed = db.remove_totp(user.id).await.map_err(db_error)?;
            tracing::warn!(
                user.id = user.id,
                removed,
                "second factor reset by an operator"
            );
            Ok(if removed {
                format!("user {} ({email}): second factor turned off; they sign in with their first factor alone until they set one up again", user.id)
            } else {
                format!("user {} ({email}) had no second factor", user.id)
            })
        }
        Command::List => {
            let users = db.users_with_roles().await.map_err(db_error)?;
            Ok(users
                .iter()
                .map(|u| {
                    format!(
                        "{}\t{}\t{}",
                        u.id,
                        u.email.as_deref().unwrap_or("-"),
                        u.role.as_deref().unwrap_or("-")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_the_roles_commands() {
        assert_eq!(parse(&[]).unwrap(), Command::Serve);
        assert_eq!(
            parse(&args(&["roles", "grant", "admin", " Ada@Example.com"])).unwrap(),
            Command::Grant {
                role: "admin".into(),
                email: "ada@example.com".into()
            }
        );
        assert_eq!(parse(&args(&["roles", "list"])).unwrap(), Command::List);
        assert_eq!(
            parse(&args(&["two-factor", "reset", "Ada@example.com"])).unwrap(),
            Command::ResetTwoFactor {
                email: "ada@example.com".into()
            }
        );
        assert!(parse(&args(&["two-factor", "reset", "nope"])).is_err());
        assert!(parse(&args(&["roles", "grant", "ad min", "a@b.co"])).is_err());
        assert!(parse(&args(&["roles", "grant", "admin", "nope"])).is_err());
        assert!(parse(&args(&["serve", "now"]))
            .unwrap_err()
            .starts_with("usage"));
    }
}
