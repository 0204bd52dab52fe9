//! The request, response and context of one exchange, made in one call.
//!
//! `Request`, `Response` and `Context` are Python classes with `__slots__`.
//! Making them from Python cost ~6,400 instructions a request with their
//! release (three `object.__new__` calls, 22 slot stores, the frame of the
//! function doing it): about a quarter of heaven's own work on a plain
//! request. Here each is allocated by its type's own `tp_alloc`, as
//! `object.__new__` does, and its slots are written where the type keeps
//! them: the offsets CPython gives every `__slots__` entry (the type's
//! `PyMemberDef` table, read once, when the `Exchange` is made).
//!
//! Soundness rests on what is checked then: every slot written is an
//! object slot (`Py_T_OBJECT_EX`, the kind `__slots__` makes) that is
//! writable, of the class itself, inside its instances' size. A fresh
//! instance has every slot NULL, so a write stores a new reference and
//! releases nothing. `tests/serving/test_exchange.py` checks that the
//! result equals what the classes' constructors make, slot by slot.

use std::ffi::CStr;
use std::os::raw::c_int;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple, PyType};

use crate::answer::{asgi_messages, rsgi_whole};
use crate::call::call1;
use crate::head::Head;
use crate::recycle::{Layouts, Recycler, Slots};
use heaven_core::Method;

const REQUEST: [&str; 10] = [
    "_body",
    "_reader",
    "_server",
    "app",
    "mounted",
    "_json",
    "_data",
    "_streamed",
    "_drained",
    "_form",
];
const RESPONSE: [&str; 9] = [
    "status",
    "body",
    "_headers",
    "_typed",
    "_aborted",
    "_deferred",
    "app",
    "_req",
    "_ctx",
];
const CONTEXT: [&str; 2] = ["_req", "_res"];

/// Makes `(req, res, ctx)` for the lifecycle: see the module's comment.
#[pyclass(frozen, module = "heaven._core")]
pub struct Exchange {
    request: Py<PyType>,
    response: Py<PyType>,
    context: Py<PyType>,
    unread: Py<PyAny>,
    /// The Content-Type a str body gets when none was set (`response.TEXT`).
    text: Py<PyBytes>,
    /// The Content-Type of a dict or list body (`response.JSON`), and the
    /// encoder `_finish` gives it (`response.json_encode`).
    json: Py<PyBytes>,
    json_encode: Py<PyAny>,
    /// Where a `Request` keeps its `Head` (the native part it inherits).
    head_at: isize,
    req: [isize; 10],
    res: [isize; 9],
    ctx: [isize; 2],
    /// The three classes' `tp_alloc`, read once (a slot read a request was
    /// three C calls).
    allocs: [ffi::allocfunc; 3],
    /// The last exchange's request, response and context, for the next (see `recycle`).
    recycler: Recycler,
}

#[pymethods]
impl Exchange {
    /// `Exchange(Request, Response, Context, UNREAD, TEXT, JSON,
    /// json_encode)`. Raises
    /// TypeError when a class lacks one of the slots it must have, or has it
    /// in another form than `__slots__` gives.
    #[new]
    fn new(
        request: Bound<'_, PyType>,
        response: Bound<'_, PyType>,
        context: Bound<'_, PyType>,
        unread: Py<PyAny>,
        text: Py<PyBytes>,
        json: Py<PyBytes>,
        json_encode: Py<PyAny>,
    ) -> PyResult<Self> {
        Ok(Self {
            allocs: [
                allocator(&request)?,
                allocator(&response)?,
                allocator(&context)?,
            ],
            head_at: head_offset(&request)?,
            recycler: {
                let res = offsets(&response, RESPONSE)?;
                Recycler::new(Layouts {
                    request: every_slot(&request, &offsets(&request, REQUEST)?, false)?,
                    response: every_slot(&response, &res, false)?,
                    context: every_slot(&context, &offsets(&context, CONTEXT)?, true)?,
                    response_req: res[7],
                })
            },
            req: offsets(&request, REQUEST)?,
            res: offsets(&response, RESPONSE)?,
            ctx: offsets(&context, CONTEXT)?,
            request: request.unbind(),
            response: response.unbind(),
            context: context.unbind(),
            unread,
            text,
            json,
            json_encode,
        })
    }

