//! Sending a whole body (`bytes` or `str`): what each wire's `send` does,
//! natively. Most answers are one whole body, and in Python the two
//! interfaces' sends cost heaven about as much as the handler call.
//!
//! The lifecycle hands over the status, the header pairs (bytes, as
//! `res.header` checked them), the payload and the Content-Type to add.
//! ASGI gets its two messages back, for the lifecycle to pass to `send` in
//! order from its own frame; RSGI's answer goes out in the call.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};
use pyo3::{intern, PyTypeInfo};

use crate::call::call_method;
use crate::pack::pack;
use crate::prebuilt;
use crate::scope::header_pair;

static CONTENT_TYPE: PyOnceLock<Py<PyBytes>> = PyOnceLock::new();
static CONTENT_LENGTH: PyOnceLock<Py<PyBytes>> = PyOnceLock::new();
/// The types heaven sets itself (`response.TEXT`, `JSON`, and HTML).
const KNOWN_TYPES: [&[u8]; 3] = [
    b"text/plain; charset=utf-8",
    b"application/json",
    b"text/html; charset=utf-8",
];
/// `(b"content-type", kind)` for each known type, made once.
static ASGI_TYPES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
/// `(b"content-length", b"<n>")` for the small bodies most answers have.
static LENGTHS: PyOnceLock<Vec<Py<PyTuple>>> = PyOnceLock::new();
const CACHED_LENGTHS: usize = 1024;

/// ASGI's Content-Type header pair.
fn asgi_type_header<'py>(
    py: Python<'py>,
    kind: &Bound<'py, PyBytes>,
) -> PyResult<Bound<'py, PyAny>> {
    let name = CONTENT_TYPE.get_or_init(py, || PyBytes::new(py, b"content-type").unbind());
    let known = ASGI_TYPES.get_or_try_init(py, || {
        let d = PyDict::new(py);
        for kind in KNOWN_TYPES {
            let kind = PyBytes::new(py, kind);
            d.set_item(&kind, PyTuple::new(py, [name.bind(py), &kind])?)?;
        }
        Ok::<_, PyErr>(d.unbind())
    })?;
    match known.bind(py).get_item(kind)? {
        Some(made) => Ok(made),
        None => Ok(PyTuple::new(py, [name.bind(py), kind])?.into_any()),
    }
}

/// ASGI's Content-Length header pair for a body of `size` bytes.
fn length_header(py: Python<'_>, size: usize) -> PyResult<Bound<'_, PyTuple>> {
    let name = CONTENT_LENGTH.get_or_init(py, || PyBytes::new(py, b"content-length").unbind());
    let pair = |size: usize| PyTuple::new(py, [name.bind(py).clone(), decimal(py, size)]);
    if size >= CACHED_LENGTHS {
        return pair(size);
    }
    let made = LENGTHS.get_or_try_init(py, || {
        (0..CACHED_LENGTHS)
            .map(|n| pair(n).map(Bound::unbind))
            .collect::<PyResult<Vec<_>>>()
    })?;
    Ok(made[size].bind(py).clone())
}

static START: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static BODY: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// A fresh copy of the dict `fill` makes once.
fn template<'py>(
    py: Python<'py>,
    cell: &PyOnceLock<Py<PyDict>>,
    fill: impl FnOnce(&Bound<'py, PyDict>) -> PyResult<()>,
) -> PyResult<Bound<'py, PyDict>> {
    let made = cell.get_or_try_init(py, || {
        let d = PyDict::new(py);
        fill(&d)?;
        Ok::<_, PyErr>(d.unbind())
    })?;
    made.bind(py).copy()
}

/// The prebuilt start message of a 200 answer of one of the known types
/// with a small body, when `send` is the server's own (see `prebuilt`).
fn prebuilt_start<'py>(
    py: Python<'py>,
    send: &Bound<'py, PyAny>,
    kind: &Bound<'py, PyBytes>,
    size: usize,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    if size >= CACHED_LENGTHS || !prebuilt::servers_own(send) {
        return Ok(None);
    }
    let Some(at) = KNOWN_TYPES.iter().position(|k| *k == kind.as_bytes()) else {
        return Ok(None);
    };
    let slots = KNOWN_TYPES.len() * CACHED_LENGTHS;
    prebuilt::start(py, at * CACHED_LENGTHS + size, slots, || {
        PyList::new(
            py,
            [
                asgi_type_header(py, kind)?,
                length_header(py, size)?.into_any(),
            ],
        )
    })
    .map(Some)
}

