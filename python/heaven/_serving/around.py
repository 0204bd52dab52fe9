"""AROUND hooks: each one gets `call_next`, which runs the rest of the
route (inner AROUND hooks, BEFORE hooks, the contract, the handler, AFTER
hooks, the `returns=` shaping) and raises whatever that raised. Only routes
that have AROUND hooks come here: the lifecycle tests `ep.arounds` once.

The app-wide ones (`app.use(hook)`) also wrap the answer to a request no
route takes (404, 405, a malformed path's 400), so trusted hosts, HTTPS
redirects and request ids hold for every request; an app without them
answers those as before."""

from __future__ import annotations

import logging
from functools import partial
from inspect import CORO_CREATED, getcoroutinestate, isawaitable
from typing import Any, Awaitable, Callable, Coroutine

from ..errors import ClientDisconnected, HTTPError
from ..response import TEXT
from .answers import failure, http_error, refusal
from .catching import keeping, refused
from .exchange import begin
from .hooks import run_deferred
from .route import run_route
from .sending import send_answer, send_body

logger = logging.getLogger("heaven")
Inner = Callable[[], Awaitable[None]]
_NO_ROUTE = "(no route)"


async def run_arounds(ep: Any, req: Any, res: Any, ctx: Any, hooked: list[tuple[bytes, bytes]]) -> None:
    """Run the route through its AROUND hooks. `hooked` receives the headers
    an error answer keeps: those set before the BEFORE hooks finished (as
    on routes without AROUND hooks), and those an AROUND hook set after the
    rest of the route failed (a timing or tracing header stays on the error
    answer, whatever answers it)."""
    failed: list[set[tuple[bytes, bytes]]] = []
    inner = partial(_route, ep, req, res, ctx, hooked, failed)
    await _around(ep.arounds, 0, inner, req, res, ctx, ep.pattern, hooked, failed)


async def _around(chain: tuple[Any, ...], at: int, inner: Inner, req: Any, res: Any, ctx: Any, where: str,
                  hooked: list[tuple[bytes, bytes]], failed: list[set[tuple[bytes, bytes]]]) -> None:
    if at == len(chain):
        return await inner()
    fn, run_async = chain[at]
    pending: Coroutine[Any, Any, None] | None = None

    def call_next() -> Coroutine[Any, Any, None]:
        nonlocal pending
        if pending is not None:
            raise RuntimeError(f"AROUND hook {_name(fn)} ({where}) called call_next() twice")
        pending = _around(chain, at + 1, inner, req, res, ctx, where, hooked, failed)
        return pending

    try:
        if run_async:
            await fn(req, res, ctx, call_next)
        else:
            result = fn(req, res, ctx, call_next)
            if result is not None and isawaitable(result):
                await result
    except BaseException:
        if failed:  # the route failed inside: keep what this hook added on the way out
            hooked.extend(h for h in res._headers if h not in failed[0] and h not in hooked)
        raise
    if pending is not None and getcoroutinestate(pending) == CORO_CREATED:
        pending.close()
        raise TypeError(
            f"AROUND hook {_name(fn)} ({where}) called call_next() without awaiting it: "
            "write `await call_next()` in an async hook, or `return call_next()` in a sync one"
        )


async def _route(ep: Any, req: Any, res: Any, ctx: Any, hooked: list[tuple[bytes, bytes]],
                 failed: list[set[tuple[bytes, bytes]]]) -> None:
    """The innermost step: the route's own steps. A failure notes the
    headers `res` had then (see `run_arounds`)."""
    try:
        await run_route(ep, req, res, ctx, hooked)
    except BaseException:
        failed.append(set(res._headers))
        raise


async def serve_refusal(app: Any, wire: Any, channel: Any, head: Any, cors: Any) -> None:
    """A request no route takes, answered inside the app-wide AROUND hooks:
    the innermost step writes the usual 400/404/405 into `res`."""
    req, res, ctx = begin(head, b"", None, app, None, app)
    problems = app._refusals is not None and app._refusals.problems
    hooked: list[tuple[bytes, bytes]] = []
    try:
        try:
            await _around(app._everywhere, 0, partial(_refuse, app, head, res, hooked), req, res, ctx, _NO_ROUTE,
                          hooked, [])
            status, payload, content_type = res._finish()
            headers = res._headers
        except HTTPError as exc:
            status, headers, payload, content_type = keeping(http_error(exc, _NO_ROUTE, head.path, problems), hooked)
        except ClientDisconnected:
            return
        except Exception as exc:
            logger.exception("unhandled error in %s %s (%s)", req.method, req.path, _NO_ROUTE)
            status, headers, payload, content_type = failure(app, exc, req, problems)
        if cors is not None:
            headers.extend(cors.response_headers(head.headers))
        if type(payload) is bytes or type(payload) is str:
            await send_answer(wire, channel, (status, headers, payload, content_type), head._head_only)
        else:
            await send_body(wire, channel, status, headers, payload, head._head_only, False, _NO_ROUTE)
        if res._deferred:
            await run_deferred(app, res._deferred)
    finally:
        res._ctx = None


async def _refuse(app: Any, head: Any, res: Any, hooked: list[tuple[bytes, bytes]]) -> None:
    """Write the 400/404/405 into `res`: the app's error handler for it when
    it has one (`app.ERROR`), else heaven's own answer in the app's format."""
    hooked.extend(res._headers)
    if app._refusals is None:
        status, headers, payload, content_type = refusal(head)
    else:
        (status, headers, payload, content_type), written = await refused(app, head)
        if written is not None and written._deferred:
            res._deferred = (res._deferred or []) + written._deferred
    res.status = status
    res.body = payload
    res._headers.extend(headers)
    # A plain-text refusal stays untyped (a hook that sets another body gets
    # that body's type); problem+json is said.
    if content_type is not None and content_type != TEXT and not res._typed:
        res._headers.append((b"content-type", content_type))
        res._typed = True


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__
