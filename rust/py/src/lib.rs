//! `heaven._core`: the native half of heaven. It converts at the edge and
//! nothing else; the routing itself lives in `heaven-core`.

use pyo3::prelude::*;

mod errors;
mod head;
mod matcher;
mod multidict;
mod scope;
mod values;

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

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<matcher::Routes>()?;
    m.add_class::<matcher::Matcher>()?;
    m.add_class::<head::Head>()?;
    m.add_class::<multidict::MultiDict>()?;
    m.add_function(wrap_pyfunction!(parse_query, m)?)?;
    m.add_function(wrap_pyfunction!(subdomain_of, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
