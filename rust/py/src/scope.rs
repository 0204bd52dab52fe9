//! Reading an ASGI scope dict. Everything here came from the network (via
//! the server): absent or odd-typed fields are tolerated, never unwrapped.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

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
    /// The first `Content-Type` value, as given (read only when a body may
    /// follow, on RSGI).
    pub content_type: Option<Py<PyAny>>,
}

pub fn scan_headers(headers: Option<Bound<'_, PyAny>>, want_host: bool) -> HeaderFacts {
    let mut facts = HeaderFacts::default();
    let Some(headers) = headers else {
        return facts;
    };
    // Servers give a list (walked by index, without an iterator object);
    // any other iterable is read too.
    if let Ok(list) = headers.cast::<PyList>() {
        for entry in list.iter() {
            facts.read(&entry, want_host);
        }
    } else if let Ok(iter) = headers.try_iter() {
        for entry in iter.flatten() {
            facts.read(&entry, want_host);
        }
    }
    facts
}

impl HeaderFacts {
    /// One `headers` entry: ignored unless a pair of bytes.
    fn read(&mut self, entry: &Bound<'_, PyAny>, want_host: bool) {
        // Most headers are none of the four read here, and the name's
        // length says so before the value is looked at.
        let wanted = |name: &[u8]| match name.len() {
            4 => want_host && self.host.is_none(),
            12 => self.content_type.is_none(),
            14 | 17 => true,
            _ => false,
        };
        if let Ok(pair) = entry.cast::<PyTuple>() {
            match pair.get_item(0) {
                Ok(name) if bytes_of(&name).is_some_and(|name| !wanted(name)) => return,
                _ => {}
            }
        }
        let Some(pair) = header_pair(entry) else {
            return;
        };
        let (Some(name), Some(value)) = (bytes_of(&pair.0), bytes_of(&pair.1)) else {
            return;
        };
        if want_host && self.host.is_none() && name.eq_ignore_ascii_case(b"host") {
            self.host = Some(latin1(value));
        } else if name.eq_ignore_ascii_case(b"content-length") {
            let parsed = std::str::from_utf8(value)
                .ok()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok());
            match (parsed, self.content_length) {
                (Some(n), None) => self.content_length = Some(n),
                (Some(n), Some(seen)) if n == seen => {}
                // Unparseable, or two different lengths: request smuggling territory.
                _ => self.bad_length = true,
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            self.chunked = true;
        } else if self.content_type.is_none() && name.eq_ignore_ascii_case(b"content-type") {
            self.content_type = Some(pair.1.clone().unbind());
        }
    }
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

/// Where a request head came from: an ASGI scope dict, or granian's RSGI
/// scope object (attributes; headers behind a `get`/`items` map).
pub enum Source {
    Asgi(Py<PyDict>),
    Rsgi(Py<PyAny>),
}

impl Source {
    pub fn clone_ref(&self, py: Python<'_>) -> Source {
        match self {
            Source::Asgi(scope) => Source::Asgi(scope.clone_ref(py)),
            Source::Rsgi(scope) => Source::Rsgi(scope.clone_ref(py)),
        }
    }

    /// Every header as (lower-case name, value), in arrival order.
    pub fn header_pairs(&self, py: Python<'_>) -> Vec<(String, String)> {
        match self {
            Source::Asgi(scope) => {
                let Some(headers) = item(scope.bind(py), pyo3::intern!(py, "headers")) else {
                    return Vec::new();
                };
                let Ok(iter) = headers.try_iter() else {
                    return Vec::new();
                };
                iter.flatten()
                    .filter_map(|entry| {
                        let (name, value) = header_pair(&entry)?;
                        Some((
                            latin1(bytes_of(&name)?).to_ascii_lowercase(),
                            latin1(bytes_of(&value)?),
                        ))
                    })
                    .collect()
            }
            Source::Rsgi(scope) => scope
                .bind(py)
                .getattr(pyo3::intern!(py, "headers"))
                .and_then(|h| h.call_method0(pyo3::intern!(py, "items")))
                .and_then(|items| items.extract::<Vec<(String, String)>>())
                .map(|pairs| {
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), v))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// A text field of the request line (`method`, `path`, `scheme`): a key
    /// of the ASGI scope, an attribute of the RSGI one. None when absent or
    /// not a str.
    pub fn text<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyString>,
    ) -> Option<Bound<'py, PyString>> {
        let value = match self {
            Source::Asgi(scope) => item(scope.bind(py), key)?,
            Source::Rsgi(scope) => scope.bind(py).getattr(key).ok()?,
        };
        value.cast_into::<PyString>().ok()
    }

