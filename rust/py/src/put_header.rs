//! `res.header(name, value)`'s usual case, natively: a header name seen
//! before and a printable ASCII value, set on a response that has no
//! header of that name yet. Each call in Python cost about a third of a
//! plain request's own work (~430 ns on the Intel bench VM); hooks that set
//! several headers pay it several times. Anything else (a new name, another value type, a
//! value to check, a header to replace or remove) is left to the Python
//! method, which this never changes the outcome of.

use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::pack::pack;

/// `heaven._http.headers.NAME_CACHE`: the wire forms of the names seen so
/// far. A strong reference, never released: a second registration (the
/// module imported again) replaces it and leaves the first to the process.
static NAMES: AtomicPtr<ffi::PyObject> = AtomicPtr::new(std::ptr::null_mut());

/// What `put_header` did: appended a header (`SET`; `TYPED` when it was the
/// Content-Type), or nothing, for the Python method to do it (`LEFT`).
const LEFT: i8 = -1;
const SET: i8 = 0;
const TYPED: i8 = 1;

/// Register the name cache `put_header` reads (when `heaven.response` loads).
#[pyfunction]
pub fn header_names(names: Bound<'_, PyDict>) {
    NAMES.store(names.unbind().into_ptr(), Ordering::Release);
}

/// Append `(name's wire form, value)` to `headers` when the name is cached,
/// the value a printable ASCII `str` and no header of that name is set
/// (`Set-Cookie` accumulates): 1 for the Content-Type, 0 for any other, -1
/// when left to the caller.
#[pyfunction]
pub fn put_header(
    py: Python<'_>,
    headers: &Bound<'_, PyList>,
    name: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
) -> PyResult<i8> {
    let (Ok(name), Ok(value)) = (
        name.cast_exact::<PyString>(),
        value.cast_exact::<PyString>(),
    ) else {
        return Ok(LEFT);
    };
    let names = NAMES.load(Ordering::Acquire);
    if names.is_null() {
        return Ok(LEFT);
    }
    // SAFETY: a dict `header_names` stored a strong reference to, never released.
    let names =
        unsafe { Bound::<PyAny>::from_borrowed_ptr(py, names).cast_into_unchecked::<PyDict>() };
    let Some(key) = names.get_item(name)? else {
        return Ok(LEFT);
    };
    let Ok(key) = key.cast_into::<PyBytes>() else {
        return Ok(LEFT);
    };
    let Ok(text) = value.to_str() else {
        return Ok(LEFT); // a lone surrogate: the Python method's error to raise
    };
    if !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(LEFT); // CR, LF, NUL and the rest are the Python method's to refuse
    }
    let wire = key.as_bytes();
    if wire != b"set-cookie" {
        for pair in headers.iter() {
            let Ok(pair) = pair.cast_into::<PyTuple>() else {
                return Ok(LEFT);
            };
            let Ok(existing) = pair.get_item(0) else {
                return Ok(LEFT);
            };
            // The cached name is usually the very object set before: its address first.
            let same = std::ptr::eq(existing.as_ptr(), key.as_ptr())
                || existing
                    .cast::<PyBytes>()
                    .is_ok_and(|b| b.as_bytes() == wire);
            if same {
                return Ok(LEFT); // a replacement: the Python method rebuilds the list
            }
        }
    }
    let raw = PyBytes::new(py, text.as_bytes());
    headers.append(pack(py, [key.clone().into_any(), raw.into_any()])?)?;
    Ok(if wire == b"content-type" { TYPED } else { SET })
}
