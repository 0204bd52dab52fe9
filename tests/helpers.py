"""Driving an app through its real ASGI callable: httpx for HTTP, and small
hand-rolled drivers for the lifespan and websocket protocols."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class Client:
    """A synchronous facade over `httpx.AsyncClient(transport=ASGITransport(app))`,
    one event loop per client so state (daemons, loops) behaves as in a server."""

    def __init__(self, app: Any, host: str = "testserver", raise_app_exceptions: bool = True) -> None:
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        self.http = httpx.AsyncClient(transport=transport, base_url=f"http://{host}")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def http_scope(path: str = "/", method: str = "GET", headers: list | None = None, **extra: Any) -> dict:
    """A minimal ASGI http scope, for requests httpx cannot send (bad bytes)."""
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


async def raw_call(app: Any, scope: dict, body_chunks: list[bytes] | None = None) -> dict[str, Any]:
    """Call the app with a hand-built scope; returns status, headers and body."""
    chunks = list(body_chunks or [b""])
    sent: list[dict] = []

    async def receive() -> dict:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return {"status": start["status"], "headers": headers, "body": body, "unread": len(chunks)}


def call_raw(app: Any, scope: dict, body_chunks: list[bytes] | None = None) -> dict[str, Any]:
    return asyncio.run(raw_call(app, scope, body_chunks))


class Lifespan:
    """Drive the ASGI lifespan protocol by hand: `await ls.startup()` returns
    the message the app answered with."""

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
        self.task = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, self._receive, self._send))
        await self.inbox.put({"type": "lifespan.startup"})
        return await asyncio.wait_for(self.outbox.get(), 5)

    async def shutdown(self) -> dict:
        await self.inbox.put({"type": "lifespan.shutdown"})
        message = await asyncio.wait_for(self.outbox.get(), 5)
        assert self.task is not None
        await asyncio.wait_for(self.task, 5)
        return message
