"""`res`: what the handler and hooks build up. The body keeps whatever was
assigned (a dict stays a dict for AFTER hooks to inspect) and is encoded
once, when the response is sent."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable

import msgspec

from ._cookies import format_cookie
from ._files import FileBody, content_disposition, resolve
from ._headers import HeaderView, _name_cache, header_name, header_value, text_headers
from .streaming import StreamBody
from .templates import templates_for

_json_encode = msgspec.json.Encoder().encode

TEXT = b"text/plain; charset=utf-8"
JSON = b"application/json"
_TEXT_STR = TEXT.decode()
_JSON_STR = JSON.decode()
_CONTENT_TYPE = b"content-type"
_CONTENT_LENGTH = b"content-length"
# Content-Length values for small bodies, formatted once.
_LENGTHS = tuple(b"%d" % n for n in range(4096))
_SET_COOKIE = b"set-cookie"


def encode_body(body: Any) -> tuple[bytes, bytes | None]:
    """The bytes to send and the content type they imply (None: no default)."""
    kind = type(body)
    if kind is bytes:
        return body, None
    if kind is str:
        return body.encode(), TEXT
    if body is None:
        return b"", None
    if kind is dict or kind is list:
        return _json_encode(body), JSON
    if kind is int or kind is float:
        return str(body).encode(), TEXT
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body), None
    if isinstance(body, str):
        return str(body).encode(), TEXT
    try:
        # msgspec Structs, dataclasses, tuples, bools, datetimes, UUIDs...
        return _json_encode(body), JSON
    except TypeError as exc:
        raise TypeError(f"res.body of type {kind.__name__} cannot be sent: {exc}") from exc


class Response:
    """`res.status`, `res.body`, headers, cookies, `abort`, `redirect`, `defer`."""

    __slots__ = ("status", "body", "_headers", "_typed", "_aborted", "_deferred", "app", "_req", "_ctx")

    #: `res.status = res.http.CREATED`
    http = HTTPStatus

    def __init__(self, app: Any, req: Any = None) -> None:
        self.status: int = 200
        self.body: Any = None
        self._headers: list[tuple[bytes, bytes]] = []
        self._typed = False
        self._aborted = False
        self._deferred: list[Callable[[Any], Any]] | None = None
        self.app = app
        self._req = req
        self._ctx: Any = None

    # -- headers ----------------------------------------------------------

    def header(self, name: str, value: Any) -> Response:
        """Set a header, replacing any of the same name (case-insensitive);
        `Set-Cookie` accumulates instead. `None` removes; a list joins with
        ', '. Values with CR/LF are refused. Returns `res` for chaining."""
        key = _name_cache.get(name) if type(name) is str else None
        if key is None:
            key = header_name(name)
        headers = self._headers
        if value is None:
            self._headers = [h for h in headers if h[0] != key]
            if key == _CONTENT_TYPE:
                self._typed = False
            return self
        if type(value) is str and value.isascii() and value.isprintable():
            raw = value.encode()  # printable ASCII: no CR, LF or NUL to refuse
        else:
            raw = header_value(name, value)
        if key != _SET_COOKIE:
            for existing in headers:
                if existing[0] == key:
                    self._headers = headers = [h for h in headers if h[0] != key]
                    break
        headers.append((key, raw))
        if key == _CONTENT_TYPE:
            self._typed = True
        return self

    @property
    def headers(self) -> HeaderView:
        return HeaderView(self._headers)

    @headers.setter
    def headers(self, pair: tuple[str, Any] | dict[str, Any]) -> None:
        """`res.headers = 'Content-Type', 'text/html'` sets one header."""
        if isinstance(pair, dict):
            for name, value in pair.items():
                self.header(name, value)
            return
        try:
            name, value = pair
        except (TypeError, ValueError):
            raise TypeError("assign res.headers a (name, value) pair, e.g. res.headers = 'X-Id', '7'") from None
        self.header(name, value)

    def cookie(
        self,
        name: str,
        value: str = "",
        max_age: int | None = None,
        expires: Any = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = "lax",
        partitioned: bool = False,
    ) -> Response:
        """Add a `Set-Cookie` header. `expires` takes a datetime, seconds from
        now, or a preformatted date. `max_age=0` deletes the cookie. Values
        or attributes a header cannot carry raise ValueError."""
        line = format_cookie(
            name,
            value,
            max_age=max_age,
            expires=expires,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )
        self._headers.append((_SET_COOKIE, header_value("Set-Cookie", line)))
        return self

    # -- shortcuts --------------------------------------------------------

    def abort(self, body: Any = None) -> Response:
        """Send the response as it stands: remaining hooks and the handler
        (and every AFTER hook) are skipped."""
        self.body = body
        self._aborted = True
        return self

    @property
    def aborted(self) -> bool:
        return self._aborted

    def out(self, status: int, body: Any, headers: Any = None) -> Response:
        self.status = status
        self.body = body
        if headers:
            if isinstance(headers, dict):
                self.headers = headers
            elif isinstance(headers, (list, tuple)) and headers and isinstance(headers[0], (list, tuple)):
                for name, value in headers:
                    self.header(name, value)
            else:
                self.headers = headers
        return self

    def redirect(self, location: str, permanent: bool = False) -> Response:
        """307 (or 308 when permanent): method and body are kept on the way."""
        self.status = 308 if permanent else 307
        return self.header("Location", location)

    def defer(self, fn: Callable[[Any], Any]) -> Response:
        """Run `fn(app)` (sync or async) after the response has been sent."""
        if not callable(fn):
            raise TypeError(f"res.defer needs a callable, got {fn!r}")
        if self._deferred is None:
            self._deferred = []
        self._deferred.append(fn)
        return self

    # -- files, streams, templates ------------------------------------------

    def file(self, path: str | Any, filename: str | None = None, within: str | Any = None) -> Response:
        """Send a file. With `within`, `path` is resolved inside that folder
        and anything that leaves it (`..`, absolute paths, symlinks out) is a
        404. `filename` makes it a download under that name. Conditional
        requests get 304, a single `Range` gets 206 (or 416). A `filename`
        with control characters is refused here, with ValueError."""
        disposition = None if filename is None else content_disposition(filename)
        self.body = FileBody(resolve(path, within), disposition)
        return self

    def stream(self, source: Any, content_type: str | None = None, sse: bool = False) -> Response:
        """Send the items of an async iterator as they come. `sse=True` frames
        each item as a server-sent event (see `heaven.Event`)."""
        self.body = StreamBody(source, sse)
        if sse:
            self.header("Cache-Control", "no-cache")
            self.header("X-Accel-Buffering", "no")
        if content_type is not None or sse or not self._typed:
            self.header("Content-Type", content_type or ("text/event-stream" if sse else "application/octet-stream"))
        return self

    def _template_vars(self, variables: dict[str, Any]) -> dict[str, Any]:
        req = self._req
        return {"req": req, "res": self, "ctx": self._ctx, "app": self.app, **variables}

    async def render(self, template: str, **variables: Any) -> Response:
        """Render a template (async Jinja2) into the body as HTML; `req`,
        `res`, `ctx` and `app` are available in every template."""
        env = templates_for(self.app).environment(asynchronous=True)
        self.body = await env.get_template(template).render_async(self._template_vars(variables))
        if not self._typed:
            self.header("Content-Type", "text/html; charset=utf-8")
        return self

    def renders(self, template: str, **variables: Any) -> Response:
        """`render`, synchronously (for sync handlers)."""
        env = templates_for(self.app).environment(asynchronous=False)
        self.body = env.get_template(template).render(self._template_vars(variables))
        if not self._typed:
            self.header("Content-Type", "text/html; charset=utf-8")
        return self

    # -- sending ----------------------------------------------------------

    def _finish(self) -> tuple[int, list[tuple[bytes, bytes]], Any]:
        """(status, headers, payload) as they go on the wire. The payload is
        bytes, or an async callable `(send, head_only)` that sends the body."""
        body = self.body
        kind = type(body)
        if kind is str:
            payload, default_type = body.encode(), TEXT
        elif kind is bytes:
            payload, default_type = body, None
        elif kind is dict or kind is list:
            payload, default_type = _json_encode(body), JSON
        elif kind is FileBody:
            return body.respond(self._status(), self._headers, self._req.headers, self._typed)
        elif kind is StreamBody:
            return self._status(), self._headers, body
        elif hasattr(body, "__aiter__"):
            if not self._typed:
                self.header("Content-Type", "application/octet-stream")
            return self._status(), self._headers, StreamBody(body)
        else:
            payload, default_type = encode_body(body)
        headers = self._headers
        if default_type is not None and not self._typed:
            headers.append((_CONTENT_TYPE, default_type))
        size = len(payload)
        headers.append((_CONTENT_LENGTH, _LENGTHS[size] if size < 4096 else b"%d" % size))
        status = self.status
        if type(status) is not int or not 100 <= status <= 599:
            status = self._status()
        return status, headers, payload

    def _finish_rsgi(self) -> tuple[int, list[tuple[str, str]], Any]:
        """`_finish` for RSGI: headers as str pairs (what granian takes), no
        Content-Length (granian sets it for a whole body), and a str body left
        as str for `response_str`. Files and streams go through `_finish`."""
        body = self.body
        kind = type(body)
        if kind is str:
            payload, default_type = body, _TEXT_STR
        elif kind is bytes:
            payload, default_type = body, None
        elif kind is dict or kind is list:
            payload, default_type = _json_encode(body), _JSON_STR
        elif kind is FileBody or kind is StreamBody or hasattr(body, "__aiter__"):
            status, headers, payload = self._finish()
            return status, text_headers(headers), payload
        else:
            payload, default = encode_body(body)
            default_type = default.decode() if default is not None else None
        if self._headers:
            headers = text_headers(self._headers)
            if default_type is not None and not self._typed:
                headers.append(("content-type", default_type))
        elif default_type is not None:
            headers = [("content-type", default_type)]
        else:
            headers = []
        status = self.status
        if type(status) is not int or not 100 <= status <= 599:
            status = self._status()
        return status, headers, payload

    def _status(self) -> int:
        status = self.status
        if type(status) is not int:
            status = int(status)
        if not 100 <= status <= 599:
            raise ValueError(f"res.status must be between 100 and 599, got {status}")
        return status

    def __repr__(self) -> str:
        return f"<Response {self.status}>"