/// `n` in decimal, as bytes, without a heap-allocated string.
fn decimal(py: Python<'_>, mut n: usize) -> Bound<'_, PyBytes> {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    PyBytes::new(py, &digits[at..])
}

/// Answers without a body, so without a Content-Length (RFC 9110 §8.6).
fn bodyless(status: u16) -> bool {
    status == 204 || status == 304
}

/// The payload as bytes: a `str` is UTF-8 encoded (raising for a lone
/// surrogate, as `str.encode()` does).
fn encoded<'py>(payload: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    match payload.cast::<PyString>() {
        Ok(text) => Ok(text.encode_utf8()?.into_any()),
        Err(_) => Ok(payload.clone()),
    }
}

/// ASGI: `(send, start, body)`, the two messages of a whole body with the
/// Content-Type (when given) and Content-Length appended to `headers`.
/// `channel` is the ASGI wire's `(receive, send, scope)`.
#[pyfunction]
pub fn asgi_whole<'py>(
    py: Python<'py>,
    channel: &Bound<'py, PyTuple>,
    status: &Bound<'py, PyAny>,
    headers: &Bound<'py, PyList>,
    payload: &Bound<'py, PyAny>,
    content_type: Option<&Bound<'py, PyBytes>>,
    head_only: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    asgi_messages(
        py,
        &channel.get_item(1)?,
        status,
        headers,
        payload,
        content_type,
        head_only,
    )
}

/// `asgi_whole`'s messages, with the server's `send` itself.
pub fn asgi_messages<'py>(
    py: Python<'py>,
    send: &Bound<'py, PyAny>,
    status: &Bound<'py, PyAny>,
    headers: &Bound<'py, PyList>,
    payload: &Bound<'py, PyAny>,
    content_type: Option<&Bound<'py, PyBytes>>,
    head_only: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let code: u16 = status.extract()?;
    let mut payload = encoded(payload)?;
    let size = payload.len()?; // read once: the start message and the body check both need it
    let prebuilt = match content_type {
        Some(kind)
            if headers.is_empty() && code == 200 && status.is_exact_instance_of::<PyInt>() =>
        {
            prebuilt_start(py, send, kind, size)?
        }
        _ => None,
    };
    let (start, body) = match prebuilt {
        // The server's own `send` and a small body: the body message is
        // the reusable one too (`prebuilt::body`); a 200 is never bodyless.
        Some(start) => {
            let sent = if head_only {
                PyBytes::new(py, b"").into_any()
            } else {
                payload
            };
            (start, prebuilt::body(py, &sent)?)
        }
        None => {
            let start = asgi_start(py, status, code, headers, content_type, size)?;
            if bodyless(code) && size > 0 {
                payload = PyBytes::new(py, b"").into_any(); // a 204 or 304 has no body, whatever res.body says
            }
            let body = template(py, &BODY, |d| {
                d.set_item(intern!(py, "type"), intern!(py, "http.response.body"))?;
                d.set_item(intern!(py, "body"), PyBytes::new(py, b""))
            })?;
            if !head_only {
                body.set_item(intern!(py, "body"), payload)?;
            }
            (start, body.into_any())
        }
    };
    pack(py, [send.clone(), start, body])
}

/// The start message in general: `headers` with the Content-Type (when
/// given) and Content-Length appended, in a copy of a template.
fn asgi_start<'py>(
    py: Python<'py>,
    status: &Bound<'py, PyAny>,
    code: u16,
    headers: &Bound<'py, PyList>,
    content_type: Option<&Bound<'py, PyBytes>>,
    size: usize,
) -> PyResult<Bound<'py, PyAny>> {
    if let Some(kind) = content_type {
        headers.append(asgi_type_header(py, kind)?)?;
    }
    if !bodyless(code) {
        headers.append(length_header(py, size)?)?;
    }
    // Copies of two templates: a copy takes the template's keys as they are,
    // where a new dict would grow its table key by key.
    // The template says 200, the usual status: other statuses replace it.
    let start = template(py, &START, |d| {
        d.set_item(intern!(py, "type"), intern!(py, "http.response.start"))?;
        d.set_item(intern!(py, "status"), 200)?;
        d.set_item(intern!(py, "headers"), py.None())
    })?;
    if code != 200 || !status.is_exact_instance_of::<PyInt>() {
        start.set_item(intern!(py, "status"), status)?;
    }
    start.set_item(intern!(py, "headers"), headers)?;
    Ok(start.into_any())
}

