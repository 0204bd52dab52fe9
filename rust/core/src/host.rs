//! Which subdomain a request is for, read from its host.

use std::borrow::Cow;

/// The subdomain of hosts that name no subdomain.
pub const DEFAULT_SUBDOMAIN: &str = "www";

/// The host without its port, lower-cased, without a trailing dot.
/// Bracketed IPv6 literals keep their brackets.
pub fn normalize_host(host: &str) -> Cow<'_, str> {
    let host = host.trim();
    let bare = if host.starts_with('[') {
        match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    let bare = bare.strip_suffix('.').unwrap_or(bare);
    if bare.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(bare.to_ascii_lowercase())
    } else {
        Cow::Borrowed(bare)
    }
}

fn is_ipv4(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() == 4
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.len() <= 3 && l.bytes().all(|b| b.is_ascii_digit()))
}

/// The subdomain a normalized host asks for: the first label of a host with
/// three or more labels (or of `x.localhost`), else [`DEFAULT_SUBDOMAIN`].
/// IP literals always get the default.
pub fn subdomain_of(host: &str) -> &str {
    if host.is_empty() || host.starts_with('[') || is_ipv4(host) {
        return DEFAULT_SUBDOMAIN;
    }
    let labels = host.split('.').count();
    let local = labels == 2 && host.ends_with(".localhost");
    match host.split_once('.') {
        Some((first, _)) if (labels > 2 || local) && !first.is_empty() => first,
        _ => DEFAULT_SUBDOMAIN,
    }
}

/// Whether `name` can be registered as a subdomain: one DNS label, or `*`.
pub fn valid_subdomain(name: &str) -> bool {
    name == "*"
        || (!name.is_empty()
            && name.len() <= 63
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_from_hosts() {
        let table: &[(&str, &str)] = &[
            ("example.com", "www"),
            ("www.example.com", "www"),
            ("api.example.com", "api"),
            ("API.Example.COM:8443", "api"),
            ("a.b.example.com", "a"),
            ("localhost", "www"),
            ("localhost:8000", "www"),
            ("api.localhost", "api"),
            ("api.localhost:8000", "api"),
            ("127.0.0.1", "www"),
            ("127.0.0.1:8000", "www"),
            ("[::1]", "www"),
            ("[::1]:8000", "www"),
            ("api.example.com.", "api"),
            ("", "www"),
        ];
        for (host, sub) in table {
            assert_eq!(subdomain_of(&normalize_host(host)), *sub, "{host}");
        }
    }

    #[test]
    fn normalizing() {
        assert_eq!(normalize_host("Api.Example.com:80"), "api.example.com");
        assert_eq!(normalize_host("[::1]:80"), "[::1]");
        assert!(valid_subdomain("api") && valid_subdomain("*") && valid_subdomain("eu-west"));
        assert!(!valid_subdomain("") && !valid_subdomain("a.b") && !valid_subdomain("a b"));
    }
}
