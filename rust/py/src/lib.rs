//! `heaven._core`: the native half of heaven. It converts at the edge and
//! nothing else; the routing itself lives in `heaven-core`.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

mod answer;
mod call;
mod errors;
mod exchange;
mod head;
mod matcher;
mod multidict;
mod pack;
mod prebuilt;
mod put_header;
mod recycle;
mod scope;
mod values;
mod view;

/// `a=1&b=2` (bytes) into ordered (name, value) pairs; `+` is a space.
/// Raises `heaven.errors.BadRequest` on malformed encoding.
#[pyfunction]
fn parse_query(py: Python<'_>, raw: &[u8]) -> PyResult<Vec<(String, String)>> {
    heaven_core::parse_query(raw).map_err(|e| errors::bad_request(py, e.message()))
}

/// The subdomain a `Host` header value asks for.
#[pyfunction]
fn subdomain_of(host: &str) -> String {
    heaven_core::subdomain_of(&heaven_core::normalize_host(host)).to_owned()
}

/// The parsed shape of a route pattern: `(segments, hints, canonical)`.
/// Segments are `("literal", text)`, `("param", name, type)` or
/// `("wildcard",)`; hints are `(name, type)`. Raises `UrlError`.
#[pyfunction]
fn pattern_parts<'py>(py: Python<'py>, pattern: &str) -> PyResult<Bound<'py, PyTuple>> {
    let parsed = heaven_core::Pattern::parse(pattern).map_err(|e| errors::route_error(py, e))?;
    let segments = PyList::empty(py);
    for segment in &parsed.segments {
        let item = match segment {
            heaven_core::Segment::Literal(text) => {
                ("literal", &**text).into_pyobject(py)?.into_any()
            }
            heaven_core::Segment::Param { name, kind } => ("param", &**name, kind.name())
                .into_pyobject(py)?
                .into_any(),
            heaven_core::Segment::Wildcard => ("wildcard",).into_pyobject(py)?.into_any(),
        };
        segments.append(item)?;
    }
    let hints: Vec<(&str, &str)> = parsed.hints.iter().map(|(n, k)| (&**n, k.name())).collect();
    (segments, hints, parsed.canonical()).into_pyobject(py)
}

/// Whether `value` converts to the parameter type named `kind`.
#[pyfunction]
fn accepts(kind: &str, value: &str) -> PyResult<bool> {
    match heaven_core::ParamType::from_name(kind) {
        Some(t) => Ok(t.accepts(value)),
        None => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "unknown parameter type {kind:?}"
        ))),
    }
}

/// `value` converted as a `:name:kind` route segment converts it (the
/// same reading as Python's `int`, `float`, `date.fromisoformat`, ...).
/// Raises ValueError when it does not convert, or for an unknown kind.
#[pyfunction]
fn convert<'py>(py: Python<'py>, kind: &str, value: &str) -> PyResult<Bound<'py, PyAny>> {
    let Some(t) = heaven_core::ParamType::from_name(kind) else {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "unknown parameter type {kind:?}"
        )));
    };
    match t.convert(value) {
        Some(converted) => values::to_python(py, &converted),
        None => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{value:?} is not a valid {}",
            t.name()
        ))),
    }
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<matcher::Routes>()?;
    m.add_class::<matcher::Matcher>()?;
    m.add_class::<head::Head>()?;
    m.add_class::<exchange::Exchange>()?;
    m.add_class::<multidict::MultiDict>()?;
    m.add_function(wrap_pyfunction!(answer::asgi_whole, m)?)?;
    m.add_function(wrap_pyfunction!(answer::rsgi_whole, m)?)?;
    m.add_function(wrap_pyfunction!(prebuilt::servers_own_py, m)?)?;
    m.add_function(wrap_pyfunction!(prebuilt::body_py, m)?)?;
    m.add_function(wrap_pyfunction!(put_header::put_header, m)?)?;
    m.add_function(wrap_pyfunction!(put_header::header_names, m)?)?;
    m.add_function(wrap_pyfunction!(parse_query, m)?)?;
    m.add_function(wrap_pyfunction!(subdomain_of, m)?)?;
    m.add_function(wrap_pyfunction!(pattern_parts, m)?)?;
    m.add_function(wrap_pyfunction!(accepts, m)?)?;
    m.add_function(wrap_pyfunction!(convert, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