    /// The usual response (see `usual`) answered natively, on either
    /// interface: with ASGI's `send`, its two messages `(send, start,
    /// body)`, as `asgi_whole` makes them from `res._finish()`; without one
    /// (`send` None), sent through RSGI's protocol object `proto` as
    /// `rsgi_whole` sends it, and `()`. None for any other response
    /// (nothing is done). A HEAD request (read from `res._req`) gets no body.
    fn answer<'py>(
        &self,
        py: Python<'py>,
        send: &Bound<'py, PyAny>,
        proto: &Bound<'py, PyAny>,
        res: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let Some((status, body, kind, headers)) = self.usual(py, res)? else {
            return Ok(None);
        };
        let head_only = get(res, self.res[7])
            .and_then(|req| req.cast_into::<Head>().ok())
            .is_some_and(|req| req.get().method == Some(Method::Head));
        if send.is_none() {
            rsgi_whole(
                py,
                proto,
                &status,
                &headers,
                &body,
                kind.as_ref(),
                head_only,
            )
        } else {
            asgi_messages(py, send, &status, &headers, &body, kind.as_ref(), head_only)
        }
        .map(Some)
    }

    /// `(req, res, ctx)` as `Request(head, body, reader, app, mounted,
    /// server)`, `Response(app, None, req)` and `Context(req, res)` make
    /// them, with `res._ctx` set to `ctx` (the lifecycle's `release`
    /// breaks that cycle). A head `Matcher.enter` gave, not yet begun, is
    /// itself the request (its slots are filled); any other head is copied
    /// into a new one, as `Request(head, ...)` does.
    #[allow(clippy::too_many_arguments)] // Request's own six, as Python passes them
    fn begin<'py>(
        &self,
        py: Python<'py>,
        head: &Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
        reader: &Bound<'py, PyAny>,
        app: &Bound<'py, PyAny>,
        mounted: &Bound<'py, PyAny>,
        server: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let req = if self.unbegun(py, head) {
            head.clone()
        } else {
            let head = head.cast::<Head>().map_err(|_| {
                PyTypeError::new_err("begin needs a Head (from Matcher.route or Matcher.enter)")
            })?;
            self.request(py, head.get().duplicate(py), true)?
        };
        PyTuple::new(py, self.make(py, req, body, reader, app, mounted, server)?)
    }

    /// How many requests were made from an earlier exchange's, emptied.
    #[getter]
    fn _reused(&self) -> u64 {
        self.recycler.reused()
    }
}

/// A finished response, read from its slots: `(status, body, content_type,
/// headers)`.
type Usual<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Option<Bound<'py, PyBytes>>,
    Bound<'py, PyList>,
);

impl Exchange {
    /// What `res._finish()` gives for the usual response, without its
    /// frame: a `Response` (the class itself, so an override of `_finish`
    /// is never bypassed) with an `int` status from 100 to 599, a `str`,
    /// `bytes`, `dict` or `list` body (the last two JSON-encoded as
    /// `_finish` encodes them, raising as it does), `_typed` a bool, and
    /// its header list. None for any other response, which `_finish`
    /// handles (and raises for when it cannot be sent).
    fn usual<'py>(&self, py: Python<'py>, res: &Bound<'py, PyAny>) -> PyResult<Option<Usual<'py>>> {
        if !res.get_type().is(self.response.bind(py)) {
            return Ok(None);
        }
        let s = &self.res;
        let (Some(status), Some(body), Some(typed), Some(headers)) = (
            get(res, s[0]),
            get(res, s[1]),
            get(res, s[3]),
            get(res, s[2]),
        ) else {
            return Ok(None);
        };
        let (Ok(headers), Ok(typed)) = (headers.cast_into::<PyList>(), typed.cast::<PyBool>())
        else {
            return Ok(None);
        };
        let typed = typed.is_true();
        let valid = status.is_exact_instance_of::<PyInt>()
            && status
                .extract::<i64>()
                .is_ok_and(|n| (100..=599).contains(&n));
        if !valid {
            return Ok(None);
        }
        let (payload, default) = if body.is_exact_instance_of::<PyString>() {
            (body, Some(self.text.bind(py)))
        } else if body.is_exact_instance_of::<PyBytes>() {
            (body, None)
        } else if body.is_exact_instance_of::<PyDict>() || body.is_exact_instance_of::<PyList>() {
            (
                call1(self.json_encode.bind(py), &body)?,
                Some(self.json.bind(py)),
            )
        } else {
            return Ok(None);
        };
        let content_type = default.filter(|_| !typed).cloned();
        Ok(Some((status, payload, content_type, headers)))
    }

