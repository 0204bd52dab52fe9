"""Running what users register around a request: hook chains (BEFORE,
AFTER, a websocket's BEFORE) and the work queued with `res.defer`. Shared
by the lifecycle and the AROUND hooks' innermost step."""

from __future__ import annotations

import logging
from inspect import isawaitable
from typing import Any

logger = logging.getLogger("heaven")


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


async def run_deferred(app: Any, tasks: list[Any]) -> None:
    """Work queued with `res.defer(fn)`, after the response is out. One
    failing task is logged and does not stop the others."""
    for fn in tasks:
        try:
            result = fn(app)
            if isawaitable(result):
                await result
        except Exception:
            logger.exception("deferred task %r failed", fn)
