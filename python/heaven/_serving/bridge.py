"""A connection in ASGI terms, for an ASGI application served by heaven (a
mounted foreign app; later, ASGI middleware). Under ASGI the server's own
`receive`/`send` pass through; under RSGI this module translates granian's
scope and protocol objects into an ASGI scope and the `receive`/`send`
pair, so the same ASGI app runs on both interfaces.

What RSGI cannot carry is said here once: `raw_path` is re-encoded from the
decoded path granian gives, a websocket close code from the client is not
reported (1000 is), and websocket `accept` takes no subprotocol or headers."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote

from ..errors import IncompleteBody
from .rsgi_body import body_chunks

_TEXT = "text/plain; charset=utf-8"
_FAILED = "Internal Server Error"
# Characters a request path carries unescaped (RFC 3986 pchar and '/').
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_WS_SCHEMES = {"http": "ws", "https": "wss"}


@cache
def protocol_closed() -> type[BaseException]:
    """granian's error for a connection the client has closed (a stand-in
    when granian is not installed: nothing raises it then)."""
    try:
        # granian.rsgi imports it under another name, which mypy's strict mode
        # does not count as exported; granian.rsgi is where granian documents it.
        from granian.rsgi import ProtocolClosed  # type: ignore[attr-defined]
    except ImportError:
        return ConnectionError
    return ProtocolClosed


class AsgiConnection:
    """ASGI under ASGI: the server's `receive`, and its `send` watched only
    to know whether an answer has started (so a failure can still be a 500)."""

    __slots__ = ("scope", "receive", "_send", "started")

    def __init__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scope = dict(scope)
        self.receive = receive
        self._send = send
        self.started = False

    async def send(self, message: dict[str, Any]) -> None:
        self.started = True
        await self._send(message)

    async def fail(self) -> None:
        """The app raised: answer 500 (a websocket: refuse) unless it had begun to answer."""
        if self.started:
            return
        if self.scope["type"] == "http":
            await self._send({"type": "http.response.start", "status": 500,
                              "headers": [(b"content-type", _TEXT.encode()), (b"content-length", b"21")]})
            await self._send({"type": "http.response.body", "body": _FAILED.encode()})
        else:
            await self._send({"type": "websocket.close", "code": 1011})

    async def finish(self) -> None:
        """The app returned: one that never answered gets a 500 (a websocket
        is refused); the server completes anything else left open."""
        await self.fail()


def _address(text: Any) -> tuple[str, int] | None:
    if not text:
        return None
    host, _, port = str(text).rpartition(":")
    try:
        return host.strip("[]"), int(port)
    except ValueError:
        return str(text), 0


def asgi_scope(scope: Any, kind: str) -> dict[str, Any]:
    """The ASGI scope for granian's RSGI scope (`kind`: 'http' or 'websocket')."""
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in scope.headers.items()]
    path = scope.path
    out: dict[str, Any] = {
        "type": kind,
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": scope.http_version,
        "scheme": scope.scheme if kind == "http" else _WS_SCHEMES.get(scope.scheme, scope.scheme),
        "path": path,
        "raw_path": quote(path, safe=_PATH_SAFE).encode("ascii"),
        "query_string": scope.query_string.encode("latin-1"),
        "root_path": "",
        "headers": headers,
        "client": _address(scope.client),
        "server": _address(scope.server),
    }
    if kind == "http":
        out["method"] = scope.method
    else:
        offered = scope.headers.get("sec-websocket-protocol")
        out["subprotocols"] = [p.strip() for p in offered.split(",") if p.strip()] if offered else []
    return out


def from_rsgi(scope: Any, proto: Any) -> RsgiHttpConnection | RsgiSocketConnection:
    if scope.proto == "http":
        return RsgiHttpConnection(asgi_scope(scope, "http"), proto)
    return RsgiSocketConnection(asgi_scope(scope, "websocket"), proto)


