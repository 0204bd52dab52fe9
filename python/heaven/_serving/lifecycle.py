"""Everything a request goes through, once for both interfaces: the
compile check, routing (one call into Rust), CORS preflights, refusals,
the body limit, `req`/`res`/`ctx`, hooks, the contract, the handler,
sessions, error answers, deferred work and the release of the request.

The wire (`asgi.WIRE` or `rsgi.WIRE`) is the only thing that differs: it
reads bodies and sends answers in its interface's terms. `serve` is both
`App.__call__` (ASGI) and `App.__rsgi__`, so a request runs in one
coroutine of heaven's on either interface. An answer is
`(status, headers, payload, content_type)`: wire header pairs (bytes),
a payload that is `bytes`/`str` (a whole body), a `StreamBody` or a
`FileSpan`, and the content type to add (None: the headers have one, or
none is wanted). Whole bodies get their `Content-Length` from the wire."""

from __future__ import annotations

import logging
from inspect import isawaitable
from types import CoroutineType
from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable, Protocol

from ..errors import ClientDisconnected, HTTPError
from .answers import Answer, Headers, refusal, unavailable
from .around import run_arounds, serve_refusal
from .asgi import WIRE as ASGI
from .asgi import serve_lifespan
from .catching import caught, refused, unread
from .exchange import EXCHANGE, begin
from .hooks import run_deferred, run_hooks
from .route import run_route
from .rsgi import WIRE as RSGI
from .sending import send_answer, send_body
from .startup import ready

if TYPE_CHECKING:
    from ..response import Response

logger = logging.getLogger("heaven")
# What a wire leaves to the caller to send: `(post, first, then)`, or `()`.
Messages = tuple[()] | tuple[Callable[[Any], Awaitable[Any]], Any, Any]
# The usual response, answered natively on either interface (`send` None:
# RSGI), bound once: a method read at every request would cost more.
_ANSWER = EXCHANGE.answer
# Payloads sent in one piece (the others are streams and files).
_WHOLE = frozenset({bytes, str})


class Wire(Protocol):
    """What an interface adapter does for the lifecycle. `channel` is the
    interface's own handle on the connection (ASGI: `(receive, send)`,
    RSGI: the protocol object)."""

    def send(self, channel: Any, status: int, headers: Headers, payload: bytes | str,
             content_type: bytes | None, head_only: bool) -> Messages:
        """Send a whole body: `()` when sent, else `(post, first, then)`,
        two messages the caller awaits `post` with, in order (ASGI's
        `send`), so no coroutine is made for them."""

    def send_body(self, channel: Any, status: int, headers: Headers, payload: Any, head_only: bool) -> Awaitable[None]:
        """Send a `StreamBody` or a `FileSpan`."""

    def disconnected(self, channel: Any, body_read: bool) -> Callable[[], Awaitable[Any]] | None:
        """An awaitable factory that finishes when the client leaves (None:
        cannot watch now)."""

    def gone(self, exc: BaseException) -> bool:
        """Whether a failure while sending just means the client left."""

    async def read_body(self, channel: Any, head: Any, limit: int | None) -> bytes:
        """The whole request body of `head`'s request, within `limit`."""

    def chunks(self, channel: Any, head: Any) -> AsyncIterator[bytes]:
        """The request body's chunks as they arrive (limits applied by the caller)."""

    async def handshake(self, channel: Any) -> bool:
        """Wait for a websocket's opening; False when the client left first."""

    async def refuse(self, channel: Any) -> None:
        """Refuse a websocket handshake (HTTP 403)."""

    async def accept(self, channel: Any) -> Socket:
        """Accept a websocket; returns its socket."""

    def asgi(self, channel: Any, scope: Any) -> Any:
        """The connection in ASGI terms, for a mounted ASGI app (see
        `bridge`): `scope`, `receive`, `send`, then `fail()` or `finish()`."""


class Socket(Protocol):
    """The `send`/`receive` pair a websocket handler gets, and its close."""

    async def send(self, data: str | bytes) -> None: ...

    async def receive(self) -> str | bytes | None: ...

    async def close(self, code: int = 1000) -> None: ...


