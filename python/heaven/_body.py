"""Request bodies, with the size limit enforced as chunks arrive: past the
limit nothing more is read or kept."""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable

from .errors import ClientDisconnected, PayloadTooLarge

Receive = Callable[[], Awaitable[dict[str, Any]]]


async def chunks(receive: Receive | Any, declared: int | None, limit: int | None) -> AsyncIterator[bytes]:
    """The body's chunks as they arrive, from an ASGI `receive` or an RSGI
    protocol (which iterates its chunks). Raises `PayloadTooLarge` as soon as
    the declared length or the running total passes `limit`."""
    if limit is not None and declared is not None and declared > limit:
        raise PayloadTooLarge()
    size = 0
    if hasattr(receive, "__aiter__"):
        async for chunk in receive:
            if chunk:
                size += len(chunk)
                if limit is not None and size > limit:
                    raise PayloadTooLarge()
                yield chunk
        return
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected("client disconnected while sending the body")
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if limit is not None and size > limit:
                raise PayloadTooLarge()
            yield chunk
        if not message.get("more_body", False):
            return


async def read_body(receive: Receive, declared: int | None, limit: int | None) -> bytes:
    """The whole body, for buffered routes."""
    parts = [chunk async for chunk in chunks(receive, declared, limit)]
    return parts[0] if len(parts) == 1 else b"".join(parts)