class RsgiHttpConnection:
    """One HTTP request of an ASGI app, over granian's RSGI protocol. A
    whole body (one `http.response.body`) goes out in one call; a body in
    several messages becomes an RSGI stream."""

    def __init__(self, scope: dict[str, Any], proto: Any) -> None:
        self.scope = scope
        self._proto = proto
        self._body: Any = None
        self._body_done = False
        self._status = 0
        self._headers: list[tuple[str, str]] = []
        self._stream: Any = None
        self.started = False
        self.done = False

    async def receive(self) -> dict[str, Any]:
        if not self._body_done and not self.done:
            return await self._next_body()
        if not self.done:
            await self._proto.client_disconnect()
        return {"type": "http.disconnect"}

    async def _next_body(self) -> dict[str, Any]:
        if self._body is None:
            self._body = body_chunks(self._proto, self.scope["http_version"])
        try:
            chunk = await self._body.__anext__()
        except StopAsyncIteration:
            self._body_done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        except (IncompleteBody, protocol_closed()):
            self._body_done = True
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": bytes(chunk), "more_body": True}

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.started:
                raise RuntimeError("ASGI app sent http.response.start twice")
            self.started = True
            self._status = int(message["status"])
            self._headers = [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in message.get("headers", ())]
        elif kind == "http.response.body":
            if not self.started or self.done:
                raise RuntimeError("ASGI app sent a body before http.response.start or after the end")
            body = bytes(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if self._stream is None:
                if not more:
                    self._whole(body)
                    return
                self._stream = self._proto.response_stream(self._status, self._headers)
            if body:
                try:
                    await self._stream.send_bytes(body)
                except protocol_closed() as exc:
                    self.done = True
                    raise OSError("the client went away") from exc
            if not more:
                self.done = True
        else:
            raise RuntimeError(f"heaven's RSGI bridge does not carry the ASGI message {kind!r}")

    def _whole(self, body: bytes) -> None:
        self.done = True
        if not body:
            self._proto.response_empty(self._status, self._headers)
            return
        # granian sets Content-Length for a whole body itself.
        headers = [pair for pair in self._headers if pair[0].lower() != "content-length"]
        self._proto.response_bytes(self._status, headers, body)

    async def fail(self) -> None:
        if not self.started:
            self.started = self.done = True
            self._proto.response_str(500, [("content-type", _TEXT)], _FAILED)
        else:
            await self.finish()

    async def finish(self) -> None:
        if not self.started:
            # Returned without answering: a server would fail the request.
            await self.fail()
        elif not self.done and self._stream is None:
            self._whole(b"")
        self.done = True


class RsgiSocketConnection:
    """One websocket of an ASGI app, over granian's RSGI websocket protocol."""

    def __init__(self, scope: dict[str, Any], proto: Any) -> None:
        self.scope = scope
        self._proto = proto
        self._transport: Any = None
        self._connected = False
        self.started = False  # accepted or closed
        self.closed = False  # no more messages either way
        self.ended = False  # proto.close() called

    async def receive(self) -> dict[str, Any]:
        if not self._connected:
            self._connected = True
            return {"type": "websocket.connect"}
        if self._transport is None or self.closed:
            return {"type": "websocket.disconnect", "code": 1000}
        try:
            message = await self._transport.receive()
        except protocol_closed():
            self.closed = True
            return {"type": "websocket.disconnect", "code": 1006}
        kind = int(message.kind)
        if kind == 0:
            self.closed = True
            return {"type": "websocket.disconnect", "code": 1000}
        if kind == 1:
            return {"type": "websocket.receive", "bytes": bytes(message.data)}
        return {"type": "websocket.receive", "text": message.data}

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            self.started = True
            self._transport = await self._proto.accept()
        elif kind == "websocket.send":
            if self._transport is None or self.closed:
                raise OSError("the websocket is not open")
            data = message.get("bytes")
            try:
                if data is not None:
                    await self._transport.send_bytes(bytes(data))
                else:
                    await self._transport.send_str(message.get("text") or "")
            except protocol_closed() as exc:
                self.closed = True
                raise OSError("the client went away") from exc
        elif kind == "websocket.close":
            self._close(int(message.get("code", 1000)))
        else:
            raise RuntimeError(f"heaven's RSGI bridge does not carry the ASGI message {kind!r}")

    def _close(self, code: int) -> None:
        """End the conversation (granian ends it only when close() is
        called, even after the client left). Before accept, RSGI answers the
        upgrade with an HTTP status: 403, as ASGI servers do."""
        if self.ended:
            return
        self.ended = self.started = self.closed = True
        self._proto.close(code if self._transport is not None else 403)

    async def fail(self) -> None:
        self._close(1011)

    async def finish(self) -> None:
        self._close(1000)
