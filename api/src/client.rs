//! Who a request comes from, as far as the server can tell: the client's address (what the audit log
//! records and sign-in throttling counts), whether it came over HTTPS (the cookie's Secure flag) and the
//! host it asked for (the Origin check).
//!
//! Behind a load balancer the TCP peer is the proxy, which says who the client is in `X-Forwarded-For`,
//! `X-Forwarded-Proto` and `X-Forwarded-Host`. Those headers count only when the peer is one of the
//! trusted proxies (`--trusted-proxy`); from anyone else they are ignored, so that a client can neither
//! choose the address it is audited and throttled under nor pass for HTTPS or for another host.

use std::net::IpAddr;

use actix_web::http::header::{HOST, HeaderMap};
use actix_web::{HttpRequest, web};
use ipnet::IpNet;

/// The peers whose `X-Forwarded-*` headers are believed; none unless configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// A network as `10.0.0.0/8`, or one address (`192.0.2.7`, `::1`).
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("'{text}' is not an IP address or a network such as 10.0.0.0/8"))
}

/// What the server can tell about a request's client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub address: Option<IpAddr>,
    pub https: bool,
    /// The host (and port) the client asked for.
    pub host: Option<String>,
}

/// The client of `req`, believing forwarded headers only from a trusted proxy.
pub fn client(req: &HttpRequest) -> Client {
    let peer = req.peer_addr().map(|address| address.ip());
    let direct = Client {
        address: peer,
        https: req.app_config().secure(),
        host: header(req.headers(), HOST.as_str()).map(str::to_owned),
    };
    let proxies = req.app_data::<web::Data<TrustedProxies>>();
    match (peer, proxies) {
        (Some(peer), Some(proxies)) if proxies.trusts(peer) => {
            forwarded(req.headers(), proxies, direct)
        }
        _ => direct,
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// The first value of a comma-separated header: what the proxy nearest the client set.
fn first<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    header(headers, name).and_then(|value| value.split(',').next().map(str::trim))
}

fn forwarded(headers: &HeaderMap, proxies: &TrustedProxies, direct: Client) -> Client {
    Client {
        address: header(headers, "x-forwarded-for")
            .and_then(|chain| forwarded_for(chain, proxies))
            .or(direct.address),
        https: first(headers, "x-forwarded-proto")
            .map_or(direct.https, |proto| proto.eq_ignore_ascii_case("https")),
        host: first(headers, "x-forwarded-host")
            .map(str::to_owned)
            .or(direct.host),
    }
}

/// The client in an `X-Forwarded-For` chain: the rightmost address that is not a trusted proxy (each
/// proxy appends the peer it saw, so only the part right of the last untrusted hop is vouched for); the
/// leftmost when every hop is trusted; none when the chain is not a list of addresses.
fn forwarded_for(chain: &str, proxies: &TrustedProxies) -> Option<IpAddr> {
    let hops: Vec<IpAddr> = chain
        .split(',')
        .map(|hop| hop.trim().parse())
        .collect::<Result<_, _>>()
        .ok()?;
    hops.iter()
        .rev()
        .find(|hop| !proxies.trusts(**hop))
        .or(hops.first())
        .copied()
}

/// The sign-in cookie's name for this request: `__Host-` prefixed over HTTPS. Only the name that fits
/// the request's scheme is read, so a cookie planted without the prefix is ignored over HTTPS.
pub fn session_cookie_name(req: &HttpRequest) -> &'static str {
    if client(req).https {
        shared::SECURE_SESSION_COOKIE
    } else {
        shared::SESSION_COOKIE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies(list.iter().map(|net| parse_network(net).unwrap()).collect())
    }

    #[test]
    fn networks_and_single_addresses_are_read() {
        assert!(parse_network("10.0.0.0/8").is_ok());
        assert_eq!(parse_network(" ::1 ").unwrap().prefix_len(), 128);
        assert!(parse_network("10.0.0.0/33").is_err());
        assert!(parse_network("proxy.local").is_err());
    }

    #[test]
    fn the_client_is_the_rightmost_hop_that_is_no_trusted_proxy() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let client = |chain| forwarded_for(chain, &trusted).map(|a| a.to_string());
        assert_eq!(client("203.0.113.9").as_deref(), Some("203.0.113.9"));
        // A client may write anything left of what the proxies add.
        assert_eq!(
            client("198.51.100.1, 203.0.113.9, 10.0.0.2").as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(client("10.0.0.3, 10.0.0.2").as_deref(), Some("10.0.0.3"));
        assert_eq!(client("203.0.113.9, unknown"), None);
    }
}
