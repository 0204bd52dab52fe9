"""AROUND hooks: each one gets `call_next`, which runs the rest of the
route (inner AROUND hooks, BEFORE hooks, the contract, the handler, AFTER
hooks, the `returns=` shaping) and raises whatever that raised. Only routes
that have AROUND hooks come here: the lifecycle tests `ep.arounds` once."""

from __future__ import annotations

from inspect import CORO_CREATED, getcoroutinestate, isawaitable
from typing import Any, Coroutine

from . import lifecycle


async def run_arounds(ep: Any, req: Any, res: Any, ctx: Any, hooked: list[tuple[bytes, bytes]]) -> None:
    """Run the route through its AROUND hooks. `hooked` receives the headers
    set before the BEFORE hooks finished (an error answer keeps them, as it
    keeps BEFORE hooks' headers on routes without AROUND hooks)."""
    await _around(0, ep, req, res, ctx, hooked)


async def _around(at: int, ep: Any, req: Any, res: Any, ctx: Any, hooked: list[tuple[bytes, bytes]]) -> None:
    arounds = ep.arounds
    if at == len(arounds):
        return await _route(ep, req, res, ctx, hooked)
    fn, run_async = arounds[at]
    pending: Coroutine[Any, Any, None] | None = None

    def call_next() -> Coroutine[Any, Any, None]:
        nonlocal pending
        if pending is not None:
            raise RuntimeError(f"AROUND hook {_name(fn)} ({ep.pattern}) called call_next() twice")
        pending = _around(at + 1, ep, req, res, ctx, hooked)
        return pending

    if run_async:
        await fn(req, res, ctx, call_next)
    else:
        result = fn(req, res, ctx, call_next)
        if result is not None and isawaitable(result):
            await result
    if pending is not None and getcoroutinestate(pending) == CORO_CREATED:
        pending.close()
        raise TypeError(
            f"AROUND hook {_name(fn)} ({ep.pattern}) called call_next() without awaiting it: "
            "write `await call_next()` in an async hook, or `return call_next()` in a sync one"
        )


async def _route(ep: Any, req: Any, res: Any, ctx: Any, hooked: list[tuple[bytes, bytes]]) -> None:
    """The innermost step: what the lifecycle does inline for routes without
    AROUND hooks."""
    aborted = False
    if ep.befores:
        aborted = await lifecycle.run_hooks(ep.befores, req, res, ctx)
    hooked.extend(res._headers)
    if not aborted:
        if ep.validates:
            req.data  # the handler never runs with a body that breaks its contract
        if ep.is_async:
            await ep.call(req, res, ctx)
        else:
            result = ep.call(req, res, ctx)
            if result is not None and isawaitable(result):
                await result
        if ep.afters and not res._aborted:
            await lifecycle.run_hooks(ep.afters, req, res, ctx)
    if ep.shapes:
        ep.contract.shape(res)


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__
