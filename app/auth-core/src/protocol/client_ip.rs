//! Who is asking: the client address that per-IP rate limits count against.
//!
//! The socket peer is the client, unless the peer is a proxy the operator said to trust
//! (`AUTH_TRUSTED_PROXIES`). Then the client is the right-most `X-Forwarded-For` hop that is not
//! itself a trusted proxy: each proxy appends the address it saw, so the entries to the left of
//! the last trusted one were written by the client and prove nothing. The left-most entry is
//! never taken on its own, and trusting the `Host` (`AUTH_URL`, `AUTH_TRUST_HOST`) says nothing
//! about `X-Forwarded-For`.
//!
//! Limits key an IPv6 client by its /64 (one customer's allocation: a host can pick any address
//! in it), and an IPv4-mapped IPv6 address as the IPv4 address it is.

use std::{
    fmt,
    net::{IpAddr, Ipv6Addr},
};

use ipnet::IpNet;

/// Which proxies in front of the server may say who the client is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustedProxies {
    /// None: the socket peer is the client (the default).
    #[default]
    None,
    /// This many proxies: the client is the address this many hops from the socket (1: the
    /// right-most `X-Forwarded-For` entry).
    Hops(u8),
    /// Proxies at these addresses or networks.
    Networks(Vec<IpNet>),
}

impl TrustedProxies {
    /// Parses `AUTH_TRUSTED_PROXIES`: a hop count (`1`), or comma-separated addresses and CIDR
    /// networks (`10.0.0.0/8, 192.168.1.7, fd00::/8`); empty is [`TrustedProxies::None`].
    ///
    /// # Errors
    /// Which entry is unusable.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(Self::None);
        }
        if value.bytes().all(|b| b.is_ascii_digit()) {
            return match value.parse::<u8>() {
                Ok(0) => Ok(Self::None),
                Ok(hops) => Ok(Self::Hops(hops)),
                Err(_) => Err(format!("`{value}`: a hop count is 0 to 255")),
            };
        }
        value
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("`{entry}`: expected an address or a CIDR network"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Networks)
    }

    fn trusts(&self, addr: IpAddr) -> bool {
        match self {
            Self::None | Self::Hops(_) => false,
            Self::Networks(networks) => {
                let addr = canonical(addr);
                networks.iter().any(|net| net.contains(&addr))
            }
        }
    }
}

/// The client address of a request that came from `peer` with these `X-Forwarded-For` header
/// values (in the order they arrived).
pub fn client_ip<'a>(
    trusted: &TrustedProxies,
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
) -> IpAddr {
    let peer = canonical(peer);
    let hops = || {
        let entries: Vec<&str> = forwarded_for
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        entries
    };
    match trusted {
        TrustedProxies::None => peer,
        TrustedProxies::Hops(count) => {
            let entries = hops();
            // Hop 1 is the peer; hop n is the (n-1)-th entry from the right. Fewer entries than
            // hops: the left-most one, if it parses (a proxy wrote every entry then).
            let mut client = peer;
            for entry in entries.iter().rev().take(usize::from(*count)) {
                match parse_hop(entry) {
                    Some(addr) => client = addr,
                    None => break,
                }
            }
            client
        }
        TrustedProxies::Networks(_) => {
            if !trusted.trusts(peer) {
                return peer;
            }
            let mut client = peer;
            for entry in hops().iter().rev() {
                let Some(addr) = parse_hop(entry) else {
                    // Garbage left of a trusted hop: the trusted hop is all we know.
                    break;
                };
                client = addr;
                if !trusted.trusts(addr) {
                    break;
                }
            }
            client
        }
    }
}

/// The key per-IP limits count against: the address, or for IPv6 its /64.
pub fn limit_key(ip: IpAddr) -> LimitKey {
    LimitKey(match canonical(ip) {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
    })
}

/// A client's rate-limit key (see [`limit_key`]); displays as `203.0.113.7` or `2001:db8::/64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LimitKey(IpAddr);

