"""The exceptions heaven raises. Registration mistakes surface at once with
the route in the message; HTTP errors carry the status they answer with."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ._http.headers import header_name, header_value


class HeavenError(Exception):
    """Base of every heaven exception."""


class UrlError(HeavenError, ValueError):
    """A route or hook pattern that cannot be registered."""


class UrlDuplicateError(UrlError):
    """A route registered twice, or two routes no request could tell apart."""


class HandlerError(HeavenError, TypeError):
    """A handler, hook or callback that cannot be used (bad dotted path, not
    callable, not a `heaven.Handler` subclass)."""


class PluginError(HeavenError, TypeError, ValueError):
    """`app.plugin(obj)` where `obj` has no `install(app)` (a ValueError,
    as Heaven 2.4.3 raised, and a TypeError)."""


class SubdomainError(UrlError):
    """A subdomain name that cannot be routed (not a DNS label or `*`)."""


class ParameterError(HeavenError, ValueError):
    """A path parameter value that does not convert to its declared type.
    The router treats it as a miss; it surfaces only from `url_for`."""


class AbortException(HeavenError):
    """Heaven 2.4.3 raised this inside the hook chain on `res.abort()`;
    heaven stops the chain without raising. Kept so code that catches it
    still imports."""


class HTTPError(HeavenError):
    """Raise from a hook or handler to answer with `status` and a plain-text
    `message`; the rest of the chain does not run.

    `detail` says more: a string is a problem's `detail` member (and the
    message, when none is given); a dict is answered as JSON instead of the
    message (and its members join a problem's). `headers` (a dict or `(name, value)` pairs) go out
    with the answer, checked like any header heaven sends."""

    status: int = 500
    #: A dict: the answer is this JSON object instead of the plain message. A str: the message.
    detail: Any = None
    #: Extra response headers, as wire pairs (set through the constructor's `headers=`).
    headers: list[tuple[bytes, bytes]] = []
    # Raised before the request body was read to its end: the answer closes
    # the connection, which cannot carry another request.
    _unread_body: bool = False

    def __init__(
        self, message: str | None = None, status: int | None = None, *, detail: Any = None, headers: Any = None
    ) -> None:
        if status is not None:
            if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
                raise ValueError(f"HTTPError status must be an int between 100 and 599, got {status!r}")
            self.status = int(status)
        if detail is not None:
            if not isinstance(detail, (str, dict)):
                raise TypeError(f"HTTPError detail must be a str or a dict, got {type(detail).__name__}")
            self.detail = detail
            if message is None and isinstance(detail, str):
                message = detail
        if headers:
            pairs = headers.items() if isinstance(headers, dict) else headers
            self.headers = [(header_name(name), header_value(name, value)) for name, value in pairs]
        self.message = message if message is not None else _reason(self.status)
        super().__init__(self.message)


class MethodNotAllowed(HTTPError):
    """405: the path is routed, but not for this method. `allow` lists the
    methods that are (the `Allow` header of the answer)."""

    status = 405

    def __init__(self, allow: str, message: str = "Method not allowed") -> None:
        self.allow = allow
        super().__init__(message, headers=[("Allow", allow)])


class ContractError(HeavenError, TypeError):
    """A schema contract that cannot be used (unknown constraint, a type
    msgspec cannot validate), raised at registration."""


class BadRequest(HTTPError, ValueError):
    """400: the request itself is malformed (bad encoding, bad JSON...)."""

    status = 400


class MalformedJSON(BadRequest):
    """`req.json` on a body that is not valid JSON. Uncaught, it answers 400."""


class IncompleteBody(BadRequest):
    """The request body broke off: the client left while sending it, or its
    chunked framing was malformed (servers report both the same way).
    Answered 400 (a client that has gone never reads it)."""

    _unread_body = True

    def __init__(self, message: str = "Bad Request: the request body ended early or was malformed") -> None:
        super().__init__(message)


class PayloadTooLarge(HTTPError):
    """413: the body is larger than the app's `max_body_size`."""

    status = 413
    _unread_body = True

    def __init__(self, message: str | None = None, status: int | None = None) -> None:
        super().__init__("Payload too large" if message is None else message, status)


class PytasticError(HeavenError):
    """Base of the validation errors (Heaven 2.4.3 re-exported pytastic's)."""


class ValidationError(PytasticError, ValueError):
    """A value that does not satisfy its schema. `errors` lists
    `{'path': ..., 'message': ...}`; `req.data` raises `ValidationFailed`,
    one of these that answers 422."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors if errors is not None else []


class ValidationFailed(HTTPError, ValidationError):
    """422: the request does not satisfy the route's contract. `detail` is
    the JSON answer: the reason and the failing location (`$.address.zip`),
    and, outside a JSON body, which part of the request it is in
    (`"in": "query"`, `"header"` or `"form"`)."""

    status = 422

    def __init__(self, reason: str, path: str = "$", where: str | None = None) -> None:
        self.reason = reason
        self.path = path
        self.where = where
        self.detail = {"error": reason, "path": path}
        if where is not None:
            self.detail["in"] = where
        HTTPError.__init__(self, f"{reason} (at {path}{'' if where is None else ' in the ' + where})")
        self.errors = [{"path": path, "message": reason, **({} if where is None else {"in": where})}]


class UnsupportedMediaType(HTTPError):
    """415: the body's `Content-Type` is not what the route's contract
    reads (a JSON contract sent a form, a form contract sent JSON...).
    `detail` says what was sent and what is expected."""

    status = 415

    def __init__(self, sent: str, expected: tuple[str, ...]) -> None:
        wanted = " or ".join(expected)
        super().__init__(f"Unsupported Media Type: expected {wanted}, got {sent}")
        self.detail = {"error": f"Expected a body of type {wanted}, got {sent}", "expected": list(expected)}


class FormError(BadRequest):
    """A form body that cannot be parsed (bad multipart framing, bad
    encoding, too many parts). Uncaught, it answers 400."""


class NotFound(HTTPError):
    """404: no route for the path (what an error handler for 404 receives),
    or `res.file` on a path that is missing, not a regular file, or outside
    the folder it must stay in."""

    status = 404


class BodyNotJSON(HTTPError, ValueError):
    """400: a body that is not JSON at all (or not UTF-8), so there is no
    structure to validate against the route's contract."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(f"Bad Request: {reason}")
        self.detail = {"error": reason, "path": "$"}


class ContractViolation(HTTPError):
    """500: the handler's response does not match its own contract (a bug
    on the server side, reported clearly instead of sent)."""

    status = 500

    def __init__(self, route: str, reason: str, path: str) -> None:
        super().__init__(f"the response of {route} does not match its contract: {reason} (at {path})")
        self.detail = {"error": "the response does not match its contract", "reason": reason, "path": path}


class TemplatesNotConfigured(HeavenError, RuntimeError):
    """`res.render` on an app (and parents) with no `app.TEMPLATES(...)`."""


class LifespanError(RuntimeError):
    """A test client's app refused to start (a startup callback failed) or to stop."""


class MountedAppFailed(HeavenError, RuntimeError):
    """An ASGI app mounted with `app.mount(asgi_app, prefix=)` answered its
    lifespan startup or shutdown with `failed` (its message is kept)."""


class CliError(Exception):
    """A problem the `heaven` command's user can fix; printed without a
    traceback, exit code 2."""


class SecurityError(HeavenError):
    """Base of the signing errors (`heaven.security`)."""


class BadSignature(SecurityError, ValueError):
    """A signed token that was tampered with, truncated, or signed with a key
    we do not hold."""


class SignatureExpired(BadSignature):
    """A correctly signed token older than the `max_age` it was checked with.
    `payload` is its (authentic) content, `date_signed` its timestamp."""

    def __init__(self, message: str, age: float | None = None, payload: Any = None, date_signed: int | None = None) -> None:
        super().__init__(message)
        self.age = age
        self.payload = payload
        self.date_signed = date_signed


class InterfaceError(HeavenError, RuntimeError):
    """The app cannot be served on this interface: ASGI middleware added
    with `app.use(SomeMiddleware)` cannot wrap granian's RSGI calls."""


class ClientDisconnected(HeavenError):
    """The client went away while heaven was sending to it (a websocket, a
    streamed body)."""


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
