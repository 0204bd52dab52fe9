"""The ASGI entry point. One call into Rust routes the request; everything
the route needs (handler, hook chain, flags) was prepared at compile time,
so the per-request work here is the lifecycle itself."""

from __future__ import annotations

import logging
from functools import partial
from inspect import isawaitable
from typing import Any

from ._body import read_body
from ._debug import error_page
from ._disconnect import asgi_disconnect, until_disconnect
from ._headers import text_headers
from .context import Context
from .errors import ClientDisconnected, HTTPError
from .request import Request
from .response import TEXT, Response, _json_encode

logger = logging.getLogger("heaven")

_START = "http.response.start"
_BODY = "http.response.body"


async def asgi(app: Any, scope: dict, receive: Any, send: Any) -> None:
    """`App.__call__`: HTTP inline (the hot path); websocket and lifespan
    hand off to their own modules."""
    if scope["type"] != "http":
        if scope["type"] == "websocket":
            from ._websocket import serve_websocket

            return await serve_websocket(app, scope, receive, send)
        if scope["type"] == "lifespan":
            from ._lifespan import serve_lifespan

            return await serve_lifespan(app, scope, receive, send)
        raise ValueError(f"heaven does not serve ASGI scope type {scope['type']!r}")

    matcher = app._matcher
    if matcher is None:
        matcher = app._compile()
    head = matcher.resolve(scope)
    ep = head.entry
    cors = None
    if app._cors:
        cors = _cors_policy(app._cors, head)
        if cors is not None and scope["method"] == "OPTIONS" and head.status != 400:
            answer = cors.preflight(head.headers)
            if answer is not None:
                status, headers = answer
                headers.append((b"content-length", b"0"))
                await send({"type": _START, "status": status, "headers": headers})
                await send({"type": _BODY, "body": b""})
                return
    if ep is None:
        extra = cors.response_headers(head.headers) if cors is not None else ()
        return await _refuse(head, send, scope["method"] == "HEAD", tuple(extra))

    limit = app.max_body_size
    body = None
    if not ep.stream:
        body = b""
        if head.has_body:
            try:
                body = await read_body(receive, head.content_length, limit)
            except HTTPError as exc:
                extra = tuple(cors.response_headers(head.headers)) if cors else ()
                return await _send_answer(send, _http_error(exc, ep.pattern), extra)

    req = Request(head, receive, ep.app, ep.mounted, body, app)
    res = Response(ep.app, req)
    # res and ctx point at each other (templates read ctx): the `finally`
    # breaks that cycle so the request is freed at once, not by the GC.
    res._ctx = ctx = Context(req, res)
    try:
        answer = await respond(app, ep, req, res, ctx)
        if answer is None:
            return  # the client went away
        status, headers, payload = answer
        if cors is not None:
            headers.extend(cors.response_headers(head.headers))
        head_only = scope["method"] == "HEAD"
        await send({"type": _START, "status": status, "headers": headers})
        if type(payload) is bytes:
            await send({"type": _BODY, "body": b"" if head_only else payload})
        else:
            pathsend = "http.response.pathsend" in (scope.get("extensions") or ())
            # Watching `receive` is only safe once nobody else reads the body.
            watch = partial(asgi_disconnect, receive) if req._drained else None
            await _send_streamed(payload(send, head_only, pathsend), watch, ep.pattern)
        if res._deferred:
            await _run_deferred(app, res._deferred)
    finally:
        release(app, scope, req, res, ctx)


async def respond(app: Any, ep: Any, req: Any, res: Any, ctx: Any, rsgi: bool = False) -> tuple[int, list[Any], Any] | None:
    """The request lifecycle, the same on every interface: hooks, contract,
    handler, sessions, encoding. Returns (status, headers, payload), or None
    when the client went away. Headers are bytes pairs for ASGI, str pairs
    for RSGI."""
    sessions = app._sessions
    if sessions is not None:
        ctx._sessions = sessions
    try:
        # Empty chains (the common case) cost one truth test, not a coroutine.
        if not (ep.befores and await run_hooks(ep.befores, req, res, ctx)):
            if ep.validates:
                req.data  # the handler never runs with a body that breaks its contract
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
            session = ctx.__dict__.get("session")
            if session is not None and hasattr(session, "modified"):
                sessions.commit(session, res)
        return res._finish_rsgi() if rsgi else res._finish()
    except HTTPError as exc:
        answer = _http_error(exc, ep.pattern)
    except ClientDisconnected:
        return None
    except Exception as exc:
        logger.exception("unhandled error in %s %s (route %s)", req.method, req.path, ep.pattern)
        answer = _failure(app, exc, req)
    if rsgi:
        status, headers, payload = answer
        return status, text_headers(headers), payload
    return answer


