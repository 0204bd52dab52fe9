"""Running what users register around a request: hook chains (BEFORE,
AFTER, a websocket's BEFORE) and the work queued with `res.defer`. Shared
by the lifecycle and the AROUND hooks' innermost step."""

from __future__ import annotations

import logging
from inspect import isawaitable
from typing import Any, Coroutine

logger = logging.getLogger("heaven")


def run_hooks(hooks: tuple[Any, ...], req: Any, res: Any, ctx: Any) -> bool | Coroutine[Any, Any, bool]:
    """Run a hook chain in order: True when a hook aborted (the rest of the
    chain, and the handler, must not run). A chain of sync hooks runs here
    and answers a bool, without a coroutine; from the first hook that must
    be awaited on, it answers a coroutine that runs the rest (the caller
    awaits what is not a bool)."""
    for hook in hooks:
        fn, is_async = hook
        if is_async:
            return _run_rest(hooks, _position(hooks, hook), fn(req, res, ctx), req, res, ctx)
        result = fn(req, res, ctx)
        if result is not None and isawaitable(result):
            return _run_rest(hooks, _position(hooks, hook), result, req, res, ctx)
        if res._aborted:
            return True
    return False


def _position(hooks: tuple[Any, ...], hook: Any) -> int:
    """Where `hook` stands in the chain, by identity: the same function
    registered twice is two equal entries, and the chain must go on from
    this one."""
    return next(at for at, each in enumerate(hooks) if each is hook)


async def _run_rest(hooks: tuple[Any, ...], at: int, pending: Any, req: Any, res: Any, ctx: Any) -> bool:
    """The chain from hook `at` (whose awaitable is `pending`) on."""
    await pending
    if res._aborted:
        return True
    for fn, is_async in hooks[at + 1 :]:
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
