"""WebSocket routes: the handler is `(send, receive, req, ctx)`. BEFORE hooks
run first and may refuse the connection (`res.abort()`): the handshake is
then closed with 1008, which servers answer with HTTP 403."""

from __future__ import annotations

import logging
from inspect import isawaitable
from typing import Any

from ._dispatch import run_hooks
from .context import Context
from .errors import ClientDisconnected
from .request import Request
from .response import Response

logger = logging.getLogger("heaven")


class _Socket:
    """The `send`/`receive` pair handed to a websocket handler."""

    __slots__ = ("_send", "_receive", "closed")

    def __init__(self, send: Any, receive: Any) -> None:
        self._send = send
        self._receive = receive
        self.closed = False

    async def send(self, data: str | bytes) -> None:
        if self.closed:
            raise ClientDisconnected("the websocket is closed")
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
                text = message.get("text")
                return text if text is not None else message.get("bytes", b"")
            if kind == "websocket.disconnect":
                self.closed = True
        return None

    async def close(self, code: int = 1000) -> None:
        if not self.closed:
            self.closed = True
            await self._send({"type": "websocket.close", "code": code})


async def refused(ep: Any, req: Any, res: Any, ctx: Any) -> bool:
    """Run the BEFORE hooks of a websocket route; True when the handshake
    must be refused (a hook aborted, or failed)."""
    try:
        await run_hooks(ep.befores, req, res, ctx)
    except Exception:
        logger.exception("BEFORE hook failed for websocket %s", ep.pattern)
        return True
    return res._aborted


async def serve_websocket(app: Any, scope: dict, receive: Any, send: Any) -> None:
    matcher = app._matcher
    if matcher is None:
        matcher = app._compile()
    head = matcher.resolve(scope)
    ep = head.entry
    if ep is None:
        await send({"type": "websocket.close", "code": 1008})
        return
    if (await receive())["type"] != "websocket.connect":
        return
    req = Request(head, receive, ep.app, ep.mounted, b"", app)
    res = Response(ep.app)
    ctx = Context(req, res)
    if await refused(ep, req, res, ctx):
        await send({"type": "websocket.close", "code": 1008})
        return

    await send({"type": "websocket.accept"})
    socket = _Socket(send, receive)
    try:
        result = ep.call(socket.send, socket.receive, req, ctx)
        if ep.is_async or isawaitable(result):
            await result
    except ClientDisconnected:
        return
    except Exception:
        logger.exception("unhandled error in websocket %s", ep.pattern)
        await socket.close(1011)
        return
    await socket.close(1000)
