"""The RSGI entry points (`granian --interface rsgi`). Routing reads
granian's scope object directly (no ASGI dict is built); a response goes
out in one call (`response_str`/`response_bytes`/`response_file`/...);
the request lifecycle in between is the one ASGI uses."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ._dispatch import _cors_policy, _http_error, _run_deferred, release, respond
from ._body import read_rsgi_body
from ._disconnect import until_disconnect
from ._files import _Sender
from ._headers import text_headers
from ._lifespan import start_app, stop_app
from .context import Context
from .errors import ClientDisconnected, HTTPError, IncompleteBody
from .request import Request
from .response import Response
from ._websocket import refused
from .streaming import StreamBody

logger = logging.getLogger("heaven")
_TEXT = "text/plain; charset=utf-8"
# Before `accept`, RSGI's close() answers the upgrade with an HTTP status
# (granian refuses a websocket close code there); ASGI's 1008 becomes a 403.
_REFUSED = 403


def _plain(proto: Any, status: int, message: str, extra: list[tuple[str, str]], head_only: bool) -> None:
    headers = [("content-type", _TEXT), *extra]
    if head_only:
        proto.response_empty(status, [*headers, ("content-length", str(len(message.encode())))])
    else:
        proto.response_str(status, headers, message)


async def rsgi(app: Any, scope: Any, proto: Any) -> None:
    """`App.__rsgi__`."""
    if scope.proto != "http":
        return await serve_rsgi_websocket(app, scope, proto)
    matcher = app._matcher
    if matcher is None:
        try:
            matcher = await ready(app)
        except Exception:
            return _plain(proto, 503, "Service Unavailable", [], scope.method == "HEAD")
    head = matcher.resolve_rsgi(scope)
    ep = head.entry
    method = scope.method
    head_only = method == "HEAD"
    cors = None
    if app._cors:
        cors = _cors_policy(app._cors, head)
        if cors is not None and method == "OPTIONS" and head.status != 400:
            answer = cors.preflight(head.headers)
            if answer is not None:
                status, headers = answer
                proto.response_empty(status, [*text_headers(headers), ("content-length", "0")])
                return
    if ep is None:
        extra = text_headers(cors.response_headers(head.headers)) if cors is not None else []
        status = head.status
        if status == 405:
            extra.append(("allow", head.allow))
            return _plain(proto, 405, "Method Not Allowed", extra, head_only)
        if status == 400:
            return _plain(proto, 400, head.error or "Bad Request", extra, head_only)
        return _plain(proto, 404, "Not Found", extra, head_only)

    body = None
    if not ep.stream:
        body = b""
        if head.has_body:
            try:
                body = await _read_body(proto, head.content_length, app.max_body_size)
            except HTTPError as exc:
                status, headers, payload = _http_error(exc, ep.pattern)
                if cors is not None:
                    headers += cors.response_headers(head.headers)
                return _send(proto, status, text_headers(headers), payload, head_only)

    req = Request(head, proto, ep.app, ep.mounted, body, app)
    res = Response(ep.app, req)
    res._ctx = ctx = Context(req, res)
    try:
        answer = await respond(app, ep, req, res, ctx, True)
        if answer is None:
            return
        status, headers, payload = answer
        if cors is not None:
            headers.extend(text_headers(cors.response_headers(head.headers)))
        if type(payload) is str or type(payload) is bytes:
            _send(proto, status, headers, payload, head_only)
        else:
            await _send_other(proto, status, headers, payload, head_only, ep.pattern)
        if res._deferred:
            await _run_deferred(app, res._deferred)
    finally:
        release(app, scope, req, res, ctx)


async def _read_body(proto: Any, declared: int | None, limit: int | None) -> bytes:
    """The whole body; past `limit` (declared or while chunks arrive) the
    rest is never read."""
    try:
        return await read_rsgi_body(proto, declared, limit)
    except RuntimeError as exc:
        if _closed(exc):
            raise IncompleteBody() from exc
        raise


def _closed(exc: BaseException) -> bool:
    """granian's error for a connection the client has closed (its class is
    not importable from Python)."""
    return type(exc).__name__ == "RSGIProtocolClosed"


def _send(proto: Any, status: int, headers: list[tuple[str, str]], payload: str | bytes, head_only: bool) -> None:
    """A whole body in one call; granian sets Content-Length."""
    if head_only:
        size = len(payload.encode()) if type(payload) is str else len(payload)
        proto.response_empty(status, [*headers, ("content-length", str(size))])
    elif type(payload) is str:
        proto.response_str(status, headers, payload)
    else:
        proto.response_bytes(status, headers, payload)


async def _send_other(proto: Any, status: int, headers: list[tuple[str, str]], payload: Any, head_only: bool, pattern: str) -> None:
    """Files and streams (their headers came from `_finish`, Content-Length
    included for files)."""
    if type(payload) is _Sender:
        # The file goes out from granian's side: no bytes cross into Python.
        if head_only or payload.length == 0:
            proto.response_empty(status, headers)
        elif status == 206:
            proto.response_file_range(status, headers, payload.path, payload.offset, payload.offset + payload.length)
        else:
            proto.response_file(status, headers, payload.path)
        return
    if type(payload) is StreamBody:
        transport = proto.response_stream(status, headers)
        if head_only:
            close = getattr(payload.source, "aclose", None)
            if close is not None:
                await close()
            return
        try:
            await until_disconnect(payload.each(transport.send_bytes), proto.client_disconnect)
        except Exception as exc:
            if not _closed(exc):  # a client that leaves mid-stream is no error
                logger.exception("error while sending the body of %s", pattern)
        return
    raise TypeError(f"cannot send a payload of type {type(payload).__name__}")


# -- websockets -----------------------------------------------------------------


class _RsgiSocket:
    """The `send`/`receive` pair of a websocket handler, over RSGI."""

    __slots__ = ("_transport", "closed")

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self.closed = False

    async def send(self, data: str | bytes) -> None:
        if self.closed:
            raise ClientDisconnected("the websocket is closed")
        try:
            if isinstance(data, str):
                await self._transport.send_str(data)
            elif isinstance(data, (bytes, bytearray, memoryview)):
                await self._transport.send_bytes(bytes(data))
            else:
                raise TypeError(f"websocket send takes str or bytes, not {type(data).__name__}")
        except RuntimeError as exc:
            self.closed = True
            raise ClientDisconnected("the client went away") from exc

    async def receive(self) -> str | bytes | None:
        if self.closed:
            return None
        try:
            message = await self._transport.receive()
        except RuntimeError:
            self.closed = True
            return None
        if int(message.kind) == 0:  # close
            self.closed = True
            return None
        return message.data


async def serve_rsgi_websocket(app: Any, scope: Any, proto: Any) -> None:
    matcher = app._matcher
    if matcher is None:
        try:
            matcher = await ready(app)
        except Exception:
            proto.close(_REFUSED)
            return
    head = matcher.resolve_rsgi(scope)
    ep = head.entry
    if ep is None:
        proto.close(_REFUSED)
        return
    req = Request(head, None, ep.app, ep.mounted, b"", app)
    res = Response(ep.app, req)
    ctx = Context(req, res)
    if await refused(ep, req, res, ctx):
        proto.close(_REFUSED)
        return
    socket = _RsgiSocket(await proto.accept())
    try:
        result = ep.call(socket.send, socket.receive, req, ctx)
        if ep.is_async or asyncio.iscoroutine(result):
            await result
    except ClientDisconnected:
        proto.close(1000)
        return
    except Exception:
        logger.exception("unhandled error in websocket %s", ep.pattern)
        proto.close(1011)
        return
    proto.close(1000)


# -- lifespan ---------------------------------------------------------------------


def rsgi_init(app: Any, loop: asyncio.AbstractEventLoop) -> None:
    """`App.__rsgi_init__`: granian calls it with the worker's loop. Under
    `granian` the loop is not running yet: startup runs to completion here,
    and a failure stops the worker instead of serving a broken app. Under
    granian's embedded server the loop is already running: startup becomes a
    task that every request waits for (see `ready`)."""
    if loop.is_running():
        app._matcher = None  # the next request takes the slow path, which waits
        app._starting = loop.create_task(_start_logged(app))
        return
    try:
        loop.run_until_complete(start_app(app))
    except Exception:
        logger.exception("startup failed")
        raise


async def _start_logged(app: Any) -> None:
    try:
        await start_app(app)
    except Exception:
        logger.exception("startup failed: every request will be answered 503")
        raise


async def ready(app: Any) -> Any:
    """The matcher, compiled once startup (if one is running) has finished.
    Only requests that find no compiled matcher come here."""
    starting = app._starting
    if starting is not None:
        await asyncio.shield(starting)  # raises if startup failed
        app._starting = None
    return app._compile()


def rsgi_del(app: Any, loop: asyncio.AbstractEventLoop) -> None:
    """`App.__rsgi_del__`: daemons are cancelled, then shutdown callbacks
    run. Under the embedded server (loop running) this is a task on the
    loop, done once the loop has turned a few times."""
    if loop.is_running():
        starting, app._starting = app._starting, None
        if starting is not None and not starting.done():
            starting.cancel()
        app._stopping = loop.create_task(_stop_logged(app))
        return
    try:
        loop.run_until_complete(stop_app(app))
    except Exception:
        logger.exception("shutdown failed")
        raise


async def _stop_logged(app: Any) -> None:
    try:
        await stop_app(app)
    except Exception:
        logger.exception("shutdown failed")