async def serve(app: Any, scope: Any, inbound: Any, send: Any = None) -> None:
    """One HTTP request, from routing to release. This is both `App.__call__`
    (ASGI's `(scope, receive, send)`) and `App.__rsgi__` (granian's
    `(scope, proto)`, so no `send`); websockets, and ASGI's lifespan, are
    handed on."""
    wire: Wire
    messages: Messages | None
    channel: Any  # the wire's handle on the connection, for the paths that need all of it
    if send is None:
        # granian's HTTP scopes are of a class of their own (websockets have
        # another): one of that class is not asked its `proto`, a string
        # granian makes at every read.
        if type(scope) is not _http_scope:
            if scope.proto != "http":
                return await serve_socket(app, RSGI, scope, inbound)
            if _http_scope is None:
                _learn_scope(scope)
        wire, channel = RSGI, inbound
    elif scope["type"] == "http":
        # ASGI's channel, `(receive, send, scope)`, is made only if a path below needs it.
        wire, channel = ASGI, None
    else:
        return await _asgi_other(app, scope, inbound, send)
    matcher = app._matcher
    if matcher is None:
        try:
            matcher = await ready(app)
        except Exception:
            return await send_answer(wire, (inbound, send, scope) if channel is None else channel, unavailable(app), False)
    head, ep, req, res, ctx = matcher.enter(scope)  # req, res, ctx: when it could start at once
    cors = sessions = None
    if req is None or app._extras:  # anything but a request started at once, with no CORS and no sessions
        head_only = head._head_only
        if channel is None:
            channel = (inbound, send, scope)
        if app._cors_on:
            cors = cors_policy(app._cors, head)
            if cors is not None and head._status != 400 and head.method == "OPTIONS":
                preflight = cors.preflight(head.headers)
                if preflight is not None:
                    status, headers = preflight
                    return await send_answer(wire, channel, (status, headers, b"", None), head_only)
        if ep is None:
            if app._everywhere:  # app.use() hooks wrap these answers too
                return await serve_refusal(app, wire, channel, head, cors)
            if app._refusals is None:
                return await send_answer(wire, channel, _with_cors(refusal(head), cors, head), head_only)
            answer, written = await refused(app, head)
            await send_answer(wire, channel, _with_cors(answer, cors, head), head_only)
            if written is not None and written._deferred:
                await run_deferred(app, written._deferred)
            return None
        if req is None:  # a body to read first, a stream route, or OPTIONS
            body = None
            if not ep.stream:
                body = b""
                if head._has_body:
                    try:
                        body = await wire.read_body(channel, head, app.max_body_size)
                    except HTTPError as exc:
                        answer = await unread(app, ep, head, exc)
                        return await send_answer(wire, channel, _with_cors(answer, cors, head), head_only)
            elif ep.foreign is not None:
                # A mounted ASGI app (a stream route: its body is unread) answers on its own.
                await ep.foreign.serve(wire.asgi(channel, scope))
                return
            # res and ctx point at each other (templates read ctx): `release` breaks
            # that cycle, so the request is freed at once (or its req, res and ctx
            # reused by the next request: rust/py's recycle.rs) rather than by the GC.
            req, res, ctx = begin(head, body, None if body is not None else wire.chunks(channel, head), ep.app, ep.mounted, app)
        sessions = app._sessions
        if sessions is not None:
            ctx._sessions = sessions
    hooked: Headers | None = None  # what an error answer keeps of `res`'s headers (see run_route)
    try:
        try:
            call = ep.direct  # read as an attribute, not a method: the call stays specialized
            if call is not None:  # an `async def` handler and nothing else: its coroutine, awaited at once
                result = await call(req, res, ctx)
            elif ep.plain:  # no hooks of any kind: the contract's check (if any), then the handler alone
                if ep.check is not None:
                    ep.check(req)
                result = ep.call(req, res, ctx)
                if result is not None and (type(result) is CoroutineType or isawaitable(result)):
                    result = await result
            else:
                result = None  # `run_route` takes what the handler returns
                hooked = []
                if ep.arounds:
                    await run_arounds(ep, req, res, ctx, hooked)  # the route's steps, inside the AROUND hooks
                else:
                    await run_route(ep, req, res, ctx, hooked)
            if result is not None and result is not res:
                res._returned(result, ep.pattern)  # the body, never silently dropped
            if sessions is not None:
                _commit_session(sessions, ctx, res)
            # The usual answer is finished natively, and sent (RSGI) or its
            # messages made (ASGI); any other is finished by `res._finish()`.
            messages = _ANSWER(send, inbound, res) if cors is None else None
            if messages is None:
                status, payload, content_type = res._finish()
                headers = res._headers
        except ClientDisconnected:
            return
        except Exception as exc:  # an HTTPError, or a failure: the error handlers, else heaven's answer
            messages = None
            status, headers, payload, content_type = await caught(app, ep, exc, req, res, ctx, hooked)
        if messages is None:
            head_only = head._head_only
            if channel is None:
                channel = (inbound, send, scope)
            if cors is not None:
                headers.extend(cors.response_headers(head.headers))
            if type(payload) in _WHOLE:
                messages = wire.send(channel, status, headers, payload, content_type, head_only)
            else:
                await send_body(wire, channel, status, headers, payload, head_only, req._drained, ep.pattern)
        if messages:  # sent from this frame, in order: no coroutine of the wire's
            post, first, then = messages
            await post(first)
            await post(then)
        if res._deferred:
            await run_deferred(res.app, res._deferred)
    finally:
        res._ctx = None  # `release`'s first step, inline: most requests need no other
        if req._form is not None or app._probe is not None:
            release(app, scope, req, res, ctx)