    /// A new `Request` whose native part is `head`, its slots unset (not
    /// begun: `make` fills them), or (`made`: the caller passes it to
    /// `make` at once) only the slots `make` does not write.
    pub fn request<'py>(
        &self,
        py: Python<'py>,
        head: Head,
        made: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Some(req) = self.recycler.request(py, made) {
            // SAFETY: `req` is a `Request` (the class itself: only `make`'s
            // objects are kept) whose only reference is ours, its slots
            // emptied, its `Head` live. The new head goes in before the old
            // is dropped, so the object is whole throughout.
            drop(unsafe { std::ptr::replace(self.head_of(&req), head) });
            return Ok(req);
        }
        let req = alloc(self.request.bind(py), self.allocs[0])?;
        // SAFETY: `req` is fresh from the `Request` class's `tp_alloc`,
        // zeroed, so nothing is overwritten. From here `req` owns `head`:
        // its dealloc (pyo3's, inherited) drops it.
        unsafe { self.head_of(&req).write(head) };
        Ok(req)
    }

    /// Where `req` keeps its `Head`.
    ///
    /// # Safety
    ///
    /// `req` must be an instance of the `Request` class itself: `head_at`
    /// is where its instances keep their `Head` (measured and checked by
    /// `head_offset` when this `Exchange` was made).
    unsafe fn head_of(&self, req: &Bound<'_, PyAny>) -> *mut Head {
        req.as_ptr()
            .cast::<u8>()
            .offset(self.head_at)
            .cast::<Head>()
    }

    /// Whether `head` is a `Request` (the class itself) that `make` has not
    /// filled yet: all its slots unset.
    fn unbegun(&self, py: Python<'_>, head: &Bound<'_, PyAny>) -> bool {
        head.get_type().is(self.request.bind(py))
            && self.req.iter().all(|&at| get(head, at).is_none())
    }

    /// What `begin` returns, as an array (`Matcher.enter` puts it in its
    /// own tuple). `req` is a request from `request`, not begun.
    #[allow(clippy::too_many_arguments)]
    pub fn make<'py>(
        &self,
        py: Python<'py>,
        req: Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
        reader: &Bound<'py, PyAny>,
        app: &Bound<'py, PyAny>,
        mounted: &Bound<'py, PyAny>,
        server: &Bound<'py, PyAny>,
    ) -> PyResult<[Bound<'py, PyAny>; 3]> {
        let [res, ctx] = self.recycler.spares(py);
        let res = match res {
            Some(res) => res,
            None => alloc(self.response.bind(py), self.allocs[1])?,
        };
        let ctx = match ctx {
            Some(ctx) => ctx,
            None => alloc(self.context.bind(py), self.allocs[2])?,
        };
        let none = py.None().into_bound(py);
        let no = PyBool::new(py, false).to_owned().into_any();
        let unread = self.unread.bind(py);
        let drained = PyBool::new(py, !body.is_none()).to_owned().into_any();
        let r = &self.req;
        for (at, value) in [
            (r[0], body),
            (r[1], reader),
            (r[2], server),
            (r[3], app),
            (r[4], mounted),
            (r[5], unread),
            (r[6], unread),
            (r[7], &no),
            (r[8], &drained),
            (r[9], &none),
        ] {
            put(&req, at, value);
        }
        let status = 200_u16.into_pyobject(py)?.into_any();
        // A reused response's header list, when empty and its own (the slot's
        // reference and the one `get` took), serves again.
        let headers = match get(&res, self.res[2]) {
            Some(list)
                if list.is_exact_instance_of::<PyList>()
                    && list.len().is_ok_and(|n| n == 0)
                    // SAFETY: reading the reference count of a live object.
                    && unsafe { ffi::Py_REFCNT(list.as_ptr()) } == 2 =>
            {
                list
            }
            _ => PyList::empty(py).into_any(),
        };
        let s = &self.res;
        for (at, value) in [
            (s[0], &status),
            (s[1], &none),
            (s[2], &headers),
            (s[3], &no),
            (s[4], &no),
            (s[5], &none),
            (s[6], app),
            (s[7], &req),
            (s[8], &ctx),
        ] {
            put(&res, at, value);
        }
        put(&ctx, self.ctx[0], &req);
        put(&ctx, self.ctx[1], &res);
        self.recycler.keep([&req, &res, &ctx]);
        Ok([req, res, ctx])
    }
}

