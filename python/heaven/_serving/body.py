"""Request bodies against the app's `max_body_size`, whatever interface the
chunks come from: a declared length past the limit is refused before a
byte is read, and a running total past it stops the reading at once, so
nothing more is read or kept."""

from __future__ import annotations

from typing import AsyncIterator

from ..errors import PayloadTooLarge


def check_declared(declared: int | None, limit: int | None) -> None:
    """A declared length past the limit is refused before a byte is read."""
    if limit is not None and declared is not None and declared > limit:
        raise PayloadTooLarge()


async def counted(chunks: AsyncIterator[bytes], declared: int | None, limit: int | None) -> AsyncIterator[bytes]:
    """`chunks` as they arrive, raising `PayloadTooLarge` as soon as the
    declared length or the running total passes `limit`."""
    check_declared(declared, limit)
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if limit is not None and size > limit:
            raise PayloadTooLarge()
        yield chunk


async def read_counted(chunks: AsyncIterator[bytes], declared: int | None, limit: int | None) -> bytes:
    """The whole body, counted as it arrives."""
    parts = [chunk async for chunk in counted(chunks, declared, limit)]
    return parts[0] if len(parts) == 1 else b"".join(parts)
