"""Everything a request goes through, once for both interfaces: the
compile check, routing (one call into Rust), CORS preflights, refusals,
the body limit, `req`/`res`/`ctx`, hooks, the contract, the handler,
sessions, error answers, deferred work and the release of the request.

The wire (`asgi.WIRE` or `rsgi.WIRE`) is the only thing that differs: it
reads bodies and sends answers in its interface's terms. An answer is
`(status, headers, payload, content_type)`: wire header pairs (bytes),
a payload that is `bytes`/`str` (a whole body), a `StreamBody` or a
`FileSpan`, and the content type to add (None: the headers have one, or
none is wanted). Whole bodies get their `Content-Length` from the wire."""

from __future__ import annotations

import logging
from inspect import isawaitable
from typing import Any, AsyncIterator, Awaitable, Callable, Protocol

from ..context import Context
from ..errors import ClientDisconnected, HTTPError
from ..request import Request
from ..response import JSON, TEXT, Response, json_encode
from .debug import error_page
from .disconnect import until_disconnect
from .startup import ready

logger = logging.getLogger("heaven")

HTML = b"text/html; charset=utf-8"
Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, Headers, Any, "bytes | None"]
# An error answer brings its own body, so these of the response are dropped.
_ERROR_OWN = (b"content-type", b"content-length")


class Wire(Protocol):
    """What an interface adapter does for the lifecycle. `channel` is the
    interface's own handle on the connection (ASGI: `(receive, send)`,
    RSGI: the protocol object)."""

    def send(self, channel: Any, status: int, headers: Headers, payload: bytes | str,
             content_type: bytes | None, head_only: bool) -> Awaitable[None] | None:
        """Send a whole body: None when already sent, else an awaitable."""

    def send_body(self, channel: Any, status: int, headers: Headers, payload: Any, head_only: bool) -> Awaitable[None]:
        """Send a `StreamBody` or a `FileSpan`."""

    def disconnected(self, channel: Any, body_read: bool) -> Callable[[], Awaitable[Any]] | None:
        """An awaitable factory that finishes when the client leaves (None:
        cannot watch now)."""

    def gone(self, exc: BaseException) -> bool:
        """Whether a failure while sending just means the client left."""

    async def read_body(self, channel: Any, declared: int | None, limit: int | None) -> bytes:
        """The whole request body, within `limit`."""

    def chunks(self, channel: Any) -> AsyncIterator[bytes]:
        """The request body's chunks as they arrive (limits applied by the caller)."""

    async def handshake(self, channel: Any) -> bool:
        """Wait for a websocket's opening; False when the client left first."""

    async def refuse(self, channel: Any) -> None:
        """Refuse a websocket handshake (HTTP 403)."""

    async def accept(self, channel: Any) -> Any:
        """Accept a websocket; returns its socket (`send`, `receive`, `close`)."""


