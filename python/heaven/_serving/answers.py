"""The answers heaven makes itself, when no error handler made one: 400,
404 and 405 for requests no route takes, the answer an `HTTPError` asks
for, 500 for a failure and 503 for an app that could not start. Each in
the app's format: plain text (the default, as in 2.4.3) or, after
`app.PROBLEMS()`, RFC 9457 `application/problem+json`."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from ..errors import BadRequest, HTTPError, MethodNotAllowed, NotFound
from ..response import JSON, TEXT, json_encode
from .debug import error_page

logger = logging.getLogger("heaven")

HTML = b"text/html; charset=utf-8"
PROBLEM = b"application/problem+json"
Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, Headers, Any, "bytes | None"]
# The members RFC 9457 defines: a `detail` dict never overrides them.
_STANDARD = frozenset({"type", "title", "status", "instance"})


def plain(status: int, message: str) -> Answer:
    return status, [], message, TEXT


def refusal_error(head: Any) -> HTTPError:
    """The error a request no route takes stands for (what a status
    handler for 400, 404 or 405 receives as `exc`)."""
    status = head._status
    if status == 405:
        return MethodNotAllowed(head._allow)
    if status == 400:
        return BadRequest(head._error or "Bad Request")
    return NotFound("Not found")


def refusal(head: Any, problems: bool = False) -> Answer:
    """400, 404 or 405 for a request no route takes. Its body is never read."""
    if problems:
        return problem(refusal_error(head), head.path)
    status = head._status
    if status == 405:
        return 405, [(b"allow", head._allow.encode())], "Method not allowed", TEXT
    if status == 400:
        return plain(400, head._error or "Bad Request")
    return plain(404, "Not found")


def http_error(exc: HTTPError, pattern: str, path: str = "", problems: bool = False) -> Answer:
    """The answer an HTTPError asks for: its JSON `detail` when it has one,
    else its plain message (or, with problems on, a problem document).
    Server-side errors (5xx) are logged too."""
    if exc.status >= 500:
        logger.error("%s answered %d: %s", pattern, exc.status, exc.message)
    if problems:
        return problem(exc, path)
    # Raised before the request body was read to its end: the connection cannot carry another request.
    headers: Headers = [(b"connection", b"close")] if exc._unread_body else []
    if exc.headers:
        headers.extend(exc.headers)
    if not isinstance(exc.detail, dict):
        return exc.status, headers, exc.message, TEXT
    return exc.status, headers, json_encode(exc.detail), JSON


def failure(app: Any, exc: BaseException, req: Any, problems: bool = False) -> Answer:
    """A 500: the debug page when the app runs with debug=True, else a
    message that gives nothing away (plain, or a problem document)."""
    if app.debug:
        return 500, [], error_page(exc, req), HTML
    if problems:
        return problem(HTTPError(status=500), req.path)
    return plain(500, "Internal Server Error")


def unavailable(app: Any) -> Answer:
    """503: the app's startup failed, or it could not compile its routes."""
    if app._problems:
        return problem(HTTPError("Service Unavailable", status=503), "")
    return plain(503, "Service Unavailable")


def problem(exc: HTTPError, path: str) -> Answer:
    """An RFC 9457 problem document for `exc`: `type` (`about:blank`: the
    status says it all), `title` (the status phrase), `status`, `detail`
    when the message says more than the title, `instance` (the request
    path), `errors` for a validation failure, and the members of a dict
    `detail`."""
    status = exc.status
    title = _phrase(status)
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    detail = exc.detail
    if isinstance(detail, str):
        body["detail"] = detail
    elif exc.message and exc.message.lower() != title.lower():
        message = exc.message
        if message.lower().startswith(title.lower() + ": "):
            message = message[len(title) + 2 :]  # "Bad Request: NUL byte in path": the title is said already
        body["detail"] = message
    if path:
        body["instance"] = path
    errors = getattr(exc, "errors", None)
    if errors:
        body["errors"] = errors
    elif isinstance(detail, dict):
        for key, value in detail.items():
            if key not in _STANDARD and key not in body and not (key == "error" and value == body.get("detail")):
                body[key] = value  # (an "error" that only repeats the detail is left out)
    headers: Headers = [(b"connection", b"close")] if exc._unread_body else []
    if exc.headers:
        headers.extend(exc.headers)
    return status, headers, json_encode(body), PROBLEM


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