impl fmt::Display for LimitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// An IPv4-mapped IPv6 address as IPv4; anything else unchanged.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` entry: an address, possibly `[v6]`, possibly with a port.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(addr) = entry.parse::<std::net::SocketAddr>() {
        return Some(canonical(addr.ip()));
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<IpAddr>().ok())
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn networks(s: &str) -> TrustedProxies {
        TrustedProxies::parse(s).unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let got = client_ip(
            &TrustedProxies::None,
            ip("198.51.100.9"),
            ["203.0.113.1, 10.0.0.1"].into_iter(),
        );
        assert_eq!(got, ip("198.51.100.9"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = networks("10.0.0.0/8, 192.168.1.7");
        // The client forged a left-most entry; the proxies appended what they saw.
        let got = client_ip(
            &trusted,
            ip("10.0.0.2"),
            ["1.1.1.1, 203.0.113.5, 192.168.1.7"].into_iter(),
        );
        assert_eq!(got, ip("203.0.113.5"));
        // Several headers are one list.
        let got = client_ip(
            &trusted,
            ip("10.0.0.2"),
            ["1.1.1.1", "203.0.113.5"].into_iter(),
        );
        assert_eq!(got, ip("203.0.113.5"));
        // A peer that is not a trusted proxy is the client, whatever it says.
        let got = client_ip(&trusted, ip("203.0.113.9"), ["10.0.0.3"].into_iter());
        assert_eq!(got, ip("203.0.113.9"));
        // Only garbage to the left: the last trusted hop.
        let got = client_ip(&trusted, ip("10.0.0.2"), ["not-an-ip"].into_iter());
        assert_eq!(got, ip("10.0.0.2"));
        // Every hop trusted: the left-most of them.
        let got = client_ip(&trusted, ip("10.0.0.2"), ["10.1.1.1, 10.2.2.2"].into_iter());
        assert_eq!(got, ip("10.1.1.1"));
    }

    #[test]
    fn a_hop_count_counts_from_the_socket() {
        let one = TrustedProxies::parse("1").unwrap();
        assert_eq!(one, TrustedProxies::Hops(1));
        let got = client_ip(&one, ip("10.0.0.2"), ["6.6.6.6, 203.0.113.5"].into_iter());
        assert_eq!(got, ip("203.0.113.5"));
        let two = TrustedProxies::Hops(2);
        let got = client_ip(
            &two,
            ip("10.0.0.2"),
            ["6.6.6.6, 203.0.113.5, 10.0.0.9"].into_iter(),
        );
        assert_eq!(got, ip("203.0.113.5"));
        // No header: the peer.
        assert_eq!(
            client_ip(&one, ip("10.0.0.2"), std::iter::empty()),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn entries_may_carry_ports_and_brackets() {
        let one = TrustedProxies::Hops(1);
        for (entry, want) in [
            ("203.0.113.5:4711", "203.0.113.5"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("::ffff:203.0.113.5", "203.0.113.5"),
        ] {
            assert_eq!(
                client_ip(&one, ip("10.0.0.2"), [entry].into_iter()),
                ip(want),
                "{entry}"
            );
        }
    }

    #[test]
    fn ipv6_clients_are_keyed_per_64() {
        let a = limit_key(ip("2001:db8:1:2:aaaa::1"));
        let b = limit_key(ip("2001:db8:1:2:ffff:1:2:3"));
        let c = limit_key(ip("2001:db8:1:3::1"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")).to_string(), "192.0.2.1");
        assert_eq!(limit_key(ip("192.0.2.1")).to_string(), "192.0.2.1");
    }

    #[test]
    fn parses_the_variable() {
        assert_eq!(TrustedProxies::parse(" ").unwrap(), TrustedProxies::None);
        assert_eq!(TrustedProxies::parse("0").unwrap(), TrustedProxies::None);
        assert!(TrustedProxies::parse("300").is_err());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        let TrustedProxies::Networks(list) = networks("10.0.0.1/8,::1") else {
            panic!("networks")
        };
        assert_eq!(list[0].to_string(), "10.0.0.0/8");
        assert_eq!(list[1].to_string(), "::1/128");
    }
}
