//! The request and response of the last exchange, reused by the next one.
//!
//! Allocating a `Request` and a `Response` and freeing them again is
//! about a tenth of heaven's own work on a plain request (CPython's
//! generic `tp_alloc` and `subtype_dealloc`: zeroing, GC links, walking
//! the slots, the trashcan). So `Exchange.make` keeps the pair it made,
//! and the next request takes it back, emptied, instead of a new pair,
//! when nothing else can see it: the kept reference is the object's only
//! one (its reference count says so; these classes take no weak
//! references). A pair someone still holds (a request in flight, a
//! handler that kept `req`, a probe) is let go, to be freed as usual, and
//! never touched again by heaven.
//!
//! Emptying a kept object does what its deallocation would: every slot is
//! cleared (set to NULL first, then released, so the object is whole at
//! every step), or replaced by `make` when it is about to write it anyway,
//! and a request's `Head` is replaced by the new one, the old dropped
//! after. What the last exchange held (its body, its scope) is
//! so released when the next request starts, not when the last one ends:
//! one pair's worth, never more.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use pyo3::ffi;
use pyo3::prelude::*;

/// The last exchange's pair, and a response emptied for the next `make`.
#[derive(Default)]
struct Kept {
    last: Option<(Py<PyAny>, Py<PyAny>)>,
    spare: Option<Py<PyAny>>,
}

/// Where a kept object's slots are, by what emptying it clears.
pub struct Slots {
    /// Every object slot.
    pub all: Vec<isize>,
    /// The slots `Exchange.make` does not write (it replaces the others).
    pub unmade: Vec<isize>,
}

pub struct Recycler {
    /// A `Request`'s and a `Response`'s slots (None: the class keeps state
    /// elsewhere too, and its objects are never reused).
    request_slots: Option<Slots>,
    response_slots: Option<Slots>,
    /// Where a `Response` keeps `_req` (cleared at once: see `request`).
    response_req: isize,
    kept: Mutex<Kept>,
    /// Requests given back reused (for the tests that check it happens).
    reused: AtomicU64,
}

impl Recycler {
    pub fn new(
        request_slots: Option<Slots>,
        response_slots: Option<Slots>,
        response_req: isize,
    ) -> Recycler {
        Recycler {
            request_slots,
            response_slots,
            response_req,
            kept: Mutex::new(Kept::default()),
            reused: AtomicU64::new(0),
        }
    }

    /// The last exchange's request, emptied, when nothing else holds it; its
    /// response, emptied, is kept for `response`. None: make a new one.
    /// With `made` (the caller passes the request to `Exchange.make` at
    /// once), the slots `make` writes are left for it to replace: most hold
    /// the same value again, which it then keeps rather than releasing and
    /// taking again. A response's slots are always left so (only `make`
    /// takes it), but for `_req`, cleared so the request's count is its own.
    pub fn request<'py>(&self, py: Python<'py>, made: bool) -> Option<Bound<'py, PyAny>> {
        // `try_lock`: releasing objects below runs arbitrary code (a body's
        // finaliser), which may start an exchange of its own.
        let (req, res) = self.kept.try_lock().ok()?.last.take()?;
        let (req, res) = (req.into_bound(py), res.into_bound(py));
        if let Some(slots) = &self.response_slots {
            if alone(&res) {
                clear(&res, &slots.unmade);
                clear(&res, &[self.response_req]);
                let previous = self
                    .kept
                    .try_lock()
                    .ok()
                    .and_then(|mut k| k.spare.replace(res.unbind()));
                drop(previous);
            }
        }
        let slots = self.request_slots.as_ref()?;
        if !alone(&req) {
            return None;
        }
        clear(&req, if made { &slots.unmade } else { &slots.all });
        self.reused.fetch_add(1, Ordering::Relaxed);
        Some(req)
    }

    /// An emptied response, if `request` kept one.
    pub fn response<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        let spare = self.kept.try_lock().ok()?.spare.take()?;
        Some(spare.into_bound(py))
    }

    /// Keep the pair just made, for the next request.
    pub fn keep(&self, req: &Bound<'_, PyAny>, res: &Bound<'_, PyAny>) {
        if self.request_slots.is_none() && self.response_slots.is_none() {
            return;
        }
        let previous = match self.kept.try_lock() {
            Ok(mut kept) => kept
                .last
                .replace((req.clone().unbind(), res.clone().unbind())),
            Err(_) => None,
        };
        drop(previous); // released outside the lock
    }

    pub fn reused(&self) -> u64 {
        self.reused.load(Ordering::Relaxed)
    }
}

/// Whether the caller's reference is the object's only one.
fn alone(object: &Bound<'_, PyAny>) -> bool {
    // SAFETY: reading the reference count of a live object.
    unsafe { ffi::Py_REFCNT(object.as_ptr()) == 1 }
}

/// Clear every slot at `slots` (each checked to be an object slot of the
/// object's class when the `Exchange` was made), as deallocation would.
fn clear(object: &Bound<'_, PyAny>, slots: &[isize]) {
    for &at in slots {
        // SAFETY: `at` is an object slot inside `object` (see above); it
        // holds NULL or a strong reference, which is taken out before it is
        // released, so the object never points at a freed value.
        unsafe {
            let slot = object
                .as_ptr()
                .cast::<u8>()
                .offset(at)
                .cast::<*mut ffi::PyObject>();
            let value = std::ptr::replace(slot, std::ptr::null_mut());
            if !value.is_null() {
                ffi::Py_DECREF(value);
            }
        }
    }
}
