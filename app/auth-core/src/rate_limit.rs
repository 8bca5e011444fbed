//! Attempt limits (DESIGN.md section 11): fixed-window counters in the database, so that every
//! instance enforces the same limit.
//!
//! Counting is increment-then-check, one statement per key, before any expensive work: a burst
//! of parallel attempts cannot all read "below the limit" and then all hash a password or send a
//! mail. An attempt that turns out not to count (a successful sign-in) is given back afterwards
//! with [`Counted::release`].
//!
//! Credentials are keyed three ways: per account *and* client (the limit a guesser meets, which
//! leaves the owner, from another address, able to sign in), per account over all clients (a
//! higher ceiling, against a guesser with many addresses), and per client (across accounts).
//! Clients are IP addresses, IPv6 by /64 ([`client_ip::limit_key`]).

use std::{net::IpAddr, time::Duration};

use super::{config::RateLimits, error::AuthError, providers::SendLimits};
use crate::adapter::Db;
use crate::protocol::client_ip::{self, LimitKey};

/// One counter: its key, its limit and its window.
#[derive(Debug, Clone)]
pub struct Key {
    kind: &'static str,
    name: String,
    limit: u32,
    window: Duration,
}

impl Key {
    fn new(
        kind: &'static str,
        subject: std::fmt::Arguments<'_>,
        limit: u32,
        window: Duration,
    ) -> Self {
        Self {
            kind,
            name: format!("{kind}:{subject}"),
            limit,
            window,
        }
    }

