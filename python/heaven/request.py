"""`req`: a thin view over the ASGI scope and the routing result. Nothing is
parsed until it is read, and nothing is parsed twice.

`Request` subclasses the native `_core.Head`, the routing result: what the
head reads from the scope (`params`, `headers`, `queries`, `cookies`,
`method`, `path`, `scheme`, `host`, `server`, `subdomain`) is inherited,
and the request is one object, made with its head in the same native call
(`_serving/exchange.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, AsyncIterator, Generic, NamedTuple, TypeVar

import msgspec

from . import _core
from . import form as _form_module
from ._http.multipart import MultipartParser
from ._serving.body import counted
from .errors import MalformedJSON
from .forms import Form, parse_content_type, parse_urlencoded
from ._core import Head

T = TypeVar("T")

_json_decode = msgspec.json.decode
#: What `req.json` and `req.data` hold until first read (set by the lifecycle too).
UNREAD: Any = object()

# `req.queries` and `req.headers` are read-only multi-maps built in Rust; they
# are mappings (get, [], keys, items...), and say so to isinstance checks.
Mapping.register(_core.MultiDict)


class Address(NamedTuple):
    """The client's address: `req.ip.address`, `req.ip.port`."""

    address: str | None
    port: int | str | None


class Request(Head, Generic[T]):
    """What the client sent, as the handler and hooks see it. `Request[T]`
    types `req.data` for routes whose body has a contract."""

    __slots__ = (
        "_reader",
        "_body",
        "_server",
        "app",
        "mounted",
        "_json",
        "_data",
        "_streamed",
        "_drained",
        "_form",
        "_id",  # set only by heaven.middleware.RequestId: unset costs nothing per request
        # Set only on routes whose contract reads them (unset costs nothing per request).
        "_query_data",
        "_headers_data",
    )
    # Unset until first read (see `query_data`, `headers_data`).
    _query_data: Any
    _headers_data: Any

    def __init__(
        self, head: Head, body: bytes | None, reader: AsyncIterator[bytes] | None, app: Any, mounted: Any, server: Any
    ) -> None:
        # `head`'s routing state was copied when the object was made (`Head.__new__`).
        # The body, read already; or (stream=True routes) its chunks as they arrive.
        self._body = body
        self._reader = reader
        # The app serving the request: its body and form limits apply.
        self._server = server
        self.app = app
        self.mounted = mounted
        # Not read yet (a sentinel: a raised AttributeError per read would cost more).
        self._json = UNREAD
        self._data = UNREAD
        self._streamed = False
        self._drained = body is not None
        self._form: Form | None = None

    @property
    def id(self) -> str | None:
        """The request's id, set by `heaven.middleware.RequestId` (None
        without it)."""
        try:
            return self._id
        except AttributeError:
            return None

    @id.setter
    def id(self, value: str) -> None:
        self._id = value

    # -- routing ---------------------------------------------------------
    # `params`, `subdomain`, `method`, `path`, `queries`, `scheme`, `host`,
    # `server`, `headers` and `cookies` are `Head`'s own (see `_core.pyi`).

    @property
    def route(self) -> str | None:
        """The matched pattern, as registered (without its query hints)."""
        route = self._route
        return route.partition("?")[0] if route is not None and "?" in route else route

    # -- the request line ----------------------------------------------

    @property
    def querystring(self) -> str:
        return self._query_string.decode("latin-1")

    @property
    def url(self) -> str:
        """Path plus query string."""
        qs = self._query_string
        return f"{self.path}?{qs.decode('latin-1')}" if qs else self.path

    @property
    def qh(self) -> str:
        """The route's query hints as written (`page:int&active:bool`)."""
        route = self._route or ""
        return route.partition("?")[2]

    @property
    def ip(self) -> Address:
        client = self._client
        return Address(*client) if client else Address(None, None)

    # -- body -------------------------------------------------------------

    @property
    def body(self) -> bytes:
        """The whole body. On `stream=True` routes nothing is buffered, so it
        raises RuntimeError: read it with `req.stream()`."""
        body = self._body
        if body is None:
            raise RuntimeError(
                "this route was registered with stream=True, so its body was never buffered: "
                "read it with `async for chunk in req.stream():` (or `await req.form`)"
            )
        return body

    @property
    def json(self) -> Any:
        """The body decoded as JSON (None for an empty body). Malformed JSON
        raises `MalformedJSON`, a `BadRequest`: uncaught it answers 400."""
        if self._json is UNREAD:
            body = self.body
            if not body:
                self._json = None
            else:
                try:
                    self._json = _json_decode(body)
                except msgspec.DecodeError as exc:
                    raise MalformedJSON(f"Bad Request: malformed JSON body ({exc})") from exc
                except RecursionError as exc:  # msgspec's depth limit: a client's doing, not ours
                    raise MalformedJSON("Bad Request: the JSON body is nested too deeply") from exc
        return self._json

    @property
    def data(self) -> Any:
        """The body validated by the route's contract (`app.schema`'s
        `expects=` or `form=`), else `req.json`. A body that breaks the
        contract raises `ValidationFailed` (422, naming the failing
        location); one of another Content-Type, `UnsupportedMediaType` (415)."""
        if self._data is UNREAD:
            entry = self._entry
            contract = entry.contract if entry is not None else None
            if contract is None or not contract.has_body:
                return self.json
            self._data = contract.body_of(self)
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    @property
    def query_data(self) -> Any:
        """The query string validated by the route's `query=` contract (an
        instance of its type; None without one). A value that breaks it
        raises `ValidationFailed` (422, `"in": "query"`)."""
        try:
            return self._query_data
        except AttributeError:
            entry = self._entry
            contract = entry.contract if entry is not None else None
            self._query_data = None if contract is None else contract.query_of(self)
            return self._query_data

    @property
    def headers_data(self) -> Any:
        """The headers validated by the route's `headers=` contract (None
        without one); 422 with `"in": "header"` when they break it."""
        try:
            return self._headers_data
        except AttributeError:
            entry = self._entry
            contract = entry.contract if entry is not None else None
            self._headers_data = None if contract is None else contract.headers_of(self)
            return self._headers_data

    async def stream(self) -> AsyncIterator[bytes]:
        """Body chunks as they arrive (routes registered with `stream=True`).
        Raises `PayloadTooLarge` past the app's `max_body_size`. On other
        routes it yields the buffered body once."""
        if self._streamed or self._body is not None:
            if self._body:
                yield self._body
            return
        self._streamed = True
        async for chunk in counted(self._reader, self._content_length, self._server.max_body_size):  # type: ignore[arg-type]  # only stream routes get here, with a reader
            yield chunk
        self._drained = True

    @property
    def form(self) -> Any:
        """The form body (urlencoded or multipart) as a `Form` of str fields
        and `File` uploads; None for other content types. On `stream=True`
        routes use `await req.form`: it is parsed as the body arrives and
        large files spill to disk. `await req.form` works on every route.
        Malformed forms raise `FormError` (400)."""
        form = self._form
        if form is not None:
            return form
        if self._form_kind()[0] not in _FORM_TYPES:
            return None
        if self._body is None:
            return _PendingForm(self)
        self._form = form = self._parse_form(self._body)
        return form

    def _form_kind(self) -> tuple[str, dict[str, str]]:
        return parse_content_type(self.headers.get("content-type", ""))

    def _multipart(self, params: dict[str, str]) -> MultipartParser:
        limits = _form_module.limits(self._server)
        return MultipartParser(params.get("boundary", "").encode(), max_total=self._server.max_body_size, **limits)

    def _parse_form(self, body: bytes) -> Form:
        kind, params = self._form_kind()
        if kind == "application/x-www-form-urlencoded":
            return parse_urlencoded(body, max_fields=_form_module.limits(self._server)["max_parts"])
        if kind == "multipart/form-data":
            parser = self._multipart(params)
            try:
                parser.feed(body)
            except BaseException:
                parser.abort()
                raise
            return parser.close()
        return Form()

    async def _read_form(self) -> Form:
        """Parse the form of a streaming route while its body arrives."""
        if self._form is not None:
            return self._form
        if self._streamed:
            raise RuntimeError("the body was already read with req.stream(): it cannot be parsed as a form too")
        kind, params = self._form_kind()
        if kind == "multipart/form-data":
            parser = self._multipart(params)
            try:
                async for chunk in self.stream():
                    parser.feed(chunk)
            except BaseException:
                parser.abort()
                raise
            form = parser.close()
        elif kind == "application/x-www-form-urlencoded":
            form = parse_urlencoded(
                b"".join([c async for c in self.stream()]), max_fields=_form_module.limits(self._server)["max_parts"]
            )
        else:
            form = Form()
        self._form = form
        return form

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class _PendingForm:
    """`req.form` on a streaming route before it was awaited: the body has
    not arrived yet, so the only thing to do with it is `await` it."""

    __slots__ = ("_req",)

    def __init__(self, req: Request[Any]) -> None:
        self._req = req

    def __await__(self) -> Any:
        return self._req._read_form().__await__()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("on stream=True routes the form must be awaited: form = await req.form")

    __getitem__ = __contains__ = __iter__ = __len__ = get = getlist = _refuse

    def __repr__(self) -> str:
        return "<pending form: await req.form>"
