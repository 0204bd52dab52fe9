"""`req`: a thin view over the ASGI scope and the routing result. Nothing is
parsed until it is read, and nothing is parsed twice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Generic, NamedTuple, TypeVar

import msgspec

from ._body import chunks
from .errors import MalformedJSON

if TYPE_CHECKING:
    from ._core import Head, MultiDict

T = TypeVar("T")

_json_decode = msgspec.json.decode
_UNSET: Any = object()


class Address(NamedTuple):
    """The client's address: `req.ip.address`, `req.ip.port`."""

    address: str | None
    port: int | str | None


class Request(Generic[T]):
    """What the client sent, as the handler and hooks see it. `Request[T]`
    types `req.data` for routes whose body has a contract."""

    __slots__ = (
        "_head",
        "_scope",
        "_receive",
        "_body",
        "_limit",
        "app",
        "mounted",
        "_json",
        "_data",
        "_streamed",
    )

    def __init__(self, head: Head, scope: dict, receive: Any, app: Any, mounted: Any, body: bytes | None, limit: int | None) -> None:
        self._head = head
        self._scope = scope
        self._receive = receive
        self._body = body
        self._limit = limit
        self.app = app
        self.mounted = mounted
        self._json = _UNSET
        self._data = _UNSET
        self._streamed = False

    # -- routing ---------------------------------------------------------

    @property
    def params(self) -> dict[str, Any]:
        """Path parameters, converted to their declared types; `*` holds
        what a trailing wildcard captured."""
        return self._head.params

    @property
    def route(self) -> str | None:
        """The matched pattern, as registered."""
        return self._head.route

    @property
    def subdomain(self) -> str:
        return self._head.subdomain

    # -- the request line ----------------------------------------------

    @property
    def method(self) -> str:
        return self._scope.get("method", "GET")

    @property
    def path(self) -> str:
        return self._scope.get("path", "/")

    @property
    def querystring(self) -> str:
        return self._head.query_string.decode("latin-1")

    @property
    def url(self) -> str:
        """Path plus query string."""
        qs = self._scope.get("query_string")
        path = self._scope.get("path", "/")
        return f"{path}?{qs.decode('latin-1')}" if qs else path

    @property
    def queries(self) -> MultiDict:
        """Query parameters, typed where the route declared hints
        (`/search?page:int`). A repeated name reads as a list; `getlist`
        always gives one."""
        return self._head.queries

    @property
    def scheme(self) -> str:
        return self._scope.get("scheme", "http")

    @property
    def host(self) -> str:
        return self._head.host

    @property
    def ip(self) -> Address:
        client = self._head.client
        return Address(*client) if client else Address(None, None)

    # -- headers ----------------------------------------------------------

    @property
    def headers(self) -> MultiDict:
        """Case-insensitive; `headers['x']` is the first value, `getlist('x')` all."""
        return self._head.headers

    @property
    def cookies(self) -> dict[str, str]:
        return self._head.cookies

    # -- body -------------------------------------------------------------

    @property
    def body(self) -> bytes:
        """The whole body. On `stream=True` routes it is empty: the body is
        never kept, read it with `req.stream()`."""
        return self._body or b""

    @property
    def json(self) -> Any:
        """The body decoded as JSON (None for an empty body). Malformed JSON
        raises `MalformedJSON`, a `BadRequest`: uncaught it answers 400."""
        if self._json is _UNSET:
            body = self._body
            if not body:
                self._json = None
            else:
                try:
                    self._json = _json_decode(body)
                except msgspec.DecodeError as exc:
                    raise MalformedJSON(f"Bad Request: malformed JSON body ({exc})") from exc
        return self._json

    @property
    def data(self) -> Any:
        """The validated body when the route has a contract, else `req.json`."""
        if self._data is _UNSET:
            return self.json
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    async def stream(self) -> AsyncIterator[bytes]:
        """Body chunks as they arrive (routes registered with `stream=True`).
        Raises `PayloadTooLarge` past the app's `max_body_size`. On other
        routes it yields the buffered body once."""
        if self._streamed or self._body is not None:
            if self._body:
                yield self._body
            return
        self._streamed = True
        async for chunk in chunks(self._receive, self._head.content_length, self._limit):
            yield chunk

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"
