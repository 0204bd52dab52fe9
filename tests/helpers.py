"""Driving an app in-process on either interface. `INTERFACE` is set by the
autouse fixture in conftest.py: modules marked `interfaces` run every test
once per interface, and these helpers serve the app through that
interface's real entry point (`__call__` for ASGI, `__rsgi__` for RSGI,
with heaven.testing's stand-ins for granian's objects)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from heaven import testing
from heaven._testing.rsgi import HTTPProtocol, RSGIScope, WebsocketProtocol

#: The interface the current test serves its app through.
INTERFACE = "asgi"


class Client(testing.Client):
    """`heaven.testing.Client` on the current interface, without the
    lifespan (tests that want it use `heaven.testing.Client` itself)."""

    def __init__(self, app: Any, host: str = "testserver", raise_app_exceptions: bool = True) -> None:
        super().__init__(
            app, base_url=f"http://{host}", lifespan=False, raise_app_exceptions=raise_app_exceptions, interface=INTERFACE
        )


def http_scope(path: str = "/", method: str = "GET", headers: list | None = None, **extra: Any) -> dict:
    """A minimal ASGI http scope, for requests httpx cannot send (bad bytes).
    `raw_call` turns it into an RSGI scope when the test runs on RSGI."""
    raw_path = extra.pop("raw_path", path.encode("latin-1") if isinstance(path, str) else path)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path if isinstance(path, str) else path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": b"",
        "headers": headers if headers is not None else [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    scope.update(extra)
    return scope


def rsgi_scope(scope: dict) -> RSGIScope:
    """The RSGI scope granian would build for the same request."""
    raw = scope.get("raw_path") or quote(scope["path"]).encode()
    client, server = scope.get("client") or ("127.0.0.1", 50000), scope.get("server") or ("testserver", 80)
    return RSGIScope(
        scope["method"], raw.decode("latin-1"), (scope.get("query_string") or b"").decode("latin-1"),
        [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])],
        scheme=scope.get("scheme", "http"), client=f"{client[0]}:{client[1]}", server=f"{server[0]}:{server[1]}",
        http_version=scope.get("http_version", "1.1"),
    )  # fmt: skip


async def raw_call(app: Any, scope: dict, body_chunks: list[bytes] | None = None, broken: bool = False,
                   on_answer: Any = None) -> dict[str, Any]:
    """Call the app with a hand-built request on the current interface;
    returns status, headers, body and how many body chunks were left
    unread. `broken=True` makes the body break off after its chunks;
    `on_answer()` is called when the answer starts going out."""
    if INTERFACE == "rsgi":
        return await _raw_rsgi(app, scope, body_chunks, broken, on_answer)
    chunks = list(body_chunks or [b""])
    sent: list[dict] = []

    async def receive() -> dict:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks) or broken}
        if not broken:
            await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if on_answer is not None and message["type"] == "http.response.start":
            on_answer()
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return {"status": start["status"], "headers": headers, "body": body, "unread": len(chunks)}


async def _raw_rsgi(app: Any, scope: dict, body_chunks: list[bytes] | None, broken: bool, on_answer: Any) -> dict[str, Any]:
    chunks = [c for c in body_chunks or [] if c]
    proto = HTTPProtocol(chunks, broken=broken, http_version=scope.get("http_version", "1.1"))
    if on_answer is not None:
        start = proto._start

        def announcing(*args: Any) -> bool:
            on_answer()
            return start(*args)

        proto._start = announcing  # type: ignore[method-assign]
    await app.__rsgi__(rsgi_scope(scope), proto)
    proto.finished()
    answer = proto.response
    headers = {k: v for k, v in answer.headers}
    return {"status": answer.status, "headers": headers, "body": answer.body, "unread": proto.unread}


def call_raw(app: Any, scope: dict, body_chunks: list[bytes] | None = None, broken: bool = False,
             on_answer: Any = None) -> dict[str, Any]:
    return asyncio.run(raw_call(app, scope, body_chunks, broken, on_answer))


async def converse(app: Any, path: str, incoming: list[str | bytes], host: bytes = b"testserver",
                   query: bytes = b"") -> list[tuple[Any, ...]]:
    """One websocket session on the current interface: `incoming` are the
    client's messages after the handshake, then the client leaves. Returns
    what the client saw, the same on both interfaces: ("accept",),
    ("text", str), ("bytes", bytes), ("close", code) after accept, or
    ("refused", 403) for a refused handshake."""
    if INTERFACE == "rsgi":
        return await _converse_rsgi(app, path, incoming, host, query)
    queue: list[dict] = [{"type": "websocket.connect"}]
    queue += [{"type": "websocket.receive", "text" if isinstance(m, str) else "bytes": m} for m in incoming]
    queue.append({"type": "websocket.disconnect", "code": 1000})
    seen: list[tuple[Any, ...]] = []

    async def receive() -> dict:
        if queue:
            return queue.pop(0)
        await asyncio.sleep(3600)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            seen.append(("accept",))
        elif kind == "websocket.send":
            seen.append(("text", message["text"]) if message.get("text") is not None else ("bytes", message["bytes"]))
        elif kind == "websocket.close":
            # Before accept, ASGI servers answer a close with HTTP 403.
            accepted = bool(seen) and seen[0] == ("accept",)
            seen.append(("close", message.get("code", 1000)) if accepted else ("refused", 403))

    scope = {
        "type": "websocket", "path": path, "raw_path": path.encode(), "query_string": query,
        "headers": [(b"host", host)], "scheme": "ws", "subprotocols": [],
    }  # fmt: skip
    await asyncio.wait_for(app(scope, receive, send), 5)
    return seen


async def _converse_rsgi(app: Any, path: str, incoming: list[str | bytes], host: bytes, query: bytes) -> list[tuple[Any, ...]]:
    proto = WebsocketProtocol()
    for message in incoming:
        proto.incoming.put_nowait(message)
    proto.incoming.put_nowait(None)  # then the client leaves
    scope = RSGIScope("GET", path, query.decode(), [("host", host.decode())], proto="ws", scheme="ws")
    await asyncio.wait_for(app.__rsgi__(scope, proto), 5)
    seen: list[tuple[Any, ...]] = [("accept",)] if proto.accepted else []
    while not proto.outgoing.empty():
        message = proto.outgoing.get_nowait()
        if message is not None:
            seen.append(("text", message) if isinstance(message, str) else ("bytes", message))
    if proto.close_status is not None:
        seen.append(("close", proto.close_status) if proto.accepted else ("refused", proto.close_status))
    return seen


class Lifespan:
    """Start and stop the app as the current interface's server does, on
    the running loop: the ASGI lifespan protocol, or RSGI's init/del (which
    run as tasks under a running loop, as in granian's embedded server).
    `startup()`/`shutdown()` return the ASGI lifespan message either way."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.task: asyncio.Task | None = None

    async def _receive(self) -> dict:
        return await self.inbox.get()

    async def _send(self, message: dict) -> None:
        await self.outbox.put(message)

    async def startup(self) -> dict:
        if INTERFACE == "rsgi":
            starting = self.app.__rsgi_init__(asyncio.get_running_loop())
            try:
                await asyncio.wait_for(asyncio.shield(starting), 5)
            except Exception as exc:
                return {"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"}
            return {"type": "lifespan.startup.complete"}
        self.task = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, self._receive, self._send))
        await self.inbox.put({"type": "lifespan.startup"})
        return await asyncio.wait_for(self.outbox.get(), 5)

    async def shutdown(self) -> dict:
        if INTERFACE == "rsgi":
            stopping = self.app.__rsgi_del__(asyncio.get_running_loop())
            try:
                await asyncio.wait_for(stopping, 5)
            except Exception as exc:
                return {"type": "lifespan.shutdown.failed", "message": f"{type(exc).__name__}: {exc}"}
            return {"type": "lifespan.shutdown.complete"}
        await self.inbox.put({"type": "lifespan.shutdown"})
        message = await asyncio.wait_for(self.outbox.get(), 5)
        assert self.task is not None
        await asyncio.wait_for(self.task, 5)
        return message