/// `cls`'s `tp_alloc`: a function every type has (inherited from `object`
/// for classes), fixed once the class is made.
fn allocator(cls: &Bound<'_, PyType>) -> PyResult<ffi::allocfunc> {
    // SAFETY: `cls` is a live type object; `Py_tp_alloc` is read as the
    // function pointer type CPython declares for it.
    unsafe {
        let alloc = ffi::PyType_GetSlot(cls.as_type_ptr(), ffi::Py_tp_alloc);
        if alloc.is_null() {
            return Err(PyTypeError::new_err("a type without tp_alloc"));
        }
        Ok(std::mem::transmute::<
            *mut std::os::raw::c_void,
            ffi::allocfunc,
        >(alloc))
    }
}

/// A new, empty instance of `cls`, made by `alloc`, its `tp_alloc` (what
/// `object.__new__(cls)` does, without the call through Python).
fn alloc<'py>(cls: &Bound<'py, PyType>, alloc: ffi::allocfunc) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `alloc` is `cls`'s own `tp_alloc` (read by `allocator` when
    // the `Exchange` was made, and `cls` is held by it since); it returns
    // a new reference, or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(cls.py(), alloc(cls.as_type_ptr(), 0)) }
}

/// The value in the object slot at `offset` (None when unset).
fn get<'py>(object: &Bound<'py, PyAny>, offset: isize) -> Option<Bound<'py, PyAny>> {
    // SAFETY: `offset` was checked by `offsets` to be an object slot of the
    // class, inside its instances, and `object` is of that class itself
    // (callers check the type); a slot holds NULL or a strong reference.
    unsafe { Bound::from_borrowed_ptr_or_opt(object.py(), *slot_at(object, offset)) }
}

/// Where `object` keeps the object slot at `offset`.
///
/// # Safety
///
/// `offset` must be an object slot inside `object`, as `offsets` and
/// `every_slot` check for the classes an `Exchange` makes.
pub unsafe fn slot_at(object: &Bound<'_, PyAny>, offset: isize) -> *mut *mut ffi::PyObject {
    object
        .as_ptr()
        .cast::<u8>()
        .offset(offset)
        .cast::<*mut ffi::PyObject>()
}

/// Store a new reference to `value` in the object slot at `offset`, and
/// release what the slot held (nothing, in a new object; a reused one's
/// last value, kept as it is when it is `value` already).
fn put(object: &Bound<'_, PyAny>, offset: isize, value: &Bound<'_, PyAny>) {
    // SAFETY: `offset` was checked by `offsets` to be a writable object slot
    // of `object`'s class, inside its instances; the slot holds NULL or a
    // strong reference, released after the new one is in place.
    unsafe {
        let slot = slot_at(object, offset);
        let old = *slot;
        if old == value.as_ptr() {
            return;
        }
        *slot = value.clone().into_ptr();
        if !old.is_null() {
            ffi::Py_DECREF(old);
        }
    }
}

/// Where instances of `request` (a subclass of `Head`) keep their `Head`.
/// pyo3 lays a class's Rust value out after the object header, and a
/// Python subclass appends its slots after the base's instance size, so
/// the place is the same for `Head` and for `request`. It is measured on a
/// real `Head` made by pyo3, and checked: the value must fill the rest of
/// `Head`'s instance size (no other state of pyo3's there to initialise:
/// the class is frozen, has no dict and no weakref slot), and a `request`
/// instance must be at least that size.
fn head_offset(request: &Bound<'_, PyType>) -> PyResult<isize> {
    let py = request.py();
    let base = py.get_type::<Head>();
    if !request.is_subclass(&base)? {
        return Err(PyTypeError::new_err(
            "the request class must subclass heaven._core.Head",
        ));
    }
    let probe = Bound::new(py, Head::empty(py))?;
    let at = (probe.get() as *const Head as isize) - (probe.as_ptr() as isize);
    let size = std::mem::size_of::<Head>() as isize;
    let head_size: isize = base.getattr("__basicsize__")?.extract()?;
    let request_size: isize = request.getattr("__basicsize__")?.extract()?;
    if at < std::mem::size_of::<ffi::PyObject>() as isize
        || at + size != head_size
        || request_size < head_size
    {
        return Err(PyTypeError::new_err(format!(
            "unexpected Head layout (value at {at}, {size} bytes, instance {head_size}, request {request_size})"
        )));
    }
    Ok(at)
}

