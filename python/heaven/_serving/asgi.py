"""The ASGI wire: what the lifecycle (`App.__call__`) asks, done in ASGI
messages, and the lifespan protocol. The channel is `(receive, send,
scope)`."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, AsyncIterator, Awaitable, Callable

from .._core import asgi_whole
from ..errors import ClientDisconnected, IncompleteBody, PayloadTooLarge
from ..streaming import StreamBody
from .body import check_declared, counted
from .answers import Headers
from .bridge import AsgiConnection
from .startup import start_app, stop_app

logger = logging.getLogger("heaven")

_START = "http.response.start"
_BODY = "http.response.body"
_GONE = (ClientDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError)

Receive = Callable[[], Awaitable[dict[str, Any]]]


class AsgiWire:
    __slots__ = ()

    #: `(send, start, body)`: a whole body's two messages, with its
    #: Content-Type and Content-Length, for the lifecycle to pass to `send`
    #: in order (native: rust/py's answer.rs).
    send = staticmethod(asgi_whole)

    async def send_body(self, channel: Any, status: int, headers: Headers, payload: Any, head_only: bool) -> None:
        send = channel[1]
        await send({"type": _START, "status": status, "headers": headers})
        if type(payload) is StreamBody:
            if head_only:
                await payload.close()
            else:
                await payload.each(partial(_send_chunk, send))
        elif not head_only and payload.length:
            extensions = channel[2].get("extensions") or ()
            if payload.offset == 0 and "http.response.pathsend" in extensions:
                # The server sends the whole file itself: no bytes cross into Python.
                await send({"type": "http.response.pathsend", "path": payload.path})
                return
            async for chunk in payload.chunks():
                await send({"type": _BODY, "body": chunk, "more_body": True})
        # Never reached when the body failed midway: the server then cuts
        # the connection, so the client sees an incomplete body.
        await send({"type": _BODY, "body": b""})

    def disconnected(self, channel: Any, body_read: bool) -> Callable[[], Awaitable[None]] | None:
        # Watching `receive` is safe only once nobody else reads the body from it.
        return partial(_disconnect, channel[0]) if body_read else None

    def gone(self, exc: BaseException) -> bool:
        return isinstance(exc, _GONE)

    async def read_body(self, channel: Any, head: Any, limit: int | None) -> bytes:
        """A body that arrives in one message (the usual case) is returned as
        is, without the generator of `chunks`."""
        receive = channel[0]
        check_declared(head._content_length, limit)
        message = await receive()
        if message["type"] == "http.disconnect":
            raise IncompleteBody()
        first: bytes = message.get("body", b"")
        if limit is not None and len(first) > limit:
            raise PayloadTooLarge()
        if not message.get("more_body", False):
            return first
        parts = [first]
        async for chunk in counted(self.chunks(channel, head), None, None if limit is None else limit - len(first)):
            parts.append(chunk)
        return b"".join(parts)

    async def chunks(self, channel: Any, head: Any) -> AsyncIterator[bytes]:
        receive = channel[0]
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                # Servers report a malformed chunked body this way too.
                raise IncompleteBody()
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return

    async def handshake(self, channel: Any) -> bool:
        kind: str = (await channel[0]())["type"]
        return kind == "websocket.connect"

    async def refuse(self, channel: Any) -> None:
        # Before `websocket.accept`, servers answer a close with HTTP 403.
        await channel[1]({"type": "websocket.close", "code": 1008})

    async def accept(self, channel: Any) -> AsgiSocket:
        await channel[1]({"type": "websocket.accept"})
        return AsgiSocket(channel[1], channel[0])

    def asgi(self, channel: Any, scope: Any) -> AsgiConnection:
        return AsgiConnection(scope, channel[0], channel[1])


WIRE = AsgiWire()


def _send_chunk(send: Any, chunk: bytes) -> Awaitable[None]:
    """One body chunk's message: the server's awaitable is returned, not
    wrapped in a coroutine of our own (one per chunk, or per SSE event)."""
    result: Awaitable[None] = send({"type": _BODY, "body": chunk, "more_body": True})
    return result


async def _disconnect(receive: Receive) -> None:
    """Returns when the server reports `http.disconnect`. Body messages still
    arriving are dropped (a GET's unread empty body comes once). A server
    that answers `receive()` with a finished body again and again, instead of
    waiting, cannot report a disconnect: raise, and the watch stops."""
    finished = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        if not message.get("more_body", False):
            finished += 1
            if finished > 1:
                raise RuntimeError("the ASGI server repeats the request body instead of reporting a disconnect")


class AsgiSocket:
    """The `send`/`receive` pair handed to a websocket handler."""

    __slots__ = ("_send", "_receive", "closed")

    def __init__(self, send: Any, receive: Receive) -> None:
        self._send = send
        self._receive = receive
        self.closed = False

    async def send(self, data: str | bytes) -> None:
        if self.closed:
            raise ClientDisconnected("the websocket is closed")
        message: dict[str, Any]
        if isinstance(data, str):
            message = {"type": "websocket.send", "text": data}
        elif isinstance(data, (bytes, bytearray, memoryview)):
            message = {"type": "websocket.send", "bytes": bytes(data)}
        else:
            raise TypeError(f"websocket send takes str or bytes, not {type(data).__name__}")
        try:
            await self._send(message)
        except OSError as exc:
            self.closed = True
            raise ClientDisconnected("the client went away") from exc

    async def receive(self) -> str | bytes | None:
        """The next message (str for text frames, bytes for binary), or
        None once the client has disconnected."""
        while not self.closed:
            message = await self._receive()
            kind = message["type"]
            if kind == "websocket.receive":
                text: str | None = message.get("text")
                if text is not None:
                    return text
                data: bytes = message.get("bytes", b"")
                return data
            if kind == "websocket.disconnect":
                self.closed = True
        return None

    async def close(self, code: int = 1000) -> None:
        if not self.closed:
            self.closed = True
            await self._send({"type": "websocket.close", "code": code})


# -- lifespan ---------------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


async def serve_lifespan(app: Any, receive: Receive, send: Any) -> None:
    """The ASGI lifespan protocol around `start_app`/`stop_app`."""
    while True:
        kind = (await receive())["type"]
        if kind == "lifespan.startup":
            if not await _lifespan_step(start_app(app), "startup", send):
                return
        elif kind == "lifespan.shutdown":
            await _lifespan_step(stop_app(app), "shutdown", send)
            return


async def _lifespan_step(step: Any, name: str, send: Any) -> bool:
    """Run one step and answer `lifespan.<name>.complete`, or `.failed` with
    the error (logged); True when it completed."""
    try:
        await step
    except Exception as exc:
        logger.exception("%s failed", name)
        await send({"type": f"lifespan.{name}.failed", "message": _describe(exc)})
        return False
    await send({"type": f"lifespan.{name}.complete"})
    return True
