"""Drives an app through its raw ASGI callable and through its `earth` test
client, and writes down what came back as plain JSON-able records.

This module runs inside BOTH interpreters: heaven's venv and the venv of
PyPI's heaven 2.4.3 (tests/compat/setup_heaven243.sh). It imports only the
standard library and whichever `heaven` that interpreter has, and it writes
everything down in a form the two can be compared in: text, not objects.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any
from urllib.parse import quote, unquote


def error_names(exc: BaseException) -> list[str]:
    """An exception as the names of its classes, most derived first, so a
    comparison can ask "is it a UrlError?" across two frameworks."""
    return [cls.__name__ for cls in type(exc).__mro__ if cls not in (object, BaseException)]


def body_record(body: bytes) -> dict[str, str]:
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(body).decode()}


def request_scope(request: dict[str, Any], kind: str = "http") -> dict[str, Any]:
    """An ASGI scope from a request description: `path` may carry a query,
    `host` picks the subdomain, `headers` are [name, value] pairs."""
    target = request["path"]
    path, _, query = target.partition("?")
    # `path` is written percent-encoded, as on the wire; `raw_path` overrides it.
    raw_path = request.get("raw_path") or quote(path, safe="/%:@!$&'()*+,;=")
    headers = [[b"host", request.get("host", "example.com").encode()]]
    headers += [[k.lower().encode("latin-1"), v.encode("latin-1")] for k, v in request.get("headers", [])]
    body = request_body(request)
    if body:
        headers.append([b"content-length", str(len(body)).encode()])
    return {
        "type": kind,
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.get("method", "GET"),
        "scheme": "ws" if kind == "websocket" else "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("latin-1") if isinstance(raw_path, str) else raw_path,
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": [tuple(h) for h in headers],
        "client": ["203.0.113.9", 54123],
        "server": ["example.com", 8000],
        "extensions": {},
    }


def request_body(request: dict[str, Any]) -> bytes:
    if "json" in request:
        return json.dumps(request["json"], separators=(",", ":")).encode()
    body = request.get("body", b"")
    return body.encode() if isinstance(body, str) else body


async def call_asgi(app: Any, request: dict[str, Any]) -> dict[str, Any]:
    """One request through `app(scope, receive, send)`: status, headers (as
    sent, in order) and the body, or the exception the call raised."""
    scope = request_scope(request)
    pending = [{"type": "http.request", "body": request_body(request), "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    record: dict[str, Any] = {}
    try:
        await asyncio.wait_for(app(scope, receive, send), 10)
    except Exception as exc:  # the comparison is about which error, so keep it
        record["raised"] = error_names(exc)
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    if start is not None:
        record["status"] = int(start["status"])
        record["headers"] = [[_text(k).lower(), _text(v)] for k, v in start.get("headers", [])]
        chunks = [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]
        if all(isinstance(c, (bytes, bytearray)) for c in chunks):
            record["body"] = body_record(b"".join(chunks))
        else:  # not a valid ASGI message: say so rather than guess
            record["body"] = {"invalid": [type(c).__name__ for c in chunks]}
    return record


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


class Lifespan:
    """Runs an app's ASGI lifespan: startup before the requests, shutdown after."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.task: asyncio.Task | None = None

    async def startup(self) -> str:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        self.task = asyncio.ensure_future(self.app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        answer = (await asyncio.wait_for(self.outbox.get(), 10))["type"]
        await asyncio.sleep(0)  # let a lifespan that failed finish
        return answer

    async def shutdown(self) -> str:
        if self.task is not None and self.task.done():
            return "not running"  # it ended at startup (a failed startup)
        await self.inbox.put({"type": "lifespan.shutdown"})
        try:
            answer = (await asyncio.wait_for(self.outbox.get(), 10))["type"]
        finally:
            # 2.4.3's lifespan loop never returns; ours does.
            if self.task is not None and not self.task.done():
                self.task.cancel()
                try:
                    await self.task
                except (asyncio.CancelledError, Exception):
                    pass
        return answer


def payload(body: Any) -> Any:
    """What a test would assert on, whatever form the body is in: JSON when it
    is JSON, else text."""
    if isinstance(body, (dict, list)):
        return {"json": body}
    if isinstance(body, str):
        body = body.encode()
    if isinstance(body, (bytes, bytearray)):
        try:
            return {"json": json.loads(body)}
        except ValueError:
            return body_record(bytes(body))
    return {"repr": type(body).__name__}


async def call_earth(app: Any, request: dict[str, Any]) -> dict[str, Any]:
    """One request through `app.earth.<METHOD>(...)` as 2.4.3 documents it."""
    method = request.get("method", "GET")
    kwargs: dict[str, Any] = {}
    if "json" in request:
        kwargs["body"] = request["json"]
    elif request.get("body"):
        kwargs["body"] = request_body(request)
    if request.get("headers"):
        kwargs["headers"] = dict(request["headers"])
    if request.get("subdomain"):
        kwargs["subdomain"] = request["subdomain"]
    record: dict[str, Any] = {}
    try:
        req, res, ctx = await asyncio.wait_for(getattr(app.earth, method)(request["path"], **kwargs), 10)
    except Exception as exc:
        record["raised"] = error_names(exc)
        return record
    record["status"] = int(res.status)
    record["payload"] = payload(res.body)
    record["typed"] = any(bytes(k).lower() == b"content-type" for k, _ in res.headers)
    return record
