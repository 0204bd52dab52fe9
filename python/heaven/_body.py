"""Request bodies, with the size limit enforced as chunks arrive: past the
limit nothing more is read or kept."""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable

from .errors import IncompleteBody, PayloadTooLarge

Receive = Callable[[], Awaitable[dict[str, Any]]]


def _check_declared(declared: int | None, limit: int | None) -> None:
    """A declared length past the limit is refused before a byte is read."""
    if limit is not None and declared is not None and declared > limit:
        raise PayloadTooLarge()


async def chunks(receive: Receive | Any, declared: int | None, limit: int | None) -> AsyncIterator[bytes]:
    """The body's chunks as they arrive, from an ASGI `receive` or an RSGI
    protocol (which iterates its chunks). Raises `PayloadTooLarge` as soon as
    the declared length or the running total passes `limit`, and
    `IncompleteBody` when the body breaks off."""
    _check_declared(declared, limit)
    size = 0
    if hasattr(receive, "__aiter__"):
        ended = False
        async for chunk in receive:
            if ended:
                # granian ends a body with one empty chunk; a body that broke
                # off (malformed chunked framing, a client gone) yields an
                # empty chunk before that end, and nothing else tells.
                raise IncompleteBody()
            if not chunk:
                ended = True
                continue
            size += len(chunk)
            if limit is not None and size > limit:
                raise PayloadTooLarge()
            yield chunk
        return
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise IncompleteBody()
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if limit is not None and size > limit:
                raise PayloadTooLarge()
            yield chunk
        if not message.get("more_body", False):
            return


async def read_body(receive: Receive, declared: int | None, limit: int | None) -> bytes:
    """The whole body of an ASGI request, for buffered routes. A body that
    arrives in one message (the usual case) is returned as is, without the
    generator of `chunks`."""
    _check_declared(declared, limit)
    message = await receive()
    if message["type"] == "http.disconnect":
        raise IncompleteBody()
    first = message.get("body", b"")
    if limit is not None and len(first) > limit:
        raise PayloadTooLarge()
    if not message.get("more_body", False):
        return first
    parts = [first]
    async for chunk in chunks(receive, None, None if limit is None else limit - len(first)):
        parts.append(chunk)
    return b"".join(parts)


async def read_rsgi_body(proto: Any, declared: int | None, limit: int | None) -> bytes:
    """The whole body of an RSGI request. With no limit to enforce, or a
    declared length within it (the server never delivers more than the
    declared `Content-Length`), granian reads it in one native call;
    otherwise the chunks are counted as they arrive."""
    _check_declared(declared, limit)
    if limit is None or declared is not None:
        return await proto()
    parts = [chunk async for chunk in chunks(proto, None, limit)]
    return parts[0] if len(parts) == 1 else b"".join(parts)
