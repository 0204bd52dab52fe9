//! Reading an ASGI scope dict. Everything here came from the network (via
//! the server): absent or odd-typed fields are tolerated, never unwrapped.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

/// Bytes of a header name or value as the server gave them.
pub fn bytes_of<'a>(obj: &'a Bound<'_, PyAny>) -> Option<&'a [u8]> {
    obj.cast::<PyBytes>().ok().map(|b| b.as_bytes())
}

/// The two items of one `headers` entry (a tuple, or any 2-item sequence).
pub fn header_pair<'py>(
    item: &Bound<'py, PyAny>,
) -> Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    if let Ok(t) = item.cast::<PyTuple>() {
        if t.len() == 2 {
            return Some((t.get_item(0).ok()?, t.get_item(1).ok()?));
        }
        return None;
    }
    Some((item.get_item(0).ok()?, item.get_item(1).ok()?))
}

/// Latin-1 never fails: every byte is a character. Header bytes are read
/// this way, as HTTP defines them.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

pub fn item<'py>(
    scope: &Bound<'py, PyDict>,
    key: &Bound<'py, PyString>,
) -> Option<Bound<'py, PyAny>> {
    scope.get_item(key).ok().flatten().filter(|v| !v.is_none())
}

/// What the dispatcher needs from the headers, read in one pass.
#[derive(Default)]
pub struct HeaderFacts {
    pub host: Option<String>,
    pub content_length: Option<u64>,
    pub chunked: bool,
    pub bad_length: bool,
}

pub fn scan_headers(headers: Option<Bound<'_, PyAny>>, want_host: bool) -> HeaderFacts {
    let mut facts = HeaderFacts::default();
    let Some(headers) = headers else {
        return facts;
    };
    let Ok(iter) = headers.try_iter() else {
        return facts;
    };
    for entry in iter.flatten() {
        let Some((name, value)) = header_pair(&entry) else {
            continue;
        };
        let (Some(name), Some(value)) = (bytes_of(&name), bytes_of(&value)) else {
            continue;
        };
        if want_host && facts.host.is_none() && name.eq_ignore_ascii_case(b"host") {
            facts.host = Some(latin1(value));
        } else if name.eq_ignore_ascii_case(b"content-length") {
            let parsed = std::str::from_utf8(value)
                .ok()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok());
            match (parsed, facts.content_length) {
                (Some(n), None) => facts.content_length = Some(n),
                (Some(n), Some(seen)) if n == seen => {}
                // Unparseable, or two different lengths: request smuggling territory.
                _ => facts.bad_length = true,
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            facts.chunked = true;
        }
    }
    facts
}

/// `host` for a request without a `Host` header: the ASGI `server` pair.
pub fn server_host(scope: &Bound<'_, PyDict>, key: &Bound<'_, PyString>) -> Option<String> {
    let server = item(scope, key)?;
    let host = server.get_item(0).ok()?;
    let host: String = host.extract().ok()?;
    let port = server
        .get_item(1)
        .ok()
        .and_then(|p| p.str().ok())
        .map(|p| p.to_string());
    Some(match port {
        Some(port) if !port.is_empty() && port != "None" => format!("{host}:{port}"),
        _ => host,
    })
}
