//! Tuples made straight from their items.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// A tuple of `N` items, each reference handed to the tuple: pyo3's
/// `PyTuple::new` goes through an iterator and its length checks, which
/// cost more than the tuple on a per-request call.
pub fn pack<'py, const N: usize>(
    py: Python<'py>,
    items: [Bound<'py, PyAny>; N],
) -> PyResult<Bound<'py, PyTuple>> {
    // SAFETY: a new tuple of N slots, each filled once with a reference it
    // steals (`into_ptr`); on failure to allocate, the error is fetched and
    // the items are released by their drop.
    unsafe {
        let tuple = ffi::PyTuple_New(N as ffi::Py_ssize_t);
        let tuple = Bound::from_owned_ptr_or_err(py, tuple)?;
        for (i, item) in items.into_iter().enumerate() {
            ffi::PyTuple_SetItem(tuple.as_ptr(), i as ffi::Py_ssize_t, item.into_ptr());
        }
        Ok(tuple.cast_into_unchecked())
    }
}