/// Every slot of `cls`, and those of them not in `made`, when its
/// instances keep all their own state in object slots of its own
/// `__slots__` (else None: never reused). Checked: no weak references, no
/// `__dict__` (but see `with_dict`), every member an object slot, and the
/// instance exactly its base's size plus those slots.
fn every_slot(cls: &Bound<'_, PyType>, made: &[isize], with_dict: bool) -> PyResult<Option<Slots>> {
    let size: isize = cls.getattr("__basicsize__")?.extract()?;
    let base: isize = cls
        .getattr("__base__")?
        .getattr("__basicsize__")?
        .extract()?;
    let dict: isize = cls.getattr("__dictoffset__")?.extract()?;
    let weak: isize = cls.getattr("__weakrefoffset__")?.extract()?;
    // A `__dict__` CPython keeps outside the instance's size (3.11's managed
    // dict: a negative offset) is allowed where `with_dict` says the
    // recycler empties it; one inside the instance fails the size check.
    if (dict != 0 && !(with_dict && dict < 0)) || weak != 0 {
        return Ok(None);
    }
    let mut slots = Vec::new();
    for member in members(cls) {
        if !member.writable || member.offset < base || member.offset + POINTER > size {
            return Ok(None);
        }
        slots.push(member.offset);
    }
    slots.sort_unstable();
    slots.dedup();
    if base + POINTER * slots.len() as isize != size {
        return Ok(None);
    }
    let unmade = slots
        .iter()
        .copied()
        .filter(|at| !made.contains(at))
        .collect();
    Ok(Some(Slots { all: slots, unmade }))
}

/// One entry of a class's own member table: a `__slots__` entry, as
/// CPython laid it out.
struct Member {
    name: String,
    offset: isize,
    /// An object slot (`Py_T_OBJECT_EX`, the kind `__slots__` makes) that is writable.
    writable: bool,
}

/// `cls`'s own member table.
fn members(cls: &Bound<'_, PyType>) -> Vec<Member> {
    let mut found = Vec::new();
    // SAFETY: `Py_tp_members` of a class made by a `class` statement is its
    // member table (NULL-name terminated), alive as long as the class, which
    // `Exchange` keeps; only entries with a non-NULL name are read.
    unsafe {
        let mut member =
            ffi::PyType_GetSlot(cls.as_type_ptr(), ffi::Py_tp_members) as *const ffi::PyMemberDef;
        while !member.is_null() && !(*member).name.is_null() {
            let def = &*member;
            found.push(Member {
                name: CStr::from_ptr(def.name).to_str().unwrap_or("").to_owned(),
                offset: def.offset,
                writable: def.type_code == ffi::Py_T_OBJECT_EX
                    && def.flags & (ffi::Py_READONLY as c_int) == 0,
            });
            member = member.add(1);
        }
    }
    found
}

const POINTER: isize = std::mem::size_of::<*mut ffi::PyObject>() as isize;

/// Where `cls` keeps each of `names`: its `__slots__` offsets, read from the
/// class's member table.
fn offsets<const N: usize>(cls: &Bound<'_, PyType>, names: [&str; N]) -> PyResult<[isize; N]> {
    let class = cls.qualname()?;
    let size: isize = cls.getattr("__basicsize__")?.extract()?;
    let mut found = [None; N];
    for member in members(cls) {
        if let Some(at) = names.iter().position(|n| *n == member.name) {
            if !member.writable || member.offset < POINTER || member.offset + POINTER > size {
                return Err(PyTypeError::new_err(format!(
                    "{class}.{} is not a writable __slots__ entry",
                    member.name
                )));
            }
            found[at] = Some(member.offset);
        }
    }
    let mut out = [0; N];
    for (at, offset) in found.iter().enumerate() {
        out[at] = offset.ok_or_else(|| {
            PyTypeError::new_err(format!("{class} has no __slots__ entry {:?}", names[at]))
        })?;
    }
    Ok(out)
}
