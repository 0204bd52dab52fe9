//! One HTTP request's usual course, driven natively.
//!
//! `App.__call__` and `App.__rsgi__` return a `Flow`: an awaitable that
//! routes the request, calls its handler, sends the answer and ends the
//! request, with no coroutine of heaven's between the server and the
//! handler. In Python that course was a coroutine of its own (its frame,
//! its creation and release, ~60 bytecodes of branching): about a quarter
//! of heaven's own work on a plain request.
//!
//! The usual course is a matched route with nothing to read first, no CORS
//! and no sessions, and a handler with no hooks of any kind (`ep.direct`,
//! or `ep.plain`: a contract's check, then the handler). Everything else
//! is the Python lifecycle's, unchanged: the flow hands it over at the
//! point where it stops being usual (`serve_python` before the handler,
//! `finish` after it: a failure, an answer `res._finish()` must make) and
//! then awaits that coroutine for its caller, as `await` would.
//!
//! A flow is a coroutine to its caller: `send`, `throw`, `close` and
//! `__await__`, with `yield from`'s rules for what it awaits (values
//! yielded pass out unchanged, what is sent or thrown in goes to what is
//! awaited). Its `finally` (`res._ctx = None`, then `release` when there
//! is more to release) runs however the request ends, as the Python
//! lifecycle's does, and on `close()`. It does not run when a flow is
//! dropped without being closed (a Python coroutine's finalizer would
//! close it); asyncio and granian always finish or cancel what they await.

use pyo3::exceptions::{
    PyBaseException, PyException, PyRuntimeError, PyStopIteration, PyTypeError,
};
use pyo3::ffi;
use pyo3::gc::PyVisit;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};
use pyo3::PyTraverseError;

use crate::call::{call1, call3};
use crate::exchange::Exchange;
use crate::matcher::Matcher;

/// What the lifecycle gives its flows, once: its coroutines for the other
/// courses, the pieces of its `finally`, and the exchange.
#[pyclass(frozen, module = "heaven._core")]
pub struct Lifecycle {
    /// `serve_python(app, scope, inbound, send, entered)`: any request,
    /// from the start (`entered` None) or after `Matcher.enter`.
    general: Py<PyAny>,
    /// `finish(app, scope, inbound, send, head, ep, req, res, ctx,
    /// messages, failure, hooked, cors)`: the rest of a request whose
    /// handler has run (or failed), with its `finally`.
    finish: Py<PyAny>,
    run_deferred: Py<PyAny>,
    release: Py<PyAny>,
    exchange: Py<Exchange>,
    isawaitable: Py<PyAny>,
    coroutine: Py<PyType>,
    generator: Py<PyType>,
}

#[pymethods]
impl Lifecycle {
    #[new]
    fn new(
        py: Python<'_>,
        general: Py<PyAny>,
        finish: Py<PyAny>,
        run_deferred: Py<PyAny>,
        release: Py<PyAny>,
        exchange: Py<Exchange>,
        isawaitable: Py<PyAny>,
    ) -> PyResult<Self> {
        let types = py.import("types")?;
        Ok(Self {
            general,
            finish,
            run_deferred,
            release,
            exchange,
            isawaitable,
            coroutine: types
                .getattr("CoroutineType")?
                .cast_into::<PyType>()?
                .unbind(),
            generator: types
                .getattr("GeneratorType")?
                .cast_into::<PyType>()?
                .unbind(),
        })
    }

    /// The flow of one call: `(app, scope, receive, send)` on ASGI,
    /// `(app, scope, proto)` on RSGI (no `send`). Nothing runs until it is
    /// awaited.
    #[pyo3(signature = (app, scope, inbound, send=None))]
    fn flow(
        slf: &Bound<'_, Self>,
        app: Py<PyAny>,
        scope: Py<PyAny>,
        inbound: Py<PyAny>,
        send: Option<Py<PyAny>>,
    ) -> Flow {
        let py = slf.py();
        Flow {
            life: slf.clone().unbind(),
            app,
            scope,
            inbound,
            send: send.unwrap_or_else(|| py.None()),
            state: State::Start,
        }
    }
}

/// A request's five values from `Matcher.enter`.
struct Begun {
    head: Py<PyAny>,
    ep: Py<PyAny>,
    req: Py<PyAny>,
    res: Py<PyAny>,
    ctx: Py<PyAny>,
}