    /// The counter's name in `rate_limits.key`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// What a client is counted as: its address key, or `unknown` when the server does not know
/// it (no socket address, as in in-process tests).
fn client(ip: Option<IpAddr>) -> String {
    ip.map_or_else(
        || "unknown".to_owned(),
        |ip| client_ip::limit_key(ip).to_string(),
    )
}

/// The keys of a credentials attempt on `email` from `ip`: account + client, account, client.
pub fn credential_keys(limits: &RateLimits, email: &str, ip: Option<IpAddr>) -> Vec<Key> {
    let client = client(ip);
    let mut keys = vec![
        Key::new(
            "signin:account-client",
            format_args!("{email}|{client}"),
            limits.per_account,
            limits.window,
        ),
        Key::new(
            "signin:account",
            format_args!("{email}"),
            limits.account_ceiling.max(limits.per_account),
            limits.window,
        ),
    ];
    if let Some(ip) = ip {
        keys.push(ip_key(
            "signin:ip",
            client_ip::limit_key(ip),
            limits.per_ip,
            limits.window,
        ));
    }
    keys
}

/// The key of passkey answers from `ip` (counted before any signature is checked).
pub fn passkey_keys(limits: &RateLimits, ip: Option<IpAddr>) -> Vec<Key> {
    ip.map(|ip| {
        ip_key(
            "passkey:ip",
            client_ip::limit_key(ip),
            limits.per_ip,
            limits.window,
        )
    })
    .into_iter()
    .collect()
}

/// The key of registrations from `ip`.
pub fn register_keys(limits: &RateLimits, ip: Option<IpAddr>) -> Vec<Key> {
    ip.map(|ip| {
        ip_key(
            "register:ip",
            client_ip::limit_key(ip),
            limits.per_ip,
            limits.window,
        )
    })
    .into_iter()
    .collect()
}

/// The keys of a sign-in email to `email` asked for from `ip`.
pub fn email_keys(limits: &SendLimits, email: &str, ip: Option<IpAddr>) -> Vec<Key> {
    let mut keys = vec![Key::new(
        "email:address",
        format_args!("{email}"),
        limits.per_address,
        limits.window,
    )];
    if let Some(ip) = ip {
        keys.push(ip_key(
            "email:ip",
            client_ip::limit_key(ip),
            limits.per_ip,
            limits.window,
        ));
    }
    keys
}

/// The key of second-step codes for `user_id`: per user, whatever the client, since whoever
/// is at this step already holds the first factor.
pub fn second_step_keys(limit: u32, window: Duration, user_id: i32) -> Vec<Key> {
    vec![Key::new(
        "second-step:user",
        format_args!("{user_id}"),
        limit,
        window,
    )]
}

fn ip_key(kind: &'static str, ip: LimitKey, limit: u32, window: Duration) -> Key {
    Key::new(kind, format_args!("{ip}"), limit, window)
}

/// The start (Unix seconds) of the current window of length `window`.
pub fn window_start(window: Duration, now: i64) -> i64 {
    let window = i64::try_from(window.as_secs().max(1)).unwrap_or(i64::MAX);
    now - now.rem_euclid(window)
}

/// Attempts counted by [`hit`], to give back when they turn out not to count.
#[derive(Debug)]
#[must_use = "a successful attempt should release what it counted"]
pub struct Counted {
    hits: Vec<(Key, i64)>,
}

impl Counted {
    /// Gives the attempt back to every counter but those of `kinds_to_reset`, which are reset
    /// to zero (a successful sign-in clears its account + client counter).
    ///
    /// # Errors
    /// A database error.
    pub async fn release(self, db: &Db, kinds_to_reset: &[&str]) -> Result<(), AuthError> {
        for (key, start) in &self.hits {
            if kinds_to_reset.contains(&key.kind) {
                db.reset_rate_limit(&key.name).await?;
            } else {
                db.release_rate_limit(&key.name, *start).await?;
            }
        }
        Ok(())
    }
}

/// Counts one attempt against every key, then checks: `Ok(Some(_))` if every counter is
/// within its limit, `Ok(None)` if one is past it (the counts made for this attempt are given
/// back then, so a refused attempt does not count twice against the other keys).
///
/// # Errors
/// A database error.
pub async fn hit(db: &Db, keys: Vec<Key>) -> Result<Option<Counted>, AuthError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut hits = Vec::with_capacity(keys.len());
    for key in keys {
        let start = window_start(key.window, now);
        let count = db.hit_rate_limit(&key.name, start).await?;
        if count > key.limit {
            // The attempt itself stays counted on the key it broke (a refused burst keeps it
            // refused); the others are given back.
            tracing::warn!(limit = key.kind, "rate limit reached");
            for (earlier, start) in &hits {
                let earlier: &Key = earlier;
                db.release_rate_limit(&earlier.name, *start).await?;
            }
            return Ok(None);
        }
        hits.push((key, start));
    }
    Ok(Some(Counted { hits }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned() {
        assert_eq!(window_start(Duration::from_secs(900), 1_000), 900);
        assert_eq!(window_start(Duration::from_secs(900), 899), 0);
        assert_eq!(window_start(Duration::ZERO, 7), 7);
    }

    #[test]
    fn credential_keys_separate_the_owner_from_a_stranger() {
        let limits = RateLimits::default();
        let owner = credential_keys(
            &limits,
            "ada@example.com",
            Some("192.0.2.1".parse().unwrap()),
        );
        let stranger = credential_keys(
            &limits,
            "ada@example.com",
            Some("2001:db8::7".parse().unwrap()),
        );
        assert_eq!(
            owner[0].name(),
            "signin:account-client:ada@example.com|192.0.2.1"
        );
        assert_eq!(
            stranger[0].name(),
            "signin:account-client:ada@example.com|2001:db8::/64"
        );
        assert_eq!(
            owner[1].name(),
            stranger[1].name(),
            "one account-wide ceiling"
        );
        assert!(owner[1].limit > owner[0].limit);
        assert_eq!(stranger[2].name(), "signin:ip:2001:db8::/64");
        assert_eq!(
            credential_keys(&limits, "a@b.c", None)[0].name(),
            "signin:account-client:a@b.c|unknown"
        );
    }
}
