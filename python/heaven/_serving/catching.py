"""What a failed request answers: the error handler registered for it
(`app.ERROR`), else heaven's own answer in the app's format. Reached only
when something failed (or no route took the request), so a request that
succeeds pays nothing for it.

An error handler writes the same `res` a handler does, reset first: the
status is the error's, the body empty, and the headers those BEFORE hooks
had set (CORS...) plus the error's own (`Allow` on a 405...). A handler
that fails is logged, and the default answer goes out instead."""

from __future__ import annotations

import logging
from inspect import isawaitable
from typing import Any

from .._routing.catchers import find, table
from ..errors import HTTPError
from .answers import Answer, Headers, failure, http_error, refusal, refusal_error
from .exchange import begin

logger = logging.getLogger("heaven")

# An error answer brings its own body, so these of the response are dropped.
_ERROR_OWN = (b"content-type", b"content-length")


class Refusals:
    """An app's handlers for requests no route takes, and its format;
    built at compile time, and only when the app has either."""

    __slots__ = ("records", "reach", "problems")

    def __init__(self, records: list[Any], reach: dict[int, tuple[Any, int]], problems: bool) -> None:
        self.records = records
        self.reach = reach
        self.problems = problems


async def caught(app: Any, ep: Any, exc: Exception, req: Any, res: Any, ctx: Any, hooked: Headers | None) -> Answer:
    """The answer to `exc`, raised while serving `ep`. An exception that is
    not an `HTTPError` and that no handler for its class took is logged
    once, with the route."""
    status = exc.status if isinstance(exc, HTTPError) else 500
    found = find(ep.catchers, exc, status) if ep.catchers else None
    if status == 500 and not isinstance(exc, HTTPError) and (found is None or not found[2]):
        logger.exception("unhandled error in %s %s (route %s)", req.method, req.path, ep.pattern, exc_info=exc)
    if found is not None:
        answer = await _handle(found[0], found[1], exc, status, req, res, ctx, hooked, ep.pattern)
        if answer is not None:
            return answer
        return keeping(failure(app, exc, req, ep.problems), hooked)
    if isinstance(exc, HTTPError):
        return keeping(http_error(exc, ep.pattern, req.path, ep.problems), hooked)
    return keeping(failure(app, exc, req, ep.problems), hooked)


async def unread(app: Any, ep: Any, head: Any, exc: HTTPError) -> Answer:
    """The answer to an error met before the body was read (413, or a body
    that broke off): the route's handlers see a request with no body."""
    if not ep.catchers:
        return http_error(exc, ep.pattern, head.path, ep.problems)
    req, res, ctx = begin(head, b"", None, ep.app, ep.mounted, app)
    try:
        return await caught(app, ep, exc, req, res, ctx, None)
    finally:
        res._ctx = None


async def refused(app: Any, head: Any) -> tuple[Answer, Any]:
    """400, 404 or 405 for a request no route takes, through the app's
    handlers for its subdomain and path when it has one (they get a
    request built from the routing head: path, headers, queries; no
    params, no body). Returns the answer and the `res` it was written on
    (None: heaven's own answer)."""
    refusals = app._refusals
    subdomain = head.subdomain.lower()
    if subdomain not in app._table_names:
        subdomain = "www"  # a host with no routes of its own is served by the default table
    layers = table(refusals.records, refusals.reach, subdomain, head.path)
    exc = refusal_error(head)
    found = find(layers, exc, exc.status) if layers else None
    if found is None:
        return refusal(head, refusals.problems), None
    req, res, ctx = begin(head, b"", None, app, None, app)
    if app._sessions is not None:
        ctx._sessions = app._sessions
    answer = await _handle(found[0], found[1], exc, exc.status, req, res, ctx, None, head.path)
    res._ctx = None
    if answer is None:
        return keeping(failure(app, exc, req, refusals.problems), None), res
    return answer, res


async def _handle(fn: Any, is_async: bool, exc: BaseException, status: int, req: Any, res: Any, ctx: Any,
                  hooked: Headers | None, where: str) -> Answer | None:
    """Run one error handler on `res`, reset; None when it failed."""
    res.status = status
    res.body = None
    res._headers = [h for h in hooked if h[0] not in _ERROR_OWN] if hooked else []
    res._typed = False
    res._aborted = False
    if isinstance(exc, HTTPError) and exc.headers:
        res._headers.extend(exc.headers)
    try:
        if is_async:
            await fn(req, res, ctx, exc)
        else:
            result = fn(req, res, ctx, exc)
            if result is not None and isawaitable(result):
                await result
        status, payload, content_type = res._finish()
        if isinstance(exc, HTTPError) and exc._unread_body:
            res._headers.append((b"connection", b"close"))  # the rest of the body was not read
    except Exception:
        logger.exception("the error handler %s failed while answering %d for %s", _name(fn), status, where)
        return None
    return status, res._headers, payload, content_type


def keeping(answer: Answer, hooked: Headers | None) -> Answer:
    """An error answer with the headers BEFORE hooks had set (not their
    content type or length: the error has its own)."""
    if hooked:
        answer[1].extend(h for h in hooked if h[0] not in _ERROR_OWN)
    return answer


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)