def release(app: Any, scope: Any, req: Any, res: Any, ctx: Any) -> None:
    """The end of a request, however it ended."""
    res._ctx = None
    if req._form is not None:
        req._form.close()  # uploads spilled to disk go with the request
    if app._watchers:
        watcher = app._watchers.pop(id(scope), None)
        if watcher is not None:
            watcher(req, res, ctx)


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


def _http_error(exc: HTTPError, pattern: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The answer an HTTPError asks for: its JSON `detail` when it has one,
    else its plain message. Server-side errors (5xx) are logged too."""
    if exc.status >= 500:
        logger.error("%s answered %d: %s", pattern, exc.status, exc.message)
    if exc.detail is None:
        answer = _plain(exc.status, exc.message)
    else:
        payload = _json_encode(exc.detail)
        answer = exc.status, [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))], payload
    if exc._unread_body:
        answer[1].append((b"connection", b"close"))
    return answer


def _plain(status: int, message: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    payload = message.encode()
    return status, [(b"content-type", TEXT), (b"content-length", b"%d" % len(payload))], payload


def _failure(app: Any, exc: BaseException, req: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """A 500: the debug page when the app runs with debug=True, else a plain
    message that gives nothing away."""
    if not app.debug:
        return _plain(500, "Internal Server Error")
    page = error_page(exc, req).encode()
    return 500, [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"%d" % len(page))], page


async def _send_streamed(sending: Any, disconnected: Any, pattern: str) -> None:
    """Send a streamed or file body, stopping it when the client leaves. The
    status line is already out, so a failure here can only be logged and the
    response cut short (the client sees an incomplete body, never a false
    success)."""
    try:
        if disconnected is None:
            await sending
        else:
            await until_disconnect(sending, disconnected)
    except (ClientDisconnected, OSError) as exc:
        if isinstance(exc, OSError) and not _is_disconnect(exc):
            logger.exception("error while sending the body of %s", pattern)
    except Exception:
        logger.exception("error while sending the body of %s", pattern)


def _is_disconnect(exc: BaseException) -> bool:
    return isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError))


async def _send_error(
    send: Any, status: int, message: str, extra: tuple[tuple[bytes, bytes], ...] = (), head_only: bool = False
) -> None:
    await _send_answer(send, _plain(status, message), extra, head_only)


async def _send_answer(
    send: Any, answer: tuple[int, list[tuple[bytes, bytes]], bytes], extra: tuple[tuple[bytes, bytes], ...] = (),
    head_only: bool = False,
) -> None:
    status, headers, payload = answer
    headers.extend(extra)
    await send({"type": _START, "status": status, "headers": headers})
    await send({"type": _BODY, "body": b"" if head_only else payload})


async def _refuse(head: Any, send: Any, head_only: bool, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """400, 404 or 405 for a request no route takes. Its body is never read."""
    status = head.status
    if status == 405:
        await _send_error(send, 405, "Method Not Allowed", ((b"allow", head.allow.encode()), *extra), head_only)
    elif status == 400:
        await _send_error(send, 400, head.error or "Bad Request", extra, head_only)
    else:
        await _send_error(send, 404, "Not Found", extra, head_only)


def _cors_policy(policies: dict[Any, Any], head: Any) -> Any:
    """The CORS policy for the request's subdomain, else the app-wide one."""
    if len(policies) == 1 and None in policies:
        return policies[None]
    return policies.get(head.subdomain) or policies.get(None)


async def _run_deferred(app: Any, tasks: list[Any]) -> None:
    """Work queued with `res.defer(fn)`, after the response is out. One
    failing task is logged and does not stop the others."""
    for fn in tasks:
        try:
            result = fn(app)
            if isawaitable(result):
                await result
        except Exception:
            logger.exception("deferred task %r failed", fn)
