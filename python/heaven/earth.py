"""`app.earth`: the original Heaven's in-process client. A request goes
through the real ASGI callable and comes back as `(req, res, ctx)`, the
objects the handler saw, with `res` showing what went on the wire: the
encoded body, every header (content type included), after deferred work."""

from __future__ import annotations

import asyncio
import os
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable
from urllib.parse import quote, urlsplit

import msgspec

from ._serving.probe import Probe
from .handler import resolve
from .testing import Lifespan

_HOST = "earth.test"  # two labels: the default subdomain; `api.earth.test` is `api`


def _host(subdomain: str | None) -> str:
    return _HOST if subdomain in (None, "", "www") else f"{subdomain}.{_HOST}"


def _body(body: Any) -> tuple[bytes, bytes | None]:
    if body is None:
        return b"", None
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), None
    if isinstance(body, str):
        return body.encode(), b"text/plain; charset=utf-8"
    return msgspec.json.encode(body), b"application/json"


def _scope(kind: str, method: str, url: str, subdomain: str | None, headers: dict[str, str] | None,
           extra: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    parts = urlsplit(url)
    path = parts.path or "/"
    raw = [(b"host", _host(subdomain).encode())]
    raw += [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in (headers or {}).items()]
    raw += extra
    return {
        "type": kind,
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "ws" if kind == "websocket" else "http",
        "path": path,
        "raw_path": quote(path, safe="/%:@!$&'()*+,;=").encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": (_host(subdomain), 80),
        "subprotocols": [],
        "state": {},
    }


class _Undo:
    """What `bypass` and `swap` return: call `undo()` or use it in `with`."""

    def __init__(self, undo: Callable[[], None]) -> None:
        self.undo = undo

    def __enter__(self) -> _Undo:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.undo()


class Earth:
    """`await app.earth.GET('/users/7')` → `(req, res, ctx)`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        if app._probe is None:
            app._probe = Probe(app)
        self._probe: Probe = app._probe

    async def request(self, method: str, url: str, *, subdomain: str | None = None,
                      headers: dict[str, str] | None = None, body: Any = None) -> tuple[Any, Any, Any]:
        payload, content_type = _body(body)
        extra = [(b"content-length", str(len(payload)).encode())] if payload else []
        if content_type is not None and not any(k.lower() == "content-type" for k in (headers or {})):
            extra.append((b"content-type", content_type))
        scope = _scope("http", method.upper(), url, subdomain, headers, extra)
        seen: dict[str, Any] = {}
        sent: list[dict] = []
        chunks = [payload]

        async def receive() -> dict:
            if chunks:
                return {"type": "http.request", "body": chunks.pop(0), "more_body": False}
            await asyncio.Event().wait()  # nothing more: wait like a quiet client
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        probe = self._probe
        probe.watch(scope, lambda req, res, ctx: seen.update(req=req, res=res, ctx=ctx))
        try:
            await self.app(scope, receive, send)
        finally:
            probe.unwatch(scope)
        start = next((m for m in sent if m["type"] == "http.response.start"), None)
        if start is None:
            raise RuntimeError(f"{method} {url}: the app sent no response")
        res = seen.get("res")
        if res is None:  # answered before any handler ran (404, 405, 400, 413, preflight)
            from .response import Response

            res = Response(self.app)
        res.status = start["status"]
        res._headers = list(start["headers"])
        res.body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return seen.get("req"), res, seen.get("ctx")

    async def GET(self, url: str, **options: Any) -> tuple[Any, Any, Any]:
        return await self.request("GET", url, **options)

    async def POST(self, url: str, **options: Any) -> tuple[Any, Any, Any]:
        return await self.request("POST", url, **options)

    async def PUT(self, url: str, **options: Any) -> tuple[Any, Any, Any]:
        return await self.request("PUT", url, **options)

    async def PATCH(self, url: str, **options: Any) -> tuple[Any, Any, Any]:
        return await self.request("PATCH", url, **options)

    async def DELETE(self, url: str, **options: Any) -> tuple[Any, Any, Any]:
        return await self.request("DELETE", url, **options)

    async def HEAD(self, url: str, **options: Any) -> tuple[Any, Any, Any]:
        return await self.request("HEAD", url, **options)

    async def OPTIONS(self, url: str, **options: Any) -> tuple[Any, Any, Any]:
        return await self.request("OPTIONS", url, **options)

    async def upload(self, url: str, files: dict[str, Any], data: dict[str, Any] | None = None, *,
                     method: str = "POST", subdomain: str | None = None,
                     headers: dict[str, str] | None = None) -> tuple[Any, Any, Any]:
        """A multipart request. `files` maps a field to bytes, a path, or a
        `(filename, content, content_type)` tuple; `data` holds text fields."""
        boundary = f"heaven-earth-{uuid.uuid4().hex}"
        parts: list[bytes] = []
        for name, value in (data or {}).items():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
        for name, spec in files.items():
            filename, content, content_type = _file_spec(name, spec)
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {**(headers or {}), "content-type": f"multipart/form-data; boundary={boundary}"}
        return await self.request(method, url, subdomain=subdomain, headers=headers, body=body)

    def SOCKET(self, url: str, *, subdomain: str | None = None, headers: dict[str, str] | None = None) -> EarthSocket:
        """`async with app.earth.SOCKET('/chat') as ws: await ws.send('hi')`."""
        return EarthSocket(self.app, _scope("websocket", "GET", url, subdomain, headers, []))

    @asynccontextmanager
    async def test(self) -> AsyncIterator[Earth]:
        """Run the app's lifespan around a block: startup callbacks and
        daemons before, shutdown after. A failing startup raises."""
        lifespan = Lifespan(self.app)
        await lifespan.startup()
        try:
            yield self
        finally:
            await lifespan.shutdown()

    def bypass(self, *hooks: Any) -> _Undo:
        """Skip these hooks (callables or import strings) until undone."""
        ids = {id(resolve(h, "earth.bypass")) for h in hooks}
        self._probe.bypass(ids)
        return _Undo(lambda: self._probe.unbypass(ids))

    def swap(self, old: Any, new: Any) -> _Undo:
        """Use `new` wherever `old` (a handler or hook, as registered) runs."""
        key = id(old) if not isinstance(old, str) else id(resolve(old, "earth.swap"))
        self._probe.swap(key, resolve(new, "earth.swap"))
        return _Undo(lambda: self._probe.unswap(key))

    def restore(self) -> None:
        """Undo every bypass and swap."""
        self._probe.restore()


def _file_spec(name: str, spec: Any) -> tuple[str, bytes, str]:
    if isinstance(spec, tuple):
        filename, content, *rest = spec
        content_type = rest[0] if rest else "application/octet-stream"
        return filename, content.encode() if isinstance(content, str) else bytes(content), content_type
    if isinstance(spec, (bytes, bytearray)):
        return name, bytes(spec), "application/octet-stream"
    if isinstance(spec, (str, os.PathLike)):
        with open(spec, "rb") as handle:
            return os.path.basename(os.fspath(spec)), handle.read(), "application/octet-stream"
    raise TypeError(f"earth.upload: file {name!r} must be bytes, a path or (filename, content[, content_type])")


class EarthSocket:
    """One in-process websocket conversation with the app."""

    def __init__(self, app: Any, scope: dict[str, Any]) -> None:
        self._app = app
        self._scope = scope
        self._to_app: asyncio.Queue[dict] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self.accepted = False
        #: The close code the app sent (1008 when refused), once closed.
        self.close_code: int | None = None

    async def __aenter__(self) -> EarthSocket:
        async def receive() -> dict:
            return await self._to_app.get()

        async def send(message: dict) -> None:
            await self._from_app.put(message)

        self._task = asyncio.get_running_loop().create_task(self._app(self._scope, receive, send))
        await self._to_app.put({"type": "websocket.connect"})
        first = await self._from_app.get()
        if first["type"] == "websocket.accept":
            self.accepted = True
        else:
            self.close_code = first.get("code", 1000)
        return self

    async def send(self, data: str | bytes) -> None:
        key = "text" if isinstance(data, str) else "bytes"
        await self._to_app.put({"type": "websocket.receive", key: data})

    async def receive(self, timeout: float = 5.0) -> str | bytes | None:
        """The app's next message, or None once it closed the socket."""
        if self.close_code is not None:
            return None
        message = await asyncio.wait_for(self._from_app.get(), timeout)
        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            return None
        return message.get("text") if message.get("text") is not None else message.get("bytes")

    async def close(self, code: int = 1000) -> None:
        if self._task is None:
            return
        await self._to_app.put({"type": "websocket.disconnect", "code": code})
        try:
            await asyncio.wait_for(self._task, 5)
        finally:
            self._task = None

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