#: granian's RSGI scope class for HTTP requests, learned from the first HTTP
#: request served on RSGI: None before it, `_NOT_GRANIAN` when that request's
#: scope was of another class (another server, heaven's test client), and
#: every scope's `proto` is then read.
_http_scope: Any = None
_NOT_GRANIAN = object()


def _learn_scope(scope: Any) -> None:
    """Remember the first HTTP scope's class if it is granian's, else that it was not."""
    global _http_scope
    kind = type(scope)
    granians = kind.__module__ == "granian._granian" and kind.__name__ == "RSGIHTTPScope"
    _http_scope = kind if granians else _NOT_GRANIAN


def _commit_session(sessions: Any, ctx: Any, res: Any) -> None:
    session = ctx.__dict__.get("session")
    if session is not None and hasattr(session, "modified"):
        sessions.commit(session, res)


def release(app: Any, scope: Any, req: Any, res: Any, ctx: Any) -> None:
    """The end of a request, however it ended."""
    res._ctx = None
    if req._form is not None:
        req._form.close()  # uploads spilled to disk go with the request
    probe = app._probe
    if probe is not None:
        probe.finished(scope, req, res, ctx)


# -- answers that are not the handler's -----------------------------------------


def cors_policy(policies: dict[Any, Any], head: Any) -> Any:
    """The policy of the app the route was mounted from, else the one for
    the request's subdomain, else the app-wide one."""
    ep = head._entry
    if ep is not None and ep.cors is not None:
        return ep.cors
    if len(policies) == 1 and None in policies:
        return policies[None]
    return policies.get(head.subdomain) or policies.get(None)


def _with_cors(answer: Answer, cors: Any, head: Any) -> Answer:
    if cors is not None:
        answer[1].extend(cors.response_headers(head.headers))
    return answer


async def _asgi_other(app: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
    kind = scope["type"]
    if kind == "websocket":
        return await serve_socket(app, ASGI, scope, (receive, send, scope))
    if kind == "lifespan":
        return await serve_lifespan(app, receive, send)
    raise ValueError(f"heaven does not serve ASGI scope type {kind!r}")


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
    ep = head._entry
    if ep is None:
        return await wire.refuse(channel)
    if ep.foreign is not None:
        await ep.foreign.serve(wire.asgi(channel, scope))
        return
    if not await wire.handshake(channel):
        return
    req, res, ctx = begin(head, b"", None, ep.app, ep.mounted, app)
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


async def _refused(ep: Any, req: Any, res: Response, ctx: Any) -> bool:
    """Run the BEFORE hooks of a websocket route; True when the handshake
    must be refused (a hook aborted, or failed)."""
    try:
        done = run_hooks(ep.befores, req, res, ctx)
        if type(done) is not bool:
            await done
    except Exception:
        logger.exception("BEFORE hook failed for websocket %s", ep.pattern)
        return True
    return res._aborted