async def serve_http(app: Any, wire: Wire, scope: Any, channel: Any) -> None:
    """One HTTP request, from routing to release."""
    matcher = app._matcher
    if matcher is None:
        try:
            matcher = await ready(app)
        except Exception:
            return await _answer(wire, channel, plain(503, "Service Unavailable"), False)
    head = matcher.route(scope)
    ep = head.entry
    head_only = head.head_only
    cors = None
    if app._cors:
        cors = cors_policy(app._cors, head)
        if cors is not None and head.status != 400 and head.method == "OPTIONS":
            preflight = cors.preflight(head.headers)
            if preflight is not None:
                status, headers = preflight
                return await _answer(wire, channel, (status, headers, b"", None), head_only)
    if ep is None:
        return await _answer(wire, channel, _with_cors(refusal(head), cors, head), head_only)
    body = None
    if not ep.stream:
        body = b""
        if head.has_body:
            try:
                body = await wire.read_body(channel, head.content_length, app.max_body_size)
            except HTTPError as exc:
                return await _answer(wire, channel, _with_cors(http_error(exc, ep.pattern), cors, head), head_only)

    req: Request[Any] = Request(head, body, None if body is not None else wire.chunks(channel), ep.app, ep.mounted, app)
    res = Response(ep.app, req)
    # res and ctx point at each other (templates read ctx): `release` breaks
    # that cycle, so the request is freed at once rather than by the GC.
    res._ctx = ctx = Context(req, res)
    sessions = app._sessions
    if sessions is not None:
        ctx._sessions = sessions
    hooked = None  # the headers BEFORE hooks set: an error answer keeps them (CORS...), as in 2.4.3
    try:
        try:
            # Empty chains (the common case) cost one truth test, not a coroutine.
            aborted = False
            if ep.befores:
                aborted = await run_hooks(ep.befores, req, res, ctx)
                hooked = list(res._headers)
            if not aborted:
                if ep.validates:  # the handler never runs with a request that breaks its contract
                    if ep.stream:
                        await ep.contract.check_streaming(req)
                    else:
                        ep.contract.check(req)
                if ep.is_async:
                    await ep.call(req, res, ctx)
                else:
                    result = ep.call(req, res, ctx)
                    if result is not None and isawaitable(result):
                        await result
                if ep.afters and not res._aborted:
                    await run_hooks(ep.afters, req, res, ctx)
            if ep.shapes:
                ep.contract.shape(res)
            if sessions is not None:
                _commit_session(sessions, ctx, res)
            status, payload, content_type = res._finish()
            headers = res._headers
        except HTTPError as exc:
            status, headers, payload, content_type = _keeping(http_error(exc, ep.pattern), hooked)
        except ClientDisconnected:
            return
        except Exception as exc:
            logger.exception("unhandled error in %s %s (route %s)", req.method, req.path, ep.pattern)
            status, headers, payload, content_type = _keeping(failure(app, exc, req), hooked)
        if cors is not None:
            headers.extend(cors.response_headers(head.headers))
        kind = type(payload)
        if kind is bytes or kind is str:
            sent = wire.send(channel, status, headers, payload, content_type, head_only)
            if sent is not None:
                await sent
        else:
            await _send_body(wire, channel, status, headers, payload, head_only, req._drained, ep.pattern)
        if res._deferred:
            await run_deferred(app, res._deferred)
    finally:
        release(app, scope, req, res, ctx)


def _keeping(answer: Answer, hooked: Headers | None) -> Answer:
    """An error answer with the headers BEFORE hooks had set (not their
    content type or length: the error has its own)."""
    if hooked:
        answer[1].extend(h for h in hooked if h[0] not in _ERROR_OWN)
    return answer


def _commit_session(sessions: Any, ctx: Any, res: Any) -> None:
    session = ctx.__dict__.get("session")
    if session is not None and hasattr(session, "modified"):
        sessions.commit(session, res)


async def run_hooks(hooks: tuple[Any, ...], req: Any, res: Any, ctx: Any) -> bool:
    """Run a hook chain in order; True when a hook aborted (the rest of the
    chain, and the handler, must not run)."""
    for fn, is_async in hooks:
        if is_async:
            await fn(req, res, ctx)
        else:
            result = fn(req, res, ctx)
            if result is not None and isawaitable(result):
                await result
        if res._aborted:
            return True
    return False


def release(app: Any, scope: Any, req: Any, res: Any, ctx: Any) -> None:
    """The end of a request, however it ended."""
    res._ctx = None
    if req._form is not None:
        req._form.close()  # uploads spilled to disk go with the request
    probe = app._probe
    if probe is not None:
        probe.finished(scope, req, res, ctx)


async def run_deferred(app: Any, tasks: list[Any]) -> None:
    """Work queued with `res.defer(fn)`, after the response is out. One
    failing task is logged and does not stop the others."""
    for fn in tasks:
        try:
            result = fn(app)
            if isawaitable(result):
                await result
        except Exception:
            logger.exception("deferred task %r failed", fn)


# -- answers that are not the handler's -----------------------------------------


def plain(status: int, message: str) -> Answer:
    return status, [], message, TEXT


def refusal(head: Any) -> Answer:
    """400, 404 or 405 for a request no route takes. Its body is never read."""
    status = head.status
    if status == 405:
        return 405, [(b"allow", head.allow.encode())], "Method not allowed", TEXT
    if status == 400:
        return plain(400, head.error or "Bad Request")
    return plain(404, "Not found")


