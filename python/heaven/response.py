"""`res`: what the handler and hooks build up. The body keeps whatever was
assigned (a dict stays a dict for AFTER hooks to inspect) and is encoded
once, when the response is sent."""

from __future__ import annotations

import os
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Callable

import msgspec

from ._http.cookies import format_cookie
from ._http.files import FileBody, confined_path, content_disposition
from ._core import header_names, put_header
from ._http.headers import NAME_CACHE, HeaderView, header_name, header_value
from ._http.location import quote_location
from .context import Context
from .errors import NotFound
from .streaming import StreamBody
from .templates import templates_for


def _builtin(value: Any) -> Any:
    """What JSON cannot encode as is: mappings (`req.queries`, `req.headers`)
    as objects."""
    if isinstance(value, Mapping):
        return dict(value.items())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


json_encode = msgspec.json.Encoder(enc_hook=_builtin).encode

#: The content types heaven gives a body it encoded itself.
TEXT = b"text/plain; charset=utf-8"
JSON = b"application/json"
_CONTENT_TYPE = b"content-type"
header_names(NAME_CACHE)  # the names `put_header` knows: those `header_name` cached
_SET_COOKIE = b"set-cookie"
# The statuses a response can carry, each to itself (a lookup is cheaper than a range check).
_STATUSES = {n: n for n in range(100, 600)}


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
        return json_encode(body), JSON
    if kind is int or kind is float:
        return str(body).encode(), TEXT
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body), None
    if isinstance(body, str):
        return str(body).encode(), TEXT
    try:
        # msgspec Structs, dataclasses, tuples, bools, datetimes, UUIDs...
        return json_encode(body), JSON
    except TypeError as exc:
        raise TypeError(f"res.body of type {kind.__name__} cannot be sent: {exc}") from exc


class ResponseHeaders(HeaderView):
    """`res.headers` read back: iterating gives the `(name, value)` byte
    pairs as they will be sent (Heaven 2.4.3's list shape); `get`,
    `getlist` and `in` look names up case-insensitively."""

    __slots__ = ()

    def __iter__(self) -> Any:
        return iter(list(self._items))

    def __contains__(self, item: object) -> bool:
        if isinstance(item, tuple):
            return item in self._items
        return isinstance(item, str) and self.get(item) is not None

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, slice)):
            return self._items[key]
        return super().__getitem__(key)


# `res.cookie(...)` option names Heaven 2.4.3 also accepted.
_COOKIE_ALIASES = {"http_only": "httponly", "same_site": "samesite", "maxage": "max_age"}