    /// The raw query string, as bytes.
    pub fn query_string(&self, py: Python<'_>) -> Vec<u8> {
        match self {
            Source::Asgi(scope) => item(scope.bind(py), pyo3::intern!(py, "query_string"))
                .and_then(|q| q.cast_into::<PyBytes>().ok())
                .map(|b| b.as_bytes().to_vec())
                .unwrap_or_default(),
            Source::Rsgi(scope) => scope
                .bind(py)
                .getattr(pyo3::intern!(py, "query_string"))
                .and_then(|q| q.extract::<String>())
                .map(String::into_bytes)
                .unwrap_or_default(),
        }
    }

    /// `host[:port]` of the server, for requests without a `Host` header.
    pub fn server(&self, py: Python<'_>) -> Option<String> {
        match self {
            Source::Asgi(scope) => server_host(scope.bind(py), pyo3::intern!(py, "server")),
            Source::Rsgi(scope) => scope
                .bind(py)
                .getattr(pyo3::intern!(py, "server"))
                .ok()?
                .extract()
                .ok(),
        }
    }

    /// The client's (address, port text).
    pub fn client<'py>(&self, py: Python<'py>) -> Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        match self {
            Source::Asgi(scope) => {
                let client = item(scope.bind(py), pyo3::intern!(py, "client"))?;
                Some((client.get_item(0).ok()?, client.get_item(1).ok()?))
            }
            Source::Rsgi(scope) => {
                let text: String = scope
                    .bind(py)
                    .getattr(pyo3::intern!(py, "client"))
                    .ok()?
                    .extract()
                    .ok()?;
                let (addr, port) = text.rsplit_once(':')?;
                let addr = addr.trim_start_matches('[').trim_end_matches(']');
                Some((
                    PyString::new(py, addr).into_any(),
                    PyString::new(py, port).into_any(),
                ))
            }
        }
    }
}

/// Whether a request of this HTTP version ends a body with its stream (HTTP/2
/// and 3), so a body may come with neither `Content-Length` nor
/// `Transfer-Encoding`; HTTP/1 cannot send one so. No version is HTTP/1.1.
pub fn stream_ends_body(version: Option<Bound<'_, PyAny>>) -> bool {
    version
        .as_ref()
        .and_then(|v| v.cast::<PyString>().ok()?.to_str().ok())
        .is_some_and(|v| !v.is_empty() && !v.starts_with('1'))
}

/// `scan_headers` for an RSGI headers map: three lookups instead of a walk.
/// `unframed` says, asked only for a request with neither header, whether
/// a body of unknown length may still come (HTTP/2's stream ends it).
pub fn scan_rsgi_headers(
    headers: Option<Bound<'_, PyAny>>,
    want_host: bool,
    unframed: impl FnOnce() -> bool,
) -> HeaderFacts {
    let mut facts = HeaderFacts::default();
    let Some(headers) = headers else {
        return facts;
    };
    let py = headers.py();
    let get = |name: &Bound<'_, PyString>| -> Option<String> {
        headers
            .call_method1(pyo3::intern!(py, "get"), (name,))
            .ok()
            .filter(|v| !v.is_none())
            .and_then(|v| v.extract::<String>().ok())
    };
    // `in` first: a C slot call, where `get` is a method call with its
    // arguments packed; most requests have neither header.
    let has = |name: &Bound<'_, PyString>| headers.contains(name).unwrap_or(false);
    let length = if has(pyo3::intern!(py, "content-length")) {
        get(pyo3::intern!(py, "content-length"))
    } else {
        None
    };
    if let Some(length) = length {
        let trimmed = length.trim();
        match trimmed.parse::<u64>() {
            Ok(n) if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) => {
                facts.content_length = Some(n)
            }
            _ => facts.bad_length = true,
        }
    }
    facts.chunked = has(pyo3::intern!(py, "transfer-encoding"))
        && get(pyo3::intern!(py, "transfer-encoding")).is_some();
    if !facts.chunked && facts.content_length.is_none() && unframed() {
        facts.chunked = true; // a body of unknown length, read to its end
    }
    if facts.chunked || facts.content_length.is_some_and(|n| n > 0) {
        // Only a request with a body has a type worth reading: one lookup, not one per request.
        facts.content_type = headers
            .call_method1(
                pyo3::intern!(py, "get"),
                (pyo3::intern!(py, "content-type"),),
            )
            .ok()
            .filter(|v| v.is_instance_of::<PyString>())
            .map(Bound::unbind);
    }
    if want_host {
        facts.host = get(pyo3::intern!(py, "host"));
    }
    facts
}