impl Begun {
    fn visit(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        for one in [&self.head, &self.ep, &self.req, &self.res, &self.ctx] {
            visit.call(one)?;
        }
        Ok(())
    }
}

/// What comes after the awaited object returns.
enum Then {
    /// It was the handler: its result is the answer's.
    Handler(Begun),
    /// It was a `send` of an ASGI message; the second is still to send.
    Post(Begun, Option<(Py<PyAny>, Py<PyAny>)>),
    /// It was the deferred work: the request ends.
    Deferred(Begun),
    /// It was the Python lifecycle's coroutine, which ends the request itself.
    Delegated,
}

enum State {
    Start,
    Awaiting(Py<PyAny>, Then),
    Done,
}

/// What is passed into the flow: a value sent, or an exception thrown.
enum Input<'py> {
    Send(Bound<'py, PyAny>),
    Throw(PyErr),
}

/// What a route's handler gave: something to await, or its result.
enum Called<'py> {
    Await(Bound<'py, PyAny>),
    Value(Bound<'py, PyAny>),
}

/// What the awaited object did with it.
enum Step<'py> {
    Yield(Bound<'py, PyAny>),
    Return(Bound<'py, PyAny>),
}

#[pyclass(module = "heaven._core")]
pub struct Flow {
    life: Py<Lifecycle>,
    app: Py<PyAny>,
    scope: Py<PyAny>,
    inbound: Py<PyAny>,
    /// None on RSGI.
    send: Py<PyAny>,
    state: State,
}

#[pymethods]
impl Flow {
    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let none = py.None().into_bound(py);
        Ok(self.step(py, Input::Send(none))?.map(Bound::unbind))
    }

    fn send(&mut self, py: Python<'_>, value: Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        match self.step(py, Input::Send(value))? {
            Some(value) => Ok(value.unbind()),
            None => Err(PyStopIteration::new_err(())),
        }
    }

    /// `throw(exc)`, or the older `throw(type, value, traceback)`.
    #[pyo3(signature = (kind, value=None, traceback=None))]
    fn throw(
        &mut self,
        py: Python<'_>,
        kind: Bound<'_, PyAny>,
        value: Option<Bound<'_, PyAny>>,
        traceback: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let err = thrown(py, kind, value, traceback)?;
        match self.step(py, Input::Throw(err))? {
            Some(value) => Ok(value.unbind()),
            None => Err(PyStopIteration::new_err(())),
        }
    }

    /// Close what is awaited, then end the request (the `finally`).
    fn close(&mut self, py: Python<'_>) -> PyResult<()> {
        let State::Awaiting(sub, then) = std::mem::replace(&mut self.state, State::Done) else {
            return Ok(());
        };
        let sub = sub.bind(py);
        let closed = match sub.getattr(intern!(py, "close")) {
            Ok(close) => close.call0().map(drop),
            Err(_) => Ok(()),
        };
        match then {
            Then::Handler(begun) | Then::Post(begun, _) | Then::Deferred(begun) => {
                self.end(py, &begun)?
            }
            Then::Delegated => {}
        }
        closed
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.life)?;
        visit.call(&self.app)?;
        visit.call(&self.scope)?;
        visit.call(&self.inbound)?;
        visit.call(&self.send)?;
        if let State::Awaiting(sub, then) = &self.state {
            visit.call(sub)?;
            match then {
                Then::Handler(begun) | Then::Deferred(begun) => begun.visit(&visit)?,
                Then::Post(begun, next) => {
                    begun.visit(&visit)?;
                    if let Some((post, message)) = next {
                        visit.call(post)?;
                        visit.call(message)?;
                    }
                }
                Then::Delegated => {}
            }
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.state = State::Done;
    }
}

