//! ASGI start messages made once, for granian's own `send`.
//!
//! The usual answer (status 200, no header but the Content-Type heaven
//! sets, a small body) has one of a few thousand possible start messages.
//! A bare ASGI app keeps its messages prebuilt; heaven can too, but only
//! where nobody could change a message after it is sent: granian's own
//! `send` reads the message into its own types and keeps nothing, whereas
//! a `send` wrapped by ASGI middleware may edit `message["headers"]` in
//! place (Starlette's `MutableHeaders(scope=message)` does), which would
//! change every later answer. So a prebuilt message goes only to the
//! server's own `send`, recognised by its type; any other `send` gets a
//! new message, as before.

use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};

/// The type of the object granian's ASGI `send` is a method of, once seen
/// (a strong reference, kept for the process: the type lives as long).
static SERVER_SEND_OWNER: AtomicPtr<ffi::PyObject> = AtomicPtr::new(std::ptr::null_mut());
/// The module and name of that type in granian 2.x.
const OWNER: (&str, &str) = ("granian._granian", "ASGIHTTPProtocol");

/// Whether `send` is granian's own ASGI `send`: a method of the protocol
/// object granian made for this request.
pub fn servers_own(send: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `send` is a live reference; `PyCFunction_GetSelf` is called
    // only on a builtin function or method and returns a borrowed
    // reference (or null); the type pointer is read from a live object.
    let owner_type = unsafe {
        // Exactly a builtin method, as granian's is: one pointer compare
        // for the usual other `send`, a Python function.
        if ffi::Py_TYPE(send.as_ptr()) != &raw mut ffi::PyCFunction_Type {
            return false;
        }
        let owner = ffi::PyCFunction_GetSelf(send.as_ptr());
        if owner.is_null() {
            return false;
        }
        ffi::Py_TYPE(owner).cast::<ffi::PyObject>()
    };
    let known = SERVER_SEND_OWNER.load(Ordering::Relaxed);
    if !known.is_null() {
        return known == owner_type;
    }
    // SAFETY: the type is live (its instance is); borrowed for the check.
    let kind = unsafe { Bound::<PyAny>::from_borrowed_ptr(send.py(), owner_type) };
    let Ok(kind) = kind.cast_into::<PyType>() else {
        return false;
    };
    let named = |attr| kind.getattr(attr).and_then(|v| v.extract::<String>());
    let is_granians = matches!(
        (named(intern!(send.py(), "__module__")), named(intern!(send.py(), "__name__"))),
        (Ok(module), Ok(name)) if (module.as_str(), name.as_str()) == OWNER
    );
    if is_granians {
        // The reference stored is the one `into_ptr` hands over: never released.
        SERVER_SEND_OWNER.store(kind.unbind().into_ptr(), Ordering::Relaxed);
    }
    is_granians
}

/// `servers_own`, for the tests that check granian's `send` is recognised.
#[pyfunction]
#[pyo3(name = "_servers_own")]
pub fn servers_own_py(send: &Bound<'_, PyAny>) -> bool {
    servers_own(send)
}

/// Prebuilt start messages, by slot (the caller numbers its shapes of
/// answer), each made on first use.
static STARTS: PyOnceLock<Py<PyList>> = PyOnceLock::new();

/// The prebuilt start message of a 200 answer in `slot` (of `slots`), to
/// pass only to the server's own `send` (`servers_own`). `headers` makes
/// the header pairs of a message not built yet.
pub fn start<'py>(
    py: Python<'py>,
    slot: usize,
    slots: usize,
    headers: impl FnOnce() -> PyResult<Bound<'py, PyList>>,
) -> PyResult<Bound<'py, PyAny>> {
    let starts = STARTS.get_or_try_init(py, || {
        PyList::new(py, (0..slots).map(|_| py.None())).map(Bound::unbind)
    })?;
    let starts = starts.bind(py);
    let made = starts.get_item(slot)?;
    if !made.is_none() {
        return Ok(made);
    }
    let message = PyDict::new(py);
    message.set_item(intern!(py, "type"), intern!(py, "http.response.start"))?;
    message.set_item(intern!(py, "status"), 200)?;
    message.set_item(intern!(py, "headers"), headers()?)?;
    starts.set_item(slot, &message)?;
    Ok(message.into_any())
}

/// The one body message kept for reuse (see `body`).
static BODY: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// A body message carrying `payload`, for the server's own `send` only, and
/// only for a small payload (a message reused holds its last body until
/// the next answer). The kept message is reused when nothing else holds
/// it: its reference count says whether an answer still in flight (its
/// messages made, not yet sent) has it, and then a new message is made, so
/// no answer's body is ever replaced before it is sent. granian reads the
/// body out of the message when `send` is called and keeps no reference.
pub fn body<'py>(py: Python<'py>, payload: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let kept = BODY.get_or_try_init(py, || new_body(py, payload).map(Bound::unbind))?;
    let kept = kept.bind(py);
    // SAFETY: reading the reference count of a live object.
    if unsafe { ffi::Py_REFCNT(kept.as_ptr()) } != 1 {
        return Ok(new_body(py, payload)?.into_any());
    }
    kept.set_item(intern!(py, "body"), payload)?;
    Ok(kept.clone().into_any())
}

fn new_body<'py>(py: Python<'py>, payload: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let message = PyDict::new(py);
    message.set_item(intern!(py, "type"), intern!(py, "http.response.body"))?;
    message.set_item(intern!(py, "body"), payload)?;
    Ok(message)
}

/// `body`, for the tests that check a message in flight is never reused.
#[pyfunction]
#[pyo3(name = "_body_message")]
pub fn body_py<'py>(py: Python<'py>, payload: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    body(py, payload)
}
