"""`app.earth`: the original Heaven's in-process client. A request goes
through the real ASGI callable and comes back as `(req, res, ctx)`, the
objects the handler saw, with `res` showing what went on the wire: the
encoded body, every header (content type included), after deferred work.
Inside `async with app.earth.test():` cookies the app sets are sent back
on the next requests, as a browser would. `earth.request(url)`,
`earth.response()`, `earth.context()` and `earth.trio(url)` build the three
objects without sending anything, for calling a handler directly."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any, Callable
from urllib.parse import quote

import msgspec

from ._serving.probe import Probe
from ._routing.callables import load_callable
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
    # Not urlsplit: `//users` is a path here, not a host.
    path, _, query = url.partition("?")
    path = path.partition("#")[0] or "/"
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
        "query_string": query.encode(),
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
        #: Cookies set by the app, sent back on later requests (in `test()`).
        self.cookies: dict[str, str] = {}
        self._track_session = False

    # -- building the three objects without sending anything -------------------

    def request(self, url: str = "/", method: str = "GET", body: Any = b"", headers: dict[str, str] | None = None,
                subdomain: str | None = None, **_: Any) -> Any:
        """A `Request` for `url` as the app would route it (params filled in
        when a route matches), for calling a handler directly."""
        from .request import Request

        payload, content_type = _body(body)
        extra = [(b"content-type", content_type)] if content_type is not None else []
        scope = _scope("http", method.upper(), url, subdomain, self._with_cookies(headers), extra)
        matcher = self.app._matcher or self.app._compile()
        head = matcher.route(scope)
        entry = head._entry
        app = entry.app if entry is not None else self.app
        mounted = entry.mounted if entry is not None else None
        return Request(head, payload, None, app, mounted, self.app)

    def response(self, req: Any = None) -> Any:
        from .context import Context
        from .response import Response

        req = req if req is not None else self.request("/")
        res = Response(self.app, None, req)
        res._ctx = Context(req, res)
        return res

    def context(self) -> Any:
        from .context import Context

        return Context(self.app)

    def trio(self, url: str = "/", method: str = "GET", **kwargs: Any) -> tuple[Any, Any, Any]:
        """`(req, res, ctx)` for `url`, linked as a request's are."""
        from .context import Context
        from .response import Response

        req = self.request(url, method, **kwargs)
        res = Response(self.app, None, req)
        res._ctx = ctx = Context(req, res)
        return req, res, ctx

    req = request
    res = response
    ctx = context

    # -- sending requests --------------------------------------------------------

    def _with_cookies(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if self.cookies and not any(k.lower() == "cookie" for k in out):
            out["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return out

    def _keep_cookies(self, headers: list[tuple[bytes, bytes]]) -> None:
        for name, value in headers:
            if name.lower() != b"set-cookie":
                continue
            text = value.decode("latin-1")
            pair, _, attributes = text.partition(";")
            key, eq, val = pair.partition("=")
            if not eq:
                continue
            expired = any(a.strip().lower() in ("max-age=0",) for a in attributes.split(";"))
            if expired:
                self.cookies.pop(key.strip(), None)
            else:
                self.cookies[key.strip()] = val.strip()

    async def send(self, method: str, url: str, *, subdomain: str | None = None,
                   headers: dict[str, str] | None = None, body: Any = None) -> tuple[Any, Any, Any]:
        """Send one request through the app; `(req, res, ctx)` back. A dict
        or list `body` goes as JSON, a str as text."""
        payload, content_type = _body(body)
        extra = [(b"content-length", str(len(payload)).encode())] if payload else []
        if content_type is not None and not any(k.lower() == "content-type" for k in (headers or {})):
            extra.append((b"content-type", content_type))
        sent_headers = self._with_cookies(headers) if self._track_session else headers
        scope = _scope("http", method.upper(), url, subdomain, sent_headers, extra)
        seen: dict[str, Any] = {}
        sent: list[dict[str, Any]] = []
        chunks = [payload]

        async def receive() -> dict[str, Any]:
            if chunks:
                return {"type": "http.request", "body": chunks.pop(0), "more_body": False}
            await asyncio.Event().wait()  # nothing more: wait like a quiet client
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
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
        if self._track_session:
            self._keep_cookies(res._headers)
        return seen.get("req"), res, seen.get("ctx")

    async def GET(self, url: str, subdomain: str | None = None, **options: Any) -> tuple[Any, Any, Any]:
        return await self.send("GET", url, subdomain=subdomain, **options)

    async def POST(self, url: str, subdomain: str | None = None, **options: Any) -> tuple[Any, Any, Any]:
        return await self.send("POST", url, subdomain=subdomain, **options)

    async def PUT(self, url: str, subdomain: str | None = None, **options: Any) -> tuple[Any, Any, Any]:
        return await self.send("PUT", url, subdomain=subdomain, **options)

    async def PATCH(self, url: str, subdomain: str | None = None, **options: Any) -> tuple[Any, Any, Any]:
        return await self.send("PATCH", url, subdomain=subdomain, **options)

    async def DELETE(self, url: str, subdomain: str | None = None, **options: Any) -> tuple[Any, Any, Any]:
        return await self.send("DELETE", url, subdomain=subdomain, **options)

    async def HEAD(self, url: str, subdomain: str | None = None, **options: Any) -> tuple[Any, Any, Any]:
        return await self.send("HEAD", url, subdomain=subdomain, **options)

    async def OPTIONS(self, url: str, subdomain: str | None = None, **options: Any) -> tuple[Any, Any, Any]:
        return await self.send("OPTIONS", url, subdomain=subdomain, **options)

    async def upload(self, url: str, files: dict[str, Any] | None = None, data: dict[str, Any] | None = None,
                     subdomain: str | None = None, *, method: str = "POST",
                     headers: dict[str, str] | None = None) -> tuple[Any, Any, Any]:
        """A multipart request. `files` maps a field to bytes, a path, or a
        `(filename, content[, content_type])` tuple; `data` holds text fields."""
        boundary = f"heaven-earth-{uuid.uuid4().hex}"
        parts: list[bytes] = []
        for name, value in (data or {}).items():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
        for name, spec in (files or {}).items():
            filename, content, content_type = _file_spec(name, spec)
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {**(headers or {}), "content-type": f"multipart/form-data; boundary={boundary}"}
        return await self.send(method, url, subdomain=subdomain, headers=headers, body=body)

    def SOCKET(self, url: str, subdomain: str | None = None, *, headers: dict[str, str] | None = None) -> EarthSocket:
        """`ws = await app.earth.SOCKET('/chat').connect()`, or
        `async with app.earth.SOCKET('/chat') as ws:`."""
        sent_headers = self._with_cookies(headers) if self._track_session else headers
        return EarthSocket(self.app, _scope("websocket", "GET", url, subdomain, sent_headers, []))

    def test(self, track_session: bool = True) -> _Session:
        """`async with app.earth.test() as earth:` runs the app's lifespan
        around the block (startup callbacks and daemons before, shutdown
        after; a failing startup raises) and, with `track_session`, sends the
        cookies the app sets back on later requests."""
        return _Session(self, track_session)

    def bypass(self, *hooks: Any) -> _Undo:
        """Skip these hooks (callables or import strings) until undone."""
        ids = {id(load_callable(h, "earth.bypass")) for h in hooks}
        self._probe.bypass(ids)
        return _Undo(lambda: self._probe.unbypass(ids))

    def swap(self, old: Any, new: Any) -> _Undo:
        """Use `new` wherever `old` (a handler, hook or lifecycle callback,
        as registered) runs."""
        key = id(old) if not isinstance(old, str) else id(load_callable(old, "earth.swap"))
        self._probe.swap(key, load_callable(new, "earth.swap"))
        return _Undo(lambda: self._probe.unswap(key))

    def restore(self) -> None:
        """Undo every bypass and swap."""
        self._probe.restore()


class _Session:
    """What `earth.test()` returns: an async context manager around the
    app's lifespan, yielding the earth."""

    def __init__(self, earth: Earth, track_session: bool) -> None:
        self.earth = earth
        self.track_session = track_session
        self._lifespan: Lifespan | None = None

    async def __aenter__(self) -> Earth:
        self.earth._track_session = self.track_session
        self.earth.cookies = {}
        self._lifespan = Lifespan(self.earth.app)
        await self._lifespan.startup()
        return self.earth

    async def __aexit__(self, *exc: Any) -> None:
        try:
            if self._lifespan is not None:
                await self._lifespan.shutdown()
        finally:
            self.earth._track_session = False
            self.earth.cookies = {}


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
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.accepted = False
        self.closed = False
        #: The handshake's HTTP status when the app refused it, else None.
        self.status: int | None = None
        #: The close code the app sent (1008 when refused), once closed.
        self.close_code: int | None = None

    async def connect(self) -> EarthSocket:
        """Open the connection (the app accepts or refuses it); returns the socket."""
        if self._task is not None:
            return self

        async def receive() -> dict[str, Any]:
            return await self._to_app.get()

        async def send(message: dict[str, Any]) -> None:
            await self._from_app.put(message)

        self._task = asyncio.get_running_loop().create_task(self._app(self._scope, receive, send))
        await self._to_app.put({"type": "websocket.connect"})
        first = await self._from_app.get()
        if first["type"] == "websocket.accept":
            self.accepted = True
        else:
            self.closed = True
            self.close_code = first.get("code", 1000)
            self.status = 403 if first["type"] == "websocket.close" else first.get("status")
        return self

    async def __aenter__(self) -> EarthSocket:
        return await self.connect()

    async def send(self, data: str | bytes) -> None:
        key = "text" if isinstance(data, str) else "bytes"
        await self._to_app.put({"type": "websocket.receive", key: data})

    async def receive(self, timeout: float | None = None) -> str | bytes | None:
        """The app's next message, or None once it closed the socket.
        `timeout` (seconds) raises `asyncio.TimeoutError` when nothing came."""
        if self.close_code is not None:
            return None
        message = await asyncio.wait_for(self._from_app.get(), timeout)
        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            self.closed = True
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
            self.closed = True
            self.accepted = False

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


#: Heaven 2.4.3's names for these classes.
MockSocket = EarthSocket
EarthContextManager = _Session