impl Flow {
    /// Run until something awaited yields (its value is returned) or the
    /// request is over (None).
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        mut input: Input<'py>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => {
                    return Err(PyRuntimeError::new_err(
                        "cannot reuse already awaited coroutine",
                    ))
                }
                State::Start => {
                    if let Input::Throw(err) = input {
                        return Err(err); // thrown in before it started: nothing ran
                    }
                    self.state = self.start(py)?;
                }
                State::Awaiting(sub, then) => {
                    let outcome = drive(sub.bind(py), input);
                    self.state = match outcome {
                        Ok(Step::Yield(value)) => {
                            self.state = State::Awaiting(sub, then);
                            return Ok(Some(value));
                        }
                        Ok(Step::Return(value)) => self.after(py, then, Ok(value))?,
                        Err(err) => self.after(py, then, Err(err))?,
                    };
                }
            }
            if matches!(self.state, State::Done) {
                return Ok(None);
            }
            input = Input::Send(py.None().into_bound(py));
        }
    }

    /// Route, and start the handler (or hand the request over).
    fn start(&self, py: Python<'_>) -> PyResult<State> {
        let life = self.life.get();
        let (app, scope, send) = (self.app.bind(py), self.scope.bind(py), self.send.bind(py));
        let http = if send.is_none() {
            scope.getattr(intern!(py, "proto")).is_ok_and(|p| {
                p.cast::<PyString>()
                    .is_ok_and(|p| p.to_str().is_ok_and(|p| p == "http"))
            })
        } else {
            scope.cast::<PyDict>().is_ok_and(|d| {
                d.get_item(intern!(py, "type"))
                    .ok()
                    .flatten()
                    .is_some_and(|t| {
                        t.cast::<PyString>()
                            .is_ok_and(|t| t.to_str().is_ok_and(|t| t == "http"))
                    })
            })
        };
        let matcher = app.getattr(intern!(py, "_matcher"))?;
        let matcher = match matcher.cast::<Matcher>() {
            Ok(matcher) if http => matcher,
            _ => return self.hand_over(py, py.None().into_bound(py)),
        };
        let [head, ep, req, res, ctx] = matcher.get().entered(py, scope)?;
        if req.is_none() || app.getattr(intern!(py, "_extras"))?.is_truthy()? {
            let entered = PyTuple::new(py, [head, ep, req, res, ctx])?;
            return self.hand_over(py, entered.into_any());
        }
        let direct = ep.getattr(intern!(py, "direct"))?;
        let plain = direct.is_none() && ep.getattr(intern!(py, "plain"))?.is_truthy()?;
        if direct.is_none() && !plain {
            let entered = PyTuple::new(py, [head, ep, req, res, ctx])?;
            return self.hand_over(py, entered.into_any());
        }
        let begun = Begun {
            head: head.unbind(),
            ep: ep.clone().unbind(),
            req: req.clone().unbind(),
            res: res.clone().unbind(),
            ctx: ctx.clone().unbind(),
        };
        let called = if plain {
            self.call_plain(life, &ep, &req, &res, &ctx)
        } else {
            call3(&direct, &req, &res, &ctx).map(Called::Await)
        };
        match called {
            Ok(Called::Await(awaitable)) => match awaited(life, awaitable) {
                Ok(sub) => Ok(State::Awaiting(sub.unbind(), Then::Handler(begun))),
                Err(err) => self.failed(py, begun, err),
            },
            Ok(Called::Value(result)) => self.handled(py, begun, result),
            Err(err) => self.failed(py, begun, err),
        }
    }

    /// A plain route: its contract's check, then its handler.
    fn call_plain<'py>(
        &self,
        life: &Lifecycle,
        ep: &Bound<'py, PyAny>,
        req: &Bound<'py, PyAny>,
        res: &Bound<'py, PyAny>,
        ctx: &Bound<'py, PyAny>,
    ) -> PyResult<Called<'py>> {
        let py = ep.py();
        let check = ep.getattr(intern!(py, "check"))?;
        if !check.is_none() {
            call1(&check, req)?;
        }
        let result = call3(&ep.getattr(intern!(py, "call"))?, req, res, ctx)?;
        if !result.is_none()
            && (result.get_type().is(life.coroutine.bind(py))
                || call1(life.isawaitable.bind(py), &result)?.is_truthy()?)
        {
            return Ok(Called::Await(result));
        }
        Ok(Called::Value(result))
    }

    /// The handler returned `result`: the answer, sent natively when it is
    /// the usual one.
    fn handled(&self, py: Python<'_>, begun: Begun, result: Bound<'_, PyAny>) -> PyResult<State> {
        let res = begun.res.bind(py);
        if !result.is_none() && !result.is(res) {
            let pattern = begun.ep.bind(py).getattr(intern!(py, "pattern"))?;
            if let Err(err) = res.call_method1(intern!(py, "_returned"), (result, pattern)) {
                return self.failed(py, begun, err);
            }
        }
        let life = self.life.get();
        let answered =
            life.exchange
                .get()
                .answered(py, self.send.bind(py), self.inbound.bind(py), res);
        match answered {
            Err(err) => self.failed(py, begun, err),
            Ok(None) => self.finish(py, begun, py.None().into_bound(py)),
            Ok(Some(messages)) if messages.len() == 3 => {
                let then = messages.get_item(2)?.unbind();
                self.post(
                    py,
                    begun,
                    messages.get_item(0)?,
                    messages.get_item(1)?,
                    Some(then),
                )
            }
            Ok(Some(_)) => self.deferred(py, begun),
        }
    }

    /// `await post(message)`; `then`: the message to post after it.
    fn post(
        &self,
        py: Python<'_>,
        begun: Begun,
        post: Bound<'_, PyAny>,
        message: Bound<'_, PyAny>,
        then: Option<Py<PyAny>>,
    ) -> PyResult<State> {
        match call1(&post, &message).and_then(|sent| awaited(self.life.get(), sent)) {
            Ok(sub) => Ok(State::Awaiting(
                sub.unbind(),
                Then::Post(begun, then.map(|then| (post.unbind(), then))),
            )),
            Err(err) => self.ending(py, &begun, Err(err)),
        }
    }

    /// The deferred work, if any, else the request's end.
    fn deferred(&self, py: Python<'_>, begun: Begun) -> PyResult<State> {
        let life = self.life.get();
        match life.exchange.get().deferred(begun.res.bind(py)) {
            Ok(Some((work, app))) => {
                let started = life
                    .run_deferred
                    .bind(py)
                    .call1((app, work))
                    .and_then(|coro| awaited(life, coro));
                match started {
                    Ok(sub) => Ok(State::Awaiting(sub.unbind(), Then::Deferred(begun))),
                    Err(err) => self.ending(py, &begun, Err(err)),
                }
            }
            Ok(None) => self.ending(py, &begun, Ok(State::Done)),
            Err(err) => self.ending(py, &begun, Err(err)),
        }
    }

    /// What comes once the awaited object returned (or raised).
    fn after(
        &self,
        py: Python<'_>,
        then: Then,
        outcome: PyResult<Bound<'_, PyAny>>,
    ) -> PyResult<State> {
        match then {
            Then::Handler(begun) => match outcome {
                Ok(result) => self.handled(py, begun, result),
                Err(err) => self.failed(py, begun, err),
            },
            Then::Post(begun, next) => match (outcome, next) {
                (Err(err), _) => self.ending(py, &begun, Err(err)),
                (Ok(_), Some((post, then))) => {
                    self.post(py, begun, post.into_bound(py), then.into_bound(py), None)
                }
                (Ok(_), None) => self.deferred(py, begun),
            },
            Then::Deferred(begun) => self.ending(py, &begun, outcome.map(|_| State::Done)),
            Then::Delegated => outcome.map(|_| State::Done),
        }
    }

    /// The handler (or the answer's making) raised: an `Exception` goes to
    /// the lifecycle's error handling; anything else (a cancellation)
    /// passes through the `finally`.
    fn failed(&self, py: Python<'_>, begun: Begun, err: PyErr) -> PyResult<State> {
        if err.is_instance_of::<PyException>(py) {
            self.finish(py, begun, err.into_value(py).into_bound(py).into_any())
        } else {
            self.ending(py, &begun, Err(err))
        }
    }

    /// Hand the rest of the request to the lifecycle's `finish`.
    fn finish(&self, py: Python<'_>, begun: Begun, failure: Bound<'_, PyAny>) -> PyResult<State> {
        let none = py.None().into_bound(py);
        let args = PyTuple::new(
            py,
            [
                self.app.bind(py).clone(),
                self.scope.bind(py).clone(),
                self.inbound.bind(py).clone(),
                self.send.bind(py).clone(),
                begun.head.into_bound(py),
                begun.ep.into_bound(py),
                begun.req.into_bound(py),
                begun.res.into_bound(py),
                begun.ctx.into_bound(py),
                none.clone(),
                failure,
                none.clone(),
                none,
            ],
        )?;
        let coro = self.life.get().finish.bind(py).call1(args)?;
        Ok(State::Awaiting(
            awaited(self.life.get(), coro)?.unbind(),
            Then::Delegated,
        ))
    }

    /// Hand the whole request to the lifecycle's `serve_python`.
    fn hand_over(&self, py: Python<'_>, entered: Bound<'_, PyAny>) -> PyResult<State> {
        let args = (&self.app, &self.scope, &self.inbound, &self.send, entered);
        let coro = self.life.get().general.bind(py).call1(args)?;
        Ok(State::Awaiting(
            awaited(self.life.get(), coro)?.unbind(),
            Then::Delegated,
        ))
    }

    /// The `finally`, then `outcome` (the `finally`'s own failure replaces it).
    fn ending(&self, py: Python<'_>, begun: &Begun, outcome: PyResult<State>) -> PyResult<State> {
        self.end(py, begun)?;
        outcome
    }

    /// `res._ctx = None`, then `release` when there is more to release.
    fn end(&self, py: Python<'_>, begun: &Begun) -> PyResult<()> {
        let life = self.life.get();
        let (req, res) = (begun.req.bind(py), begun.res.bind(py));
        let form = life.exchange.get().ended(req, res)?;
        let app = self.app.bind(py);
        if form || !app.getattr(intern!(py, "_probe"))?.is_none() {
            life.release
                .bind(py)
                .call1((app, &self.scope, req, res, &begun.ctx))?;
        }
        Ok(())
    }
}

