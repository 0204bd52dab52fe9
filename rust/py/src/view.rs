//! `View`: a per-request cache of one Python object (a request's `params`,
//! `headers`, `queries`, `cookies`), built on first read.
//!
//! `std::sync::OnceLock` spent ~75 instructions on its one fill (its
//! `Once` slow path), about as much as building a small dict; pyo3's
//! `PyOnceLock` detaches from the interpreter on every first fill. This
//! cell is one atomic pointer: a read is a load, the fill one
//! compare-and-swap. If two threads race, both build and the first store
//! wins (every copy is equally valid); the loser's object is released.

use std::marker::PhantomData;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::ffi;
use pyo3::prelude::*;

pub struct View<T> {
    /// NULL, or a strong reference this cell owns, to an object of type `T`.
    cell: AtomicPtr<ffi::PyObject>,
    kind: PhantomData<fn() -> T>,
}

impl<T> Default for View<T> {
    fn default() -> Self {
        View {
            cell: AtomicPtr::new(null_mut()),
            kind: PhantomData,
        }
    }
}

impl<T> View<T> {
    /// The object, built by `build` on first use.
    pub fn get_or_build<'py>(
        &self,
        py: Python<'py>,
        build: impl FnOnce() -> PyResult<Py<T>>,
    ) -> PyResult<Bound<'py, T>> {
        let mut held = self.cell.load(Ordering::Acquire);
        if held.is_null() {
            let made = build()?.into_ptr();
            held = match self.cell.compare_exchange(
                null_mut(),
                made,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => made,
                Err(first) => {
                    // SAFETY: `made` is the strong reference `build` gave, not stored.
                    drop(unsafe { Bound::from_owned_ptr(py, made) });
                    first
                }
            };
        }
        // SAFETY: `held` is a live object of type `T` (only `build`'s results
        // are stored), kept alive by the cell for as long as `self` lives.
        Ok(unsafe { Bound::from_borrowed_ptr(py, held).cast_into_unchecked() })
    }

    /// A cell holding the same object (if built), for a copy of the head.
    pub fn clone_ref(&self, _py: Python<'_>) -> View<T> {
        let held = self.cell.load(Ordering::Acquire);
        if !held.is_null() {
            // SAFETY: a live object (see `cell`); the interpreter is attached
            // (`_py`), and the new cell owns the reference taken here.
            unsafe { ffi::Py_IncRef(held) };
        }
        View {
            cell: AtomicPtr::new(held),
            kind: PhantomData,
        }
    }
}

impl<T> Drop for View<T> {
    fn drop(&mut self) {
        let held = *self.cell.get_mut();
        if !held.is_null() {
            // SAFETY: the cell owns this strong reference; it is released once.
            Python::attach(|py| drop(unsafe { Bound::from_owned_ptr(py, held) }));
        }
    }
}
