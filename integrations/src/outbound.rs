//! Where notifications may go. A webhook, Jira, GitHub Enterprise, Slack or SMS URL is typed by
//! an organization's admin, so without a guard it could point the server at itself, at the
//! cloud's metadata service (169.254.169.254) or at the private network behind it. Addresses
//! that are loopback, private, link-local, shared (CGNAT), multicast, unspecified or otherwise
//! not globally routable are refused unless the operator allows them (`LARDER_OUTBOUND_ALLOW`:
//! CIDRs, addresses or host names).
//!
//! The check is made on the *resolved* addresses, at connect time: reqwest and hyper clients
//! resolve through [`GuardedResolver`], which drops refused addresses, so a name that resolves
//! to a public address when checked and to a private one when connecting (DNS rebinding) gets
//! nowhere. URLs with a literal address never reach a resolver; [`OutboundPolicy::check_url`]
//! checks those when the notifier is built.
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ipnet::IpNet;

use crate::ConfigError;

/// What the operator allows beyond the public internet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutboundPolicy {
    networks: Vec<IpNet>,
    hosts: Vec<String>,
}

impl OutboundPolicy {
    /// Public addresses only (the default).
    pub fn public_only() -> OutboundPolicy {
        OutboundPolicy::default()
    }

    /// Parses a comma- or space-separated list: `127.0.0.1`, `10.0.0.0/8`, `::1`,
    /// `jira.internal`.
    pub fn parse(list: &str) -> Result<OutboundPolicy, String> {
        let mut policy = OutboundPolicy::default();
        for item in list
            .split([',', ' '])
            .map(str::trim)
            .filter(|i| !i.is_empty())
        {
            if let Ok(net) = item.parse::<IpNet>() {
                policy.networks.push(net);
            } else if let Ok(ip) = item.parse::<IpAddr>() {
                policy.networks.push(IpNet::from(ip));
            } else if item
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                policy.hosts.push(item.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "{item:?} is neither an address, a CIDR nor a host name"
                ));
            }
        }
        Ok(policy)
    }

    /// Whether a connection to `ip`, reached by the name `host`, may be made.
    pub fn allows(&self, host: &str, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        is_global(ip)
            || self.networks.iter().any(|net| net.contains(&ip))
            || self
                .hosts
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(host.trim_end_matches('.')))
    }

    /// Checks a URL whose host is a literal address (names are checked when they resolve).
    pub fn check_url(
        &self,
        channel: &'static str,
        field: &'static str,
        raw: &str,
    ) -> Result<(), ConfigError> {
        let url = url::Url::parse(raw.trim())
            .map_err(|e| ConfigError::invalid(channel, field, format!("not a URL: {e}")))?;
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        if self.allows(&ip.to_string(), ip) {
            Ok(())
        } else {
            Err(refused(channel, field, ip))
        }
    }

    /// Resolves `host` and keeps the addresses the policy allows; an error when none is left.
    pub async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
        let allowed: Vec<SocketAddr> = found
            .iter()
            .copied()
            .filter(|addr| self.allows(host, addr.ip()))
            .collect();
        if allowed.is_empty() {
            let shown = found
                .first()
                .map(|a| a.ip().to_string())
                .unwrap_or_default();
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{host} resolves to {shown}, a non-public address this server does not \
                     connect to (LARDER_OUTBOUND_ALLOW)"
                ),
            ));
        }
        Ok(allowed)
    }
}

fn refused(channel: &'static str, field: &'static str, ip: IpAddr) -> ConfigError {
    ConfigError::invalid(
        channel,
        field,
        format!(
            "points at {ip}, a non-public address this server does not connect to \
             (LARDER_OUTBOUND_ALLOW)"
        ),
    )
}

/// An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Globally routable unicast: not loopback, private, link-local, shared, documentation,
/// benchmarking, reserved, multicast, broadcast or unspecified.
fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0xdb8
                || first == 0x0064 && v6.segments()[1] == 0xff9b)
        }
    }
}

/// A resolver for reqwest and hyper that hands out only the addresses the policy allows.
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    policy: Arc<OutboundPolicy>,
}

impl GuardedResolver {
    pub fn new(policy: &OutboundPolicy) -> GuardedResolver {
        GuardedResolver {
            policy: Arc::new(policy.clone()),
        }
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let addrs = policy.resolve(name.as_str(), 0).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

type Resolved = std::io::Result<std::vec::IntoIter<SocketAddr>>;

impl tower_service::Service<hyper_util::client::legacy::connect::dns::Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Resolved> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: hyper_util::client::legacy::connect::dns::Name) -> Self::Future {
        let policy = self.policy.clone();
        Box::pin(async move { Ok(policy.resolve(name.as_str(), 0).await?.into_iter()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn non_public_addresses_are_refused_by_default() {
        let policy = OutboundPolicy::public_only();
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "ff02::1",
        ] {
            assert!(!policy.allows("h", ip(refused)), "{refused} allowed");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(policy.allows("h", ip(public)), "{public} refused");
        }
    }

    #[test]
    fn the_operator_allows_networks_addresses_and_names() {
        let policy = OutboundPolicy::parse("127.0.0.1, 10.0.0.0/8 jira.internal").unwrap();
        assert!(policy.allows("x", ip("127.0.0.1")));
        assert!(!policy.allows("x", ip("127.0.0.2")));
        assert!(policy.allows("x", ip("10.200.0.1")));
        assert!(policy.allows("jira.internal", ip("192.168.5.5")));
        assert!(!policy.allows("other.internal", ip("192.168.5.5")));
        assert!(OutboundPolicy::parse("not/a/thing").is_err());
    }

    #[test]
    fn literal_urls_are_checked_and_names_wait_for_resolution() {
        let policy = OutboundPolicy::public_only();
        assert!(
            policy
                .check_url("webhook", "url", "http://169.254.169.254/latest")
                .is_err()
        );
        assert!(
            policy
                .check_url("webhook", "url", "http://[::1]:8080/")
                .is_err()
        );
        assert!(
            policy
                .check_url("webhook", "url", "https://hooks.example.com/x")
                .is_ok()
        );
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let error = OutboundPolicy::public_only()
            .resolve("localhost", 80)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("non-public"), "{error}");
        let allowed = OutboundPolicy::parse("127.0.0.1,::1").unwrap();
        assert!(!allowed.resolve("localhost", 80).await.unwrap().is_empty());
    }
}