/// The iterator `await x` drives: a coroutine itself, a generator-based
/// coroutine itself, else what `x.__await__()` returns.
fn awaited<'py>(life: &Lifecycle, x: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = x.py();
    let kind = x.get_type();
    if kind.is(life.coroutine.bind(py)) || kind.is(life.generator.bind(py)) {
        return Ok(x);
    }
    match kind.getattr(intern!(py, "__await__")) {
        Ok(method) => method.call1((x,)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "object {} can't be used in 'await' expression",
            kind.name()?
        ))),
    }
}

/// Pass `input` into `sub`, as `yield from` does.
fn drive<'py>(sub: &Bound<'py, PyAny>, input: Input<'py>) -> PyResult<Step<'py>> {
    let py = sub.py();
    match input {
        Input::Send(value) => {
            let mut out: *mut ffi::PyObject = std::ptr::null_mut();
            // SAFETY: both pointers are live references held here; on
            // PYGEN_NEXT and PYGEN_RETURN `out` is a new reference, on
            // PYGEN_ERROR it is NULL and an exception is set.
            unsafe {
                match ffi::PyIter_Send(sub.as_ptr(), value.as_ptr(), &mut out) {
                    ffi::PySendResult::PYGEN_NEXT => {
                        Ok(Step::Yield(Bound::from_owned_ptr(py, out)))
                    }
                    ffi::PySendResult::PYGEN_RETURN => {
                        Ok(Step::Return(Bound::from_owned_ptr(py, out)))
                    }
                    ffi::PySendResult::PYGEN_ERROR => Err(PyErr::fetch(py)),
                }
            }
        }
        Input::Throw(err) => {
            let Ok(throw) = sub.getattr(intern!(py, "throw")) else {
                return Err(err); // nothing to throw into: raised here
            };
            match throw.call1((err.into_value(py),)) {
                Ok(value) => Ok(Step::Yield(value)),
                Err(err) if err.is_instance_of::<PyStopIteration>(py) => {
                    Ok(Step::Return(err.value(py).getattr(intern!(py, "value"))?))
                }
                Err(err) => Err(err),
            }
        }
    }
}

/// The exception `throw` was given, as an error to raise.
fn thrown(
    py: Python<'_>,
    kind: Bound<'_, PyAny>,
    value: Option<Bound<'_, PyAny>>,
    traceback: Option<Bound<'_, PyAny>>,
) -> PyResult<PyErr> {
    let value = value.filter(|v| !v.is_none());
    let exc = if kind.is_instance_of::<PyBaseException>() {
        if value.is_some() {
            return Err(PyTypeError::new_err(
                "instance exception may not have a separate value",
            ));
        }
        kind
    } else {
        let is_exception_type = kind
            .cast::<PyType>()
            .is_ok_and(|t| t.is_subclass_of::<PyBaseException>().unwrap_or(false));
        if !is_exception_type {
            return Err(PyTypeError::new_err(
                "exceptions must be classes or instances deriving from BaseException",
            ));
        }
        match value {
            Some(v) if v.is_instance(&kind)? => v,
            Some(v) => kind.call1((v,))?,
            None => kind.call0()?,
        }
    };
    if let Some(tb) = traceback.filter(|t| !t.is_none()) {
        exc.call_method1(intern!(py, "with_traceback"), (tb,))?;
    }
    Ok(PyErr::from_value(exc))
}
