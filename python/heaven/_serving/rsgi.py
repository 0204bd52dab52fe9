"""The RSGI wire (`granian --interface rsgi`): what the lifecycle asks, in
granian's calls, and `__rsgi_init__` and `__rsgi_del__`. Routing reads granian's scope object
directly (no ASGI dict is built); an answer goes out in one call
(`response_str`/`response_bytes`, `response_file`/`response_file_range`,
`response_stream`). The channel is granian's protocol object."""

from __future__ import annotations

import asyncio
import logging
from functools import cache
from typing import Any, AsyncIterator, Awaitable, Callable, Protocol, SupportsInt

from .._core import rsgi_whole
from ..errors import ClientDisconnected, IncompleteBody
from .._http.headers import text_headers
from ..streaming import StreamBody
from .body import check_declared, read_counted
from .answers import Headers
from .bridge import from_rsgi
from .rsgi_body import body_chunks
from .startup import start_app, stop_app

logger = logging.getLogger("heaven")

# Before `accept`, RSGI's close() answers the upgrade with an HTTP status
# (granian refuses a websocket close code there): 403, as ASGI servers do.
_REFUSED = 403


@cache
def _closed() -> type[BaseException]:
    """granian's error for a connection the client has closed (looked up
    when first needed: only granian calls this wire)."""
    try:
        # granian.rsgi imports it under another name, which mypy's strict mode
        # does not count as exported; granian.rsgi is where granian documents it.
        from granian.rsgi import ProtocolClosed  # type: ignore[attr-defined]
    except ImportError:  # not under granian: nothing raises it
        return ClientDisconnected
    return ProtocolClosed


class BodyProto(Protocol):
    """What this wire reads from granian's HTTP protocol object."""

    def __call__(self) -> Awaitable[bytes]: ...

    def client_disconnect(self) -> Awaitable[None]: ...


class Message(Protocol):
    """A websocket message from granian: `int(kind)` 0 is a close."""

    kind: SupportsInt
    data: str | bytes


class Transport(Protocol):
    """granian's websocket transport, as this wire uses it."""

    def receive(self) -> Awaitable[Message]: ...

    def send_str(self, data: str) -> Awaitable[None]: ...

    def send_bytes(self, data: bytes) -> Awaitable[None]: ...


class RsgiWire:
    __slots__ = ()

    #: One call to granian (`response_str`/`response_bytes`, or
    #: `response_empty` for HEAD, 204 and 304); granian sets the
    #: Content-Length of a body it sends (native: rust/py's answer.rs).
    #: Returns `()`: nothing is left to send.
    send = staticmethod(rsgi_whole)

    async def send_body(self, proto: Any, status: int, headers: Headers, payload: Any, head_only: bool) -> None:
        out = text_headers(headers)
        if type(payload) is StreamBody:
            transport = proto.response_stream(status, out)
            if head_only:
                await payload.close()
            else:
                await payload.each(transport.send_bytes)
            return
        # A file: granian sends it, no bytes cross into Python.
        if head_only or payload.length == 0:
            proto.response_empty(status, out)
        elif status == 206:
            proto.response_file_range(status, out, payload.path, payload.offset, payload.offset + payload.length)
        else:
            proto.response_file(status, out, payload.path)

    def disconnected(self, proto: BodyProto, body_read: bool) -> Callable[[], Awaitable[None]]:
        return proto.client_disconnect

    def gone(self, exc: BaseException) -> bool:
        return isinstance(exc, _closed())

    async def read_body(self, proto: BodyProto, head: Any, limit: int | None) -> bytes:
        """With no limit to enforce, or a declared length within it (granian
        never delivers more than the declared `Content-Length`), one native
        call reads the body, and raises if it breaks off; otherwise the
        chunks are counted as they arrive."""
        declared = head._content_length
        check_declared(declared, limit)
        if limit is None or declared is not None:
            try:
                return await proto()
            except _closed() as exc:
                raise IncompleteBody() from exc
        return await read_counted(self.chunks(proto, head), None, limit)

    def chunks(self, proto: Any, head: Any) -> AsyncIterator[bytes]:
        return body_chunks(proto, head._http_version)

    async def handshake(self, proto: Any) -> bool:
        return True

    async def refuse(self, proto: Any) -> None:
        proto.close(_REFUSED)

    async def accept(self, proto: Any) -> RsgiSocket:
        return RsgiSocket(await proto.accept(), proto)

    def asgi(self, proto: Any, scope: Any) -> Any:
        return from_rsgi(scope, proto)


