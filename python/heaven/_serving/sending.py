"""Sending a streamed or file body, for every answer that has one (a
route's, or a refusal's written by `app.use` hooks): beside a watch for
the client leaving, with a failure after the status line logged."""

from __future__ import annotations

import logging
from typing import Any

from .answers import Headers
from .disconnect import until_disconnect

logger = logging.getLogger("heaven")


async def send_body(wire: Any, channel: Any, status: int, headers: Headers, payload: Any, head_only: bool,
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