/// A header name or value as the str RSGI takes: granian writes a str as
/// UTF-8, so UTF-8 bytes are decoded as such (the same bytes reach the wire
/// as on ASGI); bytes that are not UTF-8 fall back to latin-1.
fn text<'py>(py: Python<'py>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
    let bytes = value.cast::<PyBytes>()?.as_bytes();
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => PyString::new(py, text),
        Err(_) => PyString::new(py, &bytes.iter().map(|&b| b as char).collect::<String>()),
    })
}

static TYPE_HEADERS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// For each Content-Type heaven sets itself, the RSGI header list of an
/// answer with that header alone: `(("content-type", value),)`, made once.
/// A tuple, so the one object every such answer passes cannot be changed
/// (granian reads the headers as any sequence of pairs).
fn type_headers(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    let known = TYPE_HEADERS.get_or_try_init(py, || {
        let d = PyDict::new(py);
        for kind in KNOWN_TYPES {
            let value: String = kind.iter().map(|&b| b as char).collect();
            let pair = PyTuple::new(
                py,
                [
                    intern!(py, "content-type").clone(),
                    PyString::new(py, &value),
                ],
            )?;
            d.set_item(PyBytes::new(py, kind), PyTuple::new(py, [pair])?)?;
        }
        Ok::<_, PyErr>(d.unbind())
    })?;
    Ok(known.bind(py))
}

/// The `("content-type", value)` pair for RSGI: made once for the types
/// heaven sets itself, else now. Content-Type values heaven adds are ASCII;
/// any other byte is read as latin-1.
fn type_header<'py>(py: Python<'py>, kind: &Bound<'py, PyBytes>) -> PyResult<Bound<'py, PyAny>> {
    match type_headers(py)?.get_item(kind)? {
        Some(alone) => alone.get_item(0),
        None => {
            let value: String = kind.as_bytes().iter().map(|&b| b as char).collect();
            Ok(PyTuple::new(
                py,
                [
                    intern!(py, "content-type").clone(),
                    PyString::new(py, &value),
                ],
            )?
            .into_any())
        }
    }
}

/// `headers` (ASGI's byte pairs) as RSGI's str pairs, the Content-Type
/// (when given) last.
fn rsgi_headers<'py>(
    py: Python<'py>,
    headers: &Bound<'py, PyList>,
    content_type: Option<&Bound<'py, PyBytes>>,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for pair in headers.iter() {
        let Some((name, value)) = header_pair(&pair) else {
            return Err(PyValueError::new_err(
                "a response header must be a (name, value) pair",
            ));
        };
        out.append((text(py, &name)?, text(py, &value)?))?;
    }
    if let Some(kind) = content_type {
        out.append(type_header(py, kind)?)?;
    }
    Ok(out)
}

/// RSGI: one call to the protocol object (`response_str`, `response_bytes`,
/// or `response_empty` for HEAD and bodyless statuses); granian sets the
/// Content-Length of a body it sends. Returns `()`: nothing is left to send.
#[pyfunction]
pub fn rsgi_whole<'py>(
    py: Python<'py>,
    proto: &Bound<'py, PyAny>,
    status: &Bound<'py, PyAny>,
    headers: &Bound<'py, PyList>,
    payload: &Bound<'py, PyAny>,
    content_type: Option<&Bound<'py, PyBytes>>,
    head_only: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let code: u16 = status.extract()?;
    if head_only || bodyless(code) {
        let out = rsgi_headers(py, headers, content_type)?;
        if !bodyless(code) {
            let size = encoded(payload)?.len()?;
            out.append((intern!(py, "content-length"), size.to_string()))?;
        } else if let Ok(text) = payload.cast::<PyString>() {
            // A body that is not sent must still encode, as on ASGI: a lone
            // surrogate is the handler's error on every status.
            text.to_str()?;
        }
        call_method(
            proto,
            intern!(py, "response_empty"),
            &[status, out.as_any()],
        )?;
        return Ok(PyTuple::empty(py));
    }
    // The usual answer, no header but a Content-Type heaven sets, passes
    // that type's list made once; any other, a new one.
    let alone = match content_type {
        Some(kind) if headers.is_empty() => type_headers(py)?.get_item(kind)?,
        _ => None,
    };
    let out = match alone {
        Some(alone) => alone,
        None => rsgi_headers(py, headers, content_type)?.into_any(),
    };
    let method = if PyString::is_exact_type_of(payload) {
        intern!(py, "response_str")
    } else {
        intern!(py, "response_bytes")
    };
    call_method(proto, method, &[status, &out, payload])?;
    Ok(PyTuple::empty(py))
}
