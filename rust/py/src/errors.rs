//! Core errors into the Python hierarchy of `heaven.errors`.

use heaven_core::RouteError;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// `UrlDuplicateError` for duplicates and conflicts, `UrlError` otherwise;
/// the message names the route.
pub fn route_error(py: Python<'_>, err: RouteError) -> PyErr {
    let name = if err.is_duplicate() {
        "UrlDuplicateError"
    } else if matches!(err, RouteError::BadSubdomain { .. }) {
        "SubdomainError"
    } else {
        "UrlError"
    };
    let message = err.to_string();
    let class = py.import("heaven.errors").and_then(|m| m.getattr(name));
    match class.and_then(|c| c.call1((message.clone(),))) {
        Ok(instance) => PyErr::from_value(instance),
        // heaven.errors should always import; never lose the message if not.
        Err(_) => PyValueError::new_err(message),
    }
}

/// `heaven.errors.BadRequest(message)`: a client error the dispatcher
/// answers with 400.
pub fn bad_request(py: Python<'_>, message: &str) -> PyErr {
    let made = py
        .import("heaven.errors")
        .and_then(|m| m.getattr("BadRequest"))
        .and_then(|c| c.call1((message,)));
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}
