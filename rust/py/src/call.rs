//! Calls into Python without packing the arguments into a tuple.
//!
//! The extension is built for the stable ABI of Python 3.10, whose limited
//! API has no vectorcall (`PyObject_Vectorcall` joined it in 3.12), so
//! pyo3's `call1` and `call_method1` build an argument tuple, and the
//! method call a bound method object, on every call. The limited API's
//! variadic calls reach the callee's vectorcall with the arguments on the
//! C stack instead (CPython's `object_vacall`), and the method form looks
//! the method up unbound: two allocations fewer on a per-request call.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// `callable(arg)`.
pub fn call1<'py>(
    callable: &Bound<'py, PyAny>,
    arg: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = callable.py();
    // SAFETY: both pointers are live references held by the caller; the
    // argument list ends with the null pointer the variadic call expects;
    // the result is a new reference or null with an exception set.
    unsafe {
        let out = ffi::PyObject_CallFunctionObjArgs(
            callable.as_ptr(),
            arg.as_ptr(),
            std::ptr::null_mut::<ffi::PyObject>(),
        );
        Bound::from_owned_ptr_or_err(py, out)
    }
}

/// `obj.name(*args)`, for two or three arguments.
pub fn call_method<'py>(
    obj: &Bound<'py, PyAny>,
    name: &Bound<'py, PyString>,
    args: &[&Bound<'py, PyAny>],
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    let end = std::ptr::null_mut::<ffi::PyObject>();
    // SAFETY: as in `call1`: live references, a null-terminated list, and
    // the result checked for null.
    unsafe {
        let out = match args {
            [a, b] => ffi::PyObject_CallMethodObjArgs(
                obj.as_ptr(),
                name.as_ptr(),
                a.as_ptr(),
                b.as_ptr(),
                end,
            ),
            [a, b, c] => ffi::PyObject_CallMethodObjArgs(
                obj.as_ptr(),
                name.as_ptr(),
                a.as_ptr(),
                b.as_ptr(),
                c.as_ptr(),
                end,
            ),
            _ => {
                return Err(pyo3::exceptions::PySystemError::new_err(
                    "call_method takes two or three arguments",
                ))
            }
        };
        Bound::from_owned_ptr_or_err(py, out)
    }
}
