"""The native flow `App.__call__` and `App.__rsgi__` return (rust/py's
`flow.rs`): a coroutine to its caller, with `yield from`'s rules for what
it awaits, and the lifecycle's `finally` however a request ends. Each test
drives the flow by hand, as asyncio and granian do, on both interfaces."""

from __future__ import annotations

import asyncio
import collections.abc
import gc
import inspect
import sys

import pytest

import helpers
from heaven import App
from heaven._core import Flow
from heaven._testing.rsgi import HTTPProtocol
from helpers import Client, http_scope, rsgi_scope

pytestmark = pytest.mark.interfaces


class Call:
    """One request to `app` on the current interface, not yet awaited."""

    def __init__(self, app: App, path: str = "/") -> None:
        if app._matcher is None:
            app._compile()  # as the server's startup does: the first request finds it compiled
        self.sent: list[dict] = []
        scope = http_scope(path)
        if helpers.INTERFACE == "rsgi":
            self.proto = HTTPProtocol([])
            self.flow = app.__rsgi__(rsgi_scope(scope), self.proto)
        else:
            self.proto = None

            async def receive() -> dict:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: dict) -> None:
                self.sent.append(message)

            self.flow = app(scope, receive, send)

    def answer(self) -> tuple[int, bytes]:
        if self.proto is not None:
            return self.proto.response.status, self.proto.response.body
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        return start["status"], b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")

    def answered(self) -> bool:
        return bool(self.sent) if self.proto is None else self.proto.response.status is not None


def finished(flow: Flow, value=None, throw: BaseException | None = None):
    """Send (or throw) into `flow`, expecting it to finish; returns what it returned."""
    with pytest.raises(StopIteration) as stopped:
        if throw is not None:
            flow.throw(throw)
        else:
            flow.send(value)
    return stopped.value.value