async def stream_call(app: Any, scope: dict, body: bytes = b"", *, leave_after_chunks: int | None = None,
                      leave_after: float | None = None) -> dict[str, Any]:
    """Serve a streamed answer on the current interface, with a client that
    may leave: after `leave_after_chunks` body chunks (its next write fails),
    or `leave_after` seconds (the server reports the disconnect). Returns
    the status, the chunks that arrived, and `ended`: whether the body was
    ended as complete (ASGI: the final body message; RSGI: granian ends a
    stream once the app returns, whatever happened)."""
    if INTERFACE == "rsgi":
        proto = HTTPProtocol([body] if body else [])
        if leave_after_chunks is not None:
            write = proto._write

            def counting(data: bytes) -> None:
                if len(proto.response.chunks) >= leave_after_chunks:
                    proto.disconnect()
                write(data)

            proto._write = counting  # type: ignore[method-assign]
        if leave_after is not None:
            asyncio.get_running_loop().call_later(leave_after, proto.disconnect)
        await asyncio.wait_for(app.__rsgi__(rsgi_scope(scope), proto), 5)
        return {"status": proto.response.status, "chunks": proto.response.chunks, "ended": True}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600 if leave_after is None else leave_after)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        chunks = [m for m in sent if m["type"] == "http.response.body" and m.get("body")]
        if leave_after_chunks is not None and message["type"] == "http.response.body" and len(chunks) >= leave_after_chunks:
            raise ConnectionResetError("the client went away")
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), 5)
    start = next(m for m in sent if m["type"] == "http.response.start")
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    ended = bool(bodies) and not bodies[-1].get("more_body", False)
    return {"status": start["status"], "chunks": [m["body"] for m in bodies if m.get("body")], "ended": ended}
