"""Sending an answer that is not the route's usual whole body (which the
lifecycle sends from its own frame): a refusal's, and a streamed or file
body, beside a watch for the client leaving, with a failure after the
status line logged."""

from __future__ import annotations

import logging
from typing import Any

from .answers import Answer, Headers
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


async def send_answer(wire: Any, channel: Any, answer: Answer, head_only: bool) -> None:
    """A whole body (`bytes`/`str`), through the wire; the messages it leaves
    to its caller (ASGI's) are sent in order."""
    status, headers, payload, content_type = answer
    messages = wire.send(channel, status, headers, payload, content_type, head_only)
    if messages:
        post, first, then = messages
        await post(first)
        await post(then)