def http_error(exc: HTTPError, pattern: str) -> Answer:
    """The answer an HTTPError asks for: its JSON `detail` when it has one,
    else its plain message. Server-side errors (5xx) are logged too."""
    if exc.status >= 500:
        logger.error("%s answered %d: %s", pattern, exc.status, exc.message)
    # Raised before the body was read to its end: the connection cannot carry another request.
    headers: Headers = [(b"connection", b"close")] if exc._unread_body else []
    if exc.detail is None:
        return exc.status, headers, exc.message, TEXT
    return exc.status, headers, json_encode(exc.detail), JSON


def failure(app: Any, exc: BaseException, req: Any) -> Answer:
    """A 500: the debug page when the app runs with debug=True, else a plain
    message that gives nothing away."""
    if not app.debug:
        return plain(500, "Internal Server Error")
    return 500, [], error_page(exc, req), HTML


def cors_policy(policies: dict[Any, Any], head: Any) -> Any:
    """The CORS policy for the request's subdomain, else the app-wide one."""
    if len(policies) == 1 and None in policies:
        return policies[None]
    return policies.get(head.subdomain) or policies.get(None)


def _with_cors(answer: Answer, cors: Any, head: Any) -> Answer:
    if cors is not None:
        answer[1].extend(cors.response_headers(head.headers))
    return answer


async def _answer(wire: Wire, channel: Any, answer: Answer, head_only: bool) -> None:
    status, headers, payload, content_type = answer
    sent = wire.send(channel, status, headers, payload, content_type, head_only)
    if sent is not None:
        await sent


async def _send_body(wire: Wire, channel: Any, status: int, headers: Headers, payload: Any, head_only: bool,
                     body_read: bool, pattern: str) -> None:
    """A stream or a file, stopped when the client leaves. The status line
    goes out first, so a failure after it can only be logged and the body
    cut short (see docs/streaming.md for what each interface shows)."""
    sending = wire.send_body(channel, status, headers, payload, head_only)
    watch = None if head_only else wire.disconnected(channel, body_read)
    try:
        if watch is None:
            await sending
        else:
            await until_disconnect(sending, watch)
    except Exception as exc:
        if not wire.gone(exc):
            logger.exception("error while sending the body of %s", pattern)


# -- websockets -------------------------------------------------------------------


async def serve_socket(app: Any, wire: Wire, scope: Any, channel: Any) -> None:
    """One websocket: routing, BEFORE hooks (which may refuse the
    handshake), then the handler `(send, receive, req, ctx)`."""
    matcher = app._matcher
    if matcher is None:
        try:
            matcher = await ready(app)
        except Exception:
            return await wire.refuse(channel)
    head = matcher.route(scope)
    ep = head.entry
    if ep is None:
        return await wire.refuse(channel)
    if not await wire.handshake(channel):
        return
    req: Request[Any] = Request(head, b"", None, ep.app, ep.mounted, app)
    res = Response(ep.app, req)
    res._ctx = ctx = Context(req, res)
    if app._sessions is not None:
        ctx._sessions = app._sessions
    try:
        if await _refused(ep, req, res, ctx):
            return await wire.refuse(channel)
        socket = await wire.accept(channel)
        try:
            result = ep.call(socket.send, socket.receive, req, ctx)
            if result is not None and isawaitable(result):
                await result
        except ClientDisconnected:
            pass
        except Exception:
            logger.exception("unhandled error in websocket %s", ep.pattern)
            return await socket.close(1011)
        await socket.close(1000)
    finally:
        release(app, scope, req, res, ctx)


async def _refused(ep: Any, req: Any, res: Any, ctx: Any) -> bool:
    """Run the BEFORE hooks of a websocket route; True when the handshake
    must be refused (a hook aborted, or failed)."""
    try:
        await run_hooks(ep.befores, req, res, ctx)
    except Exception:
        logger.exception("BEFORE hook failed for websocket %s", ep.pattern)
        return True
    return res._aborted
