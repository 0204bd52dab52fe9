"""A request body read chunk by chunk from granian's RSGI protocol, and
how its end is told from a break. granian ends a body with empty chunks:
one on HTTP/1.1, two on HTTP/2 (the stream's end, then granian's own). A
body that breaks off yields one more (HTTP/1.1: a malformed chunked body,
a client gone) or empty chunks without end (HTTP/2: a stream reset); after
the expected ones, anything at all means the body broke off."""

from __future__ import annotations

from typing import Any, AsyncIterator

from ..errors import IncompleteBody


async def body_chunks(proto: Any, http_version: str) -> AsyncIterator[bytes]:
    """The body's non-empty chunks; IncompleteBody when it broke off."""
    expected = 1 if http_version[:1] in ("", "1") else 2
    ends = 0
    async for chunk in proto:
        if ends == expected or (chunk and ends):
            raise IncompleteBody()
        if chunk:
            yield chunk
        else:
            ends += 1
