"""Streamed responses and server-sent events. Each item of the iterator is
sent as it is produced; with `sse=True` each item becomes one correctly
framed event (`data: ...` lines, then a blank line)."""

from __future__ import annotations

import logging
import re
from typing import Any, AsyncIterable

import msgspec

_json = msgspec.json.Encoder().encode
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
logger = logging.getLogger("heaven")


class Event:
    """One server-sent event with its optional fields:
    `yield Event({"price": 3}, event="tick", id="42")`. `data` follows the
    same rules as a plain item (text as is, anything else as JSON)."""

    __slots__ = ("data", "event", "id", "retry", "comment")

    def __init__(self, data: Any = None, *, event: str | None = None, id: str | int | None = None,
                 retry: int | None = None, comment: str | None = None) -> None:
        for name, value in (("event", event), ("id", id)):
            if value is not None and _LINE_BREAK.search(str(value)):
                raise ValueError(f"SSE {name} cannot contain a line break: {value!r}")
        if id is not None and "\0" in str(id):
            raise ValueError("SSE id cannot contain NUL")
        if retry is not None and (not isinstance(retry, int) or retry < 0):
            raise ValueError(f"SSE retry must be a non-negative int (milliseconds), got {retry!r}")
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry
        self.comment = comment

    def encode(self) -> bytes:
        lines: list[str] = []
        if self.comment is not None:
            lines += [f": {line}" for line in _LINE_BREAK.split(self.comment)]
        if self.event is not None:
            lines.append(f"event: {self.event}")
        if self.id is not None:
            lines.append(f"id: {self.id}")
        if self.retry is not None:
            lines.append(f"retry: {self.retry}")
        if self.data is not None:
            lines += [f"data: {line}" for line in _LINE_BREAK.split(_text(self.data))]
        return ("\n".join(lines) + "\n\n").encode()


def _text(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data).decode()
    return _json(data).decode()


def sse_frame(item: Any) -> bytes:
    """One event for one item of an SSE stream. The common items, JSON
    values and one-line text, are framed directly (half the cost of going
    through `Event` when a feed sends many small events): msgspec's JSON
    never holds a raw line break, it escapes them inside strings."""
    if isinstance(item, str):
        if "\n" not in item and "\r" not in item:
            return b"data: %s\n\n" % item.encode()
    elif not isinstance(item, (Event, bytes, bytearray, memoryview)) and item is not None:
        return b"data: %s\n\n" % _json(item)
    if isinstance(item, Event):
        return item.encode()
    return Event(item).encode()


def plain_chunk(item: Any) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode()
    if isinstance(item, (bytearray, memoryview)):
        return bytes(item)
    raise TypeError(f"a streamed body yields bytes or str, not {type(item).__name__} (use sse=True for JSON events)")


class StreamBody:
    """What `res.stream()` (or an async iterator assigned to `res.body`)
    leaves in `res.body` until the response goes out."""

    __slots__ = ("source", "sse")

    def __init__(self, source: AsyncIterable[Any], sse: bool = False) -> None:
        if not hasattr(source, "__aiter__"):
            raise TypeError(f"res.stream needs an async iterator (an async generator), got {type(source).__name__}")
        self.source = source
        self.sse = sse

    async def each(self, write: Any) -> None:
        """Await `write(chunk)` for every item; the iterator is always closed
        (a client that goes away makes `write` raise, which stops it)."""
        iterator = self.source.__aiter__()
        encode = sse_frame if self.sse else plain_chunk
        try:
            async for item in iterator:
                await write(encode(item))
        finally:
            close = getattr(iterator, "aclose", None)
            if close is not None:
                await close()

    async def close(self) -> None:
        """Close the iterator unread (a HEAD request runs none of it)."""
        close = getattr(self.source, "aclose", None)
        if close is not None:
            await close()
