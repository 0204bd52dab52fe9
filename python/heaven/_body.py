"""Reading a buffered request body with the size limit enforced as chunks
arrive: past the limit, nothing more is kept."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from .errors import ClientDisconnected, PayloadTooLarge


async def read_body(receive: Callable[[], Awaitable[dict[str, Any]]], declared: int | None, limit: int | None) -> bytes:
    if limit is not None and declared is not None and declared > limit:
        raise PayloadTooLarge()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected("client disconnected while sending the body")
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if limit is not None and size > limit:
                raise PayloadTooLarge()
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if len(chunks) == 1:
        return chunks[0]
    return b"".join(chunks)