WIRE = RsgiWire()


class RsgiSocket:
    """The `send`/`receive` pair of a websocket handler, over RSGI."""

    __slots__ = ("_transport", "_proto", "closed")

    def __init__(self, transport: Transport, proto: Any) -> None:
        self._transport = transport
        self._proto = proto
        self.closed = False

    async def send(self, data: str | bytes) -> None:
        if self.closed:
            raise ClientDisconnected("the websocket is closed")
        if isinstance(data, str):
            sending = self._transport.send_str(data)
        elif isinstance(data, (bytes, bytearray, memoryview)):
            sending = self._transport.send_bytes(bytes(data))
        else:
            raise TypeError(f"websocket send takes str or bytes, not {type(data).__name__}")
        try:
            await sending
        except _closed() as exc:
            self.closed = True
            raise ClientDisconnected("the client went away") from exc

    async def receive(self) -> str | bytes | None:
        """The next message (str for text frames, bytes for binary), or
        None once the client has disconnected."""
        if self.closed:
            return None
        try:
            message = await self._transport.receive()
        except _closed():
            self.closed = True
            return None
        if int(message.kind) == 0:  # close
            self.closed = True
            return None
        return message.data

    async def close(self, code: int = 1000) -> None:
        # granian ends the conversation only when close() is called, even
        # after the client left; 2.8.7 does not send the code over RSGI.
        self.closed = True
        self._proto.close(code)


# -- lifespan ---------------------------------------------------------------------


def rsgi_init(app: Any, loop: asyncio.AbstractEventLoop) -> asyncio.Task[None] | None:
    """`App.__rsgi_init__`: granian calls it with the worker's loop. Under
    `granian` the loop is not running yet: startup runs to completion here,
    and a failure stops the worker instead of serving a broken app. Under
    granian's embedded server the loop is already running: startup becomes a
    task that every request waits for (see `startup.ready`), returned for
    whoever can await it (granian ignores it)."""
    if loop.is_running():
        app._matcher = None  # the next request takes the slow path, which waits
        starting = _on_loop(loop, start_app(app), "startup failed: every request will be answered 503")
        app._starting = starting
        return starting
    _to_completion(loop, start_app(app), "startup failed")
    return None


def rsgi_del(app: Any, loop: asyncio.AbstractEventLoop) -> asyncio.Task[None] | None:
    """`App.__rsgi_del__`: daemons are cancelled, then shutdown callbacks
    run. Under the embedded server (loop running) this is a task on the
    loop, done once the loop has turned a few times, and returned."""
    if loop.is_running():
        starting, app._starting = app._starting, None
        if starting is not None and not starting.done():
            starting.cancel()
        return _on_loop(loop, stop_app(app), "shutdown failed")
    _to_completion(loop, stop_app(app), "shutdown failed")
    return None


def _to_completion(loop: asyncio.AbstractEventLoop, step: Any, failure: str) -> None:
    """Run a lifespan step on a loop that is not running; a failure is
    logged and raised (granian then stops the worker)."""
    try:
        loop.run_until_complete(step)
    except Exception:
        logger.exception(failure)
        raise


def _on_loop(loop: asyncio.AbstractEventLoop, step: Any, failure: str) -> asyncio.Task[None]:
    """Run a lifespan step as a task on a running loop. A failure is logged
    once; whoever awaits the task still sees it."""

    async def logged() -> None:
        try:
            await step
        except Exception:
            logger.exception(failure)
            raise

    task = loop.create_task(logged())
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task