class Response:
    """`res.status`, `res.body`, headers, cookies, `abort`, `redirect`, `defer`."""

    __slots__ = (
        "status", "body", "_headers", "_typed", "_aborted", "_deferred", "app", "_req", "_ctx", "_metadata", "_template"
    )

    #: `res.status = res.http.CREATED`
    http = HTTPStatus

    def __init__(self, app: Any, context: Any = None, request: Any = None) -> None:
        # Heaven 2.4.3 documents Response(app, context, request); heaven's own
        # dispatcher calls Response(app, req).
        if request is None and context is not None and type(context) is not Context:
            context, request = None, context
        self.status: int = 200
        self.body: Any = None
        self._headers: list[tuple[bytes, bytes]] = []
        self._typed = False
        self._aborted = False
        self._deferred: list[Callable[[Any], Any]] | None = None
        self.app = app
        self._req = request
        self._ctx: Any = context

    # -- headers ----------------------------------------------------------

    def header(self, name: str, value: Any) -> Response:
        """Set a header, replacing any of the same name (case-insensitive);
        `Set-Cookie` accumulates instead. `None` removes; a list joins with
        ', '. Values with CR/LF are refused. Returns `res` for chaining."""
        done = put_header(self._headers, name, value)  # the usual case, natively
        if done < 0:
            return self._header(name, value)
        if done:
            self._typed = True
        return self

    def _header(self, name: str, value: Any) -> Response:
        """`header`, every case: what `put_header` leaves."""
        key = NAME_CACHE.get(name) if type(name) is str else None
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
    def headers(self) -> ResponseHeaders:
        return ResponseHeaders(self._headers)

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
        **aliases: Any,
    ) -> Response:
        """Add a `Set-Cookie` header. `expires` takes a datetime, seconds from
        now, or a preformatted date. `max_age=0` deletes the cookie. The
        spellings `http_only`, `same_site` and `maxage` work too. Values or
        attributes a header cannot carry raise ValueError."""
        options = {
            "max_age": max_age, "expires": expires, "path": path, "domain": domain, "secure": secure,
            "httponly": httponly, "samesite": samesite, "partitioned": partitioned,
        }
        for key, given in aliases.items():
            canonical = _COOKIE_ALIASES.get(key.lower(), key.lower())
            if canonical not in options:
                raise TypeError(f"res.cookie() got an unknown option {key!r}")
            options[canonical] = given
        line = format_cookie(name, value, **options)
        self._headers.append((_SET_COOKIE, header_value("Set-Cookie", line)))
        return self

    @property
    def deferred(self) -> bool:
        """True when `res.defer` queued something."""
        return bool(self._deferred)

    @property
    def json(self) -> Any:
        """The body as data: a dict or list body as it is, bytes or text
        decoded as JSON (what a test asserts on, before or after sending)."""
        body = self.body
        if isinstance(body, (dict, list)) or body is None:
            return body
        return msgspec.json.decode(body.encode() if isinstance(body, str) else bytes(body))

    @property
    def text(self) -> str:
        """The body as text."""
        body = self.body
        if isinstance(body, str):
            return body
        if isinstance(body, (bytes, bytearray, memoryview)):
            return bytes(body).decode()
        return encode_body(body)[0].decode()

    @property
    def metadata(self) -> dict[str, Any]:
        """Heaven 2.4.3 merged this dict into the ASGI body message; heaven
        keeps it for code that sets it, and sends nothing from it (an RSGI
        response has no such message)."""
        try:
            return self._metadata
        except AttributeError:
            self._metadata: dict[str, Any] = {}
            return self._metadata

    @metadata.setter
    def metadata(self, value: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise ValueError("res.metadata must be a dict")
        self._metadata = value

    @property
    def template(self) -> Any:
        """A template name kept on the response (2.4.3 documents it as
        write-only); `render` is what renders."""
        return getattr(self, "_template", None)

    @template.setter
    def template(self, name: Any) -> None:
        self._template = name

    # -- shortcuts --------------------------------------------------------

    def abort(self, body: Any = None, status: int | None = None) -> Response:
        """Send the response as it stands (with `body`, and `status` when
        given): remaining hooks and the handler (and every AFTER hook) are
        skipped."""
        if status is not None:
            self.status = status
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

    def redirect(self, location: str, permanent: bool = False, status: int | None = None) -> Response:
        """307 (or 308 when permanent): method and body are kept on the way;
        `status` chooses another (301, 302, 303). Non-ASCII characters and
        spaces in `location` are percent-encoded (`%XX` escapes and reserved
        characters are kept); a control character raises ValueError."""
        if status is not None and (not isinstance(status, int) or not 300 <= status <= 399):
            raise ValueError(f"res.redirect status must be a 3xx status, got {status!r}")
        self.status = status if status is not None else 308 if permanent else 307
        return self.header("Location", quote_location(location))

    def defer(self, fn: Callable[[Any], Any]) -> Response:
        """Run `fn(app)` (sync or async) after the response has been sent."""
        if not callable(fn):
            raise TypeError(f"res.defer needs a callable, got {fn!r}")
        if self._deferred is None:
            self._deferred = []
        self._deferred.append(fn)
        return self

    # -- files, streams, templates ------------------------------------------

    def file(
        self, path: str | Any, filename: str | None = None, chunk_size: int | None = None, within: str | Any = None
    ) -> Response:
        """Send a file. With `within`, `path` (relative to it, or a full path
        beneath it) is resolved inside that folder and anything that leaves
        it (`..`, absolute paths elsewhere, symlinks out) is a 404
        `File not found`, as is a missing file; the handler goes on either
        way. `filename` makes it a download under that name (a `filename`
        with control characters is refused here, with ValueError); else it
        is sent inline under its own name. Conditional requests get 304, a
        single `Range` gets 206 (or 416). `chunk_size` is accepted for
        Heaven 2.4.3 code; heaven reads in its own chunks."""
        disposition = None if filename is None else content_disposition(filename)
        if within is not None and os.path.isabs(os.fspath(path)):
            # "the full path to a file beneath it": check it from inside.
            path = os.path.relpath(os.fspath(path), os.fspath(within))
        try:
            target = confined_path(path, within)
        except NotFound:
            self.status = 404
            self.body = b"File not found"
            return self
        if disposition is None:
            disposition = b"inline" + content_disposition(os.path.basename(target))[len(b"attachment"):]
        self.body = FileBody(target, disposition)
        return self

    def stream(
        self, source: Any, content_type: str | None = "text/plain", status: int | None = None, sse: bool = False
    ) -> Response:
        """Send the items of an async iterator as they come. `sse=True` frames
        each item as a server-sent event (see `heaven.Event`). `status`
        sets `res.status` (Heaven 2.4.3's signature)."""
        self.body = StreamBody(source, sse)
        if status is not None:
            self.status = status
        self.header("Cache-Control", "no-cache")
        if sse:
            self.header("X-Accel-Buffering", "no")
        self.header("Content-Type", "text/event-stream" if sse else (content_type or "application/octet-stream"))
        return self

    async def interpolate(self, template: str, **variables: Any) -> str:
        """Render a template to a string (the body is left alone)."""
        env = templates_for(self.app).environment(asynchronous=True)
        return await env.get_template(template).render_async(self._template_vars(variables))

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

    def _returned(self, value: Any, route: str) -> None:
        """A handler's return value (not None, not `res`) is the body; one
        that contradicts a body the handler also set is refused (a 500,
        logged with the route) rather than dropped."""
        body = self.body
        if body is None or body is value:
            self.body = value
            return
        raise TypeError(
            f"the handler of {route} returned a {type(value).__name__} and also set res.body to a "
            f"{type(body).__name__}: return the body or assign it, not both"
        )

    # -- sending ----------------------------------------------------------

    def _finish(self) -> tuple[int, Any, bytes | None]:
        """`(status, payload, content_type)` as the response goes out: the
        payload is `bytes` or `str` (a whole body), a `StreamBody` or a
        `FileSpan`; `content_type` is the type to add, None when a header
        already names one. Headers stay in `self._headers`."""
        body = self.body
        kind = type(body)
        if kind is str:
            # Sent as it is (the wire encodes it), unless it is not ASCII: encoded here, so that
            # a str UTF-8 cannot encode (a lone surrogate) fails where the error handlers answer it.
            payload, default_type = body if body.isascii() else body.encode(), TEXT
        elif kind is bytes:
            payload, default_type = body, None
        elif kind is dict or kind is list:
            payload, default_type = json_encode(body), JSON
        elif kind is FileBody:
            status, payload = body.respond(self._status(), self._headers, self._req.headers, self._typed)
            return status, payload, None
        elif kind is StreamBody:
            return self._status(), body, None
        elif hasattr(body, "__aiter__"):
            if not self._typed:
                self.header("Content-Type", "application/octet-stream")
            return self._status(), StreamBody(body), None
        else:
            payload, default_type = encode_body(body)
        status = _STATUSES.get(self.status)  # the int, for any spelling of a valid status
        if status is None:
            status = self._status()
        return status, payload, None if self._typed else default_type

    def _status(self) -> int:
        status = self.status
        if type(status) is not int:
            status = int(status)
        if not 100 <= status <= 599:
            raise ValueError(f"res.status must be between 100 and 599, got {status}")
        return status

    def __repr__(self) -> str:
        return f"<Response {self.status}>"
