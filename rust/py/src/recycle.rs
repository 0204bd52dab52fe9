//! The request, response and context of the last exchange, reused by
//! the next one.
//!
//! Allocating the three and freeing them again is over a tenth of
//! heaven's own work on a plain request (CPython's generic `tp_alloc` and
//! `subtype_dealloc`: zeroing, GC links, walking the slots, the
//! trashcan). So `Exchange.make` keeps the three it made, and the next
//! request takes each back, emptied, instead of a new one, when nothing
//! else can see it: the kept reference is the object's only one (its
//! reference count says so; these classes take no weak references), and
//! a context's `__dict__` is its own too. One someone still holds (a
//! request in flight, a handler that kept `req` or `ctx`, a probe) is let
//! go, to be freed as usual, and never touched again by heaven.
//!
//! Emptying a kept object does what its deallocation would: every slot is
//! cleared (set to NULL first, then released, so the object is whole at
//! every step), or replaced by `make` when it is about to write it anyway,
//! and a request's `Head` is replaced by the new one, the old dropped
//! after. What the last exchange held (its body, its scope) is
//! so released when the next request starts, not when the last one ends:
//! one exchange's worth, never more.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::exchange::slot_at;

/// The last exchange's three objects, and those emptied for the next `make`.
#[derive(Default)]
struct Kept {
    last: Option<[Py<PyAny>; 3]>,
    response: Option<Py<PyAny>>,
    context: Option<Py<PyAny>>,
}

/// Where a kept object's slots are, by what emptying it clears.
pub struct Slots {
    /// Every object slot.
    pub all: Vec<isize>,
    /// The slots `Exchange.make` does not write (it replaces the others).
    pub unmade: Vec<isize>,
}

/// The three classes' slots (None: the class keeps state elsewhere too,
/// and its objects are never reused).
pub struct Layouts {
    pub request: Option<Slots>,
    pub response: Option<Slots>,
    pub context: Option<Slots>,
    /// Where a `Response` keeps `_req` (cleared at once: see `request`).
    pub response_req: isize,
}

pub struct Recycler {
    layouts: Layouts,
    kept: Mutex<Kept>,
    /// Requests given back reused (for the tests that check it happens).
    reused: AtomicU64,
}

impl Recycler {
    pub fn new(layouts: Layouts) -> Recycler {
        Recycler {
            layouts,
            kept: Mutex::new(Kept::default()),
            reused: AtomicU64::new(0),
        }
    }

    /// The last exchange's request, emptied, when nothing else holds it; its
    /// response and context, emptied, are kept for `response` and
    /// `context`. None: make a new one. With `made` (the caller passes the
    /// request to `Exchange.make` at once), the slots `make` writes are
    /// left for it to replace: most hold the same value again, which it
    /// then keeps rather than releasing and taking again. A response's
    /// slots are always left so (only `make` takes it), but for `_req`; a
    /// context's are all cleared: each object's count is then its own.
    pub fn request<'py>(&self, py: Python<'py>, made: bool) -> Option<Bound<'py, PyAny>> {
        // `try_lock`: releasing objects below runs arbitrary code (a body's
        // finaliser), which may start an exchange of its own.
        let [req, res, ctx] = self.kept.try_lock().ok()?.last.take()?;
        let (req, res, ctx) = (req.into_bound(py), res.into_bound(py), ctx.into_bound(py));
        let layouts = &self.layouts;
        // The context first (it holds the other two), then the response (it
        // holds the request): a released one lets the next be alone.
        let ctx = match &layouts.context {
            Some(slots) if alone(&ctx) && emptied_dict(&ctx) => {
                clear(&ctx, &slots.all);
                Some(ctx.unbind())
            }
            _ => None, // released here
        };
        let res = match &layouts.response {
            Some(slots) if alone(&res) => {
                clear(&res, &slots.unmade);
                clear(&res, &[layouts.response_req]);
                Some(res.unbind())
            }
            _ => None,
        };
        if res.is_some() || ctx.is_some() {
            // Any spares these replace are released outside the lock.
            let _previous = match self.kept.try_lock() {
                Ok(mut kept) => [
                    std::mem::replace(&mut kept.response, res),
                    std::mem::replace(&mut kept.context, ctx),
                ],
                Err(_) => [res, ctx],
            };
        }
        let slots = layouts.request.as_ref()?;
        if !alone(&req) {
            return None;
        }
        clear(&req, if made { &slots.unmade } else { &slots.all });
        // Not an atomic add (a locked instruction on every request): the
        // GIL serialises every call here.
        let reused = self.reused.load(Ordering::Relaxed);
        self.reused.store(reused + 1, Ordering::Relaxed);
        Some(req)
    }

    /// The emptied response and context `request` kept, if any, for `make`.
    pub fn spares<'py>(&self, py: Python<'py>) -> [Option<Bound<'py, PyAny>>; 2] {
        let Ok(mut kept) = self.kept.try_lock() else {
            return [None, None];
        };
        [kept.response.take(), kept.context.take()].map(|o| o.map(|o| o.into_bound(py)))
    }

    /// Keep the three just made, for the next request.
    pub fn keep(&self, made: [&Bound<'_, PyAny>; 3]) {
        if self.layouts.request.is_none() {
            return;
        }
        let previous = match self.kept.try_lock() {
            Ok(mut kept) => kept.last.replace(made.map(|o| o.clone().unbind())),
            Err(_) => None,
        };
        drop(previous); // released outside the lock
    }

    pub fn reused(&self) -> u64 {
        self.reused.load(Ordering::Relaxed)
    }
}

/// Whether a context's `__dict__` (its keys: `ctx.user`) is its own and is
/// now empty: one nobody else holds is emptied. The dict is made, if the
/// context never had one, and stays for the next request's keys.
fn emptied_dict(ctx: &Bound<'_, PyAny>) -> bool {
    let py = ctx.py();
    // SAFETY: `ctx` is live; `PyObject_GenericGetDict` returns a new
    // reference, or NULL with an exception set.
    let dict = unsafe { ffi::PyObject_GenericGetDict(ctx.as_ptr(), std::ptr::null_mut()) };
    // SAFETY: as above.
    let Ok(dict) = (unsafe { Bound::from_owned_ptr_or_err(py, dict) }) else {
        return false; // the error is dropped: the context is just not reused
    };
    let Ok(dict) = dict.cast_into_exact::<PyDict>() else {
        return false;
    };
    // The context's reference and ours: nobody kept `vars(ctx)`.
    // SAFETY: reading the reference count of a live object.
    if unsafe { ffi::Py_REFCNT(dict.as_ptr()) } != 2 {
        return false;
    }
    if !dict.is_empty() {
        dict.clear();
    }
    true
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
            let value = std::ptr::replace(slot_at(object, at), std::ptr::null_mut());
            if !value.is_null() {
                ffi::Py_DECREF(value);
            }
        }
    }
}
