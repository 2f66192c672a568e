//! The client's address: the socket peer, or, when the peer is a trusted proxy, the
//! right-most address in `X-Forwarded-For` that is not itself a trusted proxy.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use super::SharedState;
use crate::config::Cidr;

#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

pub fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    header
        .split(',')
        .rev()
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .find(|ip| !is_trusted(*ip))
        .unwrap_or(peer)
}

impl FromRequestParts<SharedState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let xff = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientIp(resolve(peer, xff, &state.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_cidr;

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let trusted = vec![parse_cidr("10.0.0.0/8").expect("cidr")];
        let peer: IpAddr = "10.0.0.5".parse().expect("ip");
        let outsider: IpAddr = "203.0.113.9".parse().expect("ip");
        assert_eq!(
            resolve(peer, Some("198.51.100.1, 203.0.113.9, 10.0.0.7"), &trusted),
            outsider
        );
        assert_eq!(resolve(outsider, Some("1.2.3.4"), &trusted), outsider);
        assert_eq!(resolve(peer, None, &trusted), peer);
    }
}