class Passing:
    """An ASGI middleware that passes everything on."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)


@pytest.mark.parametrize("layered", [False, True], ids=["plain", "middleware"])
def test_servers_see_an_asgi3_app(layered):
    """`serve` returns an awaitable, not a coroutine; uvicorn and hypercorn,
    which tell ASGI 3 from ASGI 2 (or WSGI) by inspecting the app, must
    still take it for ASGI 3, with or without ASGI middleware."""
    from hypercorn.utils import is_asgi
    from uvicorn.config import Config

    app = App()
    if layered:
        app.use(Passing)
    assert asyncio.iscoroutinefunction(app.__call__)
    assert is_asgi(app)  # hypercorn: inspect.iscoroutinefunction(app), then app.__call__
    config = Config(app=app)
    config.load()
    assert config.interface == "asgi3"
    assert inspect.signature(app) == inspect.signature(lambda scope, receive, send: None)
    assert type(app).__name__ == app.__name__ == "App"
    if sys.version_info >= (3, 12):
        assert inspect.iscoroutinefunction(app.__call__)


def test_the_first_request_of_an_app_not_started_is_served_too():
    """Without a startup (no lifespan), the first request compiles the routes itself."""
    app = App()
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "first"))
    assert app._matcher is None
    assert Client(app).get("/").text == "first"
    assert app._matcher is not None


def test_a_flow_is_a_coroutine_to_its_caller():
    app = App()
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "hi"))
    call = Call(app)
    assert type(call.flow) is Flow
    assert isinstance(call.flow, collections.abc.Coroutine)
    assert call.flow.__await__() is call.flow
    assert not call.answered()  # nothing runs until it is awaited
    asyncio.run(_awaited(call.flow))
    assert call.answer() == (200, b"hi")


async def _awaited(flow):
    await flow


def test_asyncio_runs_a_flow_as_a_task():
    app = App()

    async def slow(req, res, ctx):
        for _ in range(3):
            await asyncio.sleep(0)
        res.body = "late"

    app.GET("/", slow)
    call = Call(app)

    async def main():
        await asyncio.ensure_future(call.flow)

    asyncio.run(main())
    assert call.answer() == (200, b"late")


def test_what_the_handler_awaits_passes_through_unchanged():
    """A yielded value goes out of the flow as it is; what is sent in goes back to the handler."""
    app = App()
    marker = object()
    got = []

    class Pause:
        def __await__(self):
            got.append((yield marker))

    async def handler(req, res, ctx):
        await Pause()
        res.body = "resumed"

    app.GET("/", handler)
    call = Call(app)
    assert call.flow.send(None) is marker
    finished(call.flow, "sent in")
    assert got == ["sent in"]
    assert call.answer() == (200, b"resumed")


def test_an_exception_thrown_in_reaches_the_handler():
    app = App()
    seen = []

    class Pause:
        def __await__(self):
            yield "waiting"

    async def handler(req, res, ctx):
        try:
            await Pause()
        except ValueError as exc:
            seen.append(str(exc))
            res.body = "caught"

    app.GET("/", handler)
    call = Call(app)
    assert call.flow.send(None) == "waiting"
    finished(call.flow, throw=ValueError("thrown"))
    assert seen == ["thrown"]
    assert call.answer() == (200, b"caught")


def test_an_exception_the_handler_lets_through_gets_the_error_answer():
    app = App()

    class Pause:
        def __await__(self):
            yield "waiting"

    async def handler(req, res, ctx):
        await Pause()

    app.GET("/", handler)
    call = Call(app)
    call.flow.send(None)
    finished(call.flow, throw=KeyError("thrown"))
    assert call.answer()[0] == 500


def test_a_cancellation_ends_the_request_and_passes_on():
    """CancelledError is not an answer: it propagates, after the finally (res._ctx cleared)."""
    app = App()
    held = []

    async def handler(req, res, ctx):
        held.append(res)
        await asyncio.Event().wait()

    app.GET("/", handler)
    call = Call(app)

    async def main():
        task = asyncio.ensure_future(call.flow)
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert held and held[0]._ctx is None
    assert not call.answered()


def test_close_closes_the_handler_and_ends_the_request():
    app = App()
    events = []

    class Pause:
        def __await__(self):
            yield "waiting"

    async def handler(req, res, ctx):
        events.append(res)
        try:
            await Pause()
        finally:
            events.append("handler's finally")

    app.GET("/", handler)
    call = Call(app)
    call.flow.send(None)
    call.flow.close()
    assert events[1] == "handler's finally"
    assert events[0]._ctx is None
    call.flow.close()  # closing twice is harmless
    with pytest.raises(RuntimeError, match="cannot reuse"):
        call.flow.send(None)


def test_thrown_before_it_starts_nothing_runs():
    app = App()
    ran = []
    app.GET("/", lambda req, res, ctx: ran.append(1))
    call = Call(app)
    with pytest.raises(ValueError, match="early"):
        call.flow.throw(ValueError("early"))
    assert not ran and not call.answered()


def test_throw_takes_the_old_three_argument_form():
    app = App()
    app.GET("/", lambda req, res, ctx: None)
    with pytest.raises(KeyError):
        Call(app).flow.throw(KeyError, KeyError("k"), None)
    with pytest.raises(TypeError):
        Call(app).flow.throw(42)


def test_a_finished_flow_cannot_be_awaited_again():
    app = App()
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "once"))
    call = Call(app)
    finished(call.flow)
    with pytest.raises(RuntimeError, match="cannot reuse"):
        call.flow.send(None)


def test_the_garbage_collector_sees_what_a_flow_holds():
    """A flow waiting on its handler reports the handler's coroutine to the GC,
    so a cycle through a forgotten request is collected."""
    app = App()

    class Pause:
        def __await__(self):
            yield "waiting"

    async def handler(req, res, ctx):
        await Pause()

    app.GET("/", handler)
    call = Call(app)
    call.flow.send(None)
    held = gc.get_referents(call.flow)
    assert any(inspect.iscoroutine(x) and x.__name__ == "handler" for x in held)
    call.flow.close()


def test_plain_handlers_and_their_results():
    """`def` handlers, values returned, awaitables that are not coroutines."""
    app = App()

    class Later:
        def __await__(self):
            yield from asyncio.sleep(0).__await__()
            return {"from": "awaitable"}

    app.GET("/value", lambda req, res, ctx: "returned")
    app.GET("/awaitable", lambda req, res, ctx: Later())
    app.GET("/res", lambda req, res, ctx: res)
    app._compile()
    client = Client(app)
    assert client.get("/value").text == "returned"
    assert client.get("/awaitable").json() == {"from": "awaitable"}
    assert client.get("/res").status_code == 200


def test_sync_handler_failures_and_error_handlers():
    app = App()

    def broken(req, res, ctx):
        raise LookupError("nope")

    async def handled(req, res, ctx, exc):
        res.status = 418
        res.body = f"handled {exc}"

    app.GET("/", broken)
    app.GET("/unhandled", lambda req, res, ctx: 1 / 0)
    app.ERROR(LookupError, handled)
    app._compile()  # started: the flow runs these requests, not the first-request path
    client = Client(app, raise_app_exceptions=False)
    answer = client.get("/")
    assert (answer.status_code, answer.text) == (418, "handled nope")
    assert client.get("/unhandled").status_code == 500


def test_a_send_that_fails_propagates_after_the_finally():
    app = App()
    held = []

    def handler(req, res, ctx):
        held.append(res)
        res.body = "x"

    app.GET("/", handler)
    scope = http_scope("/")
    if helpers.INTERFACE == "rsgi":
        class Broken(HTTPProtocol):
            def response_str(self, *args):
                raise OSError("gone")

        flow = app.__rsgi__(rsgi_scope(scope), Broken([]))
    else:
        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            raise OSError("gone")

        flow = app(scope, receive, send)
    with pytest.raises(OSError, match="gone"):
        flow.send(None)
    assert held[0]._ctx is None


def test_deferred_work_runs_after_the_answer():
    app = App()
    order = []

    async def later(app):
        order.append("deferred")

    async def handler(req, res, ctx):
        res.defer(later)
        res.body = "now"
        order.append("handler")

    app.GET("/", handler)
    call = Call(app)
    asyncio.run(_awaited(call.flow))
    assert order == ["handler", "deferred"]
    assert call.answer() == (200, b"now")
