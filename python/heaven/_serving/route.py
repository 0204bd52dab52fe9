"""A route's own steps, written once: BEFORE hooks, the contract, the
handler (and its return value), AFTER hooks, the `returns=` shaping. The
lifecycle runs them for a route with hooks or a contract; the AROUND
hooks' innermost step runs them too. A route with none of these (the
common case) has its handler called by the lifecycle directly, without
this coroutine."""

from __future__ import annotations

from inspect import isawaitable
from types import CoroutineType
from typing import Any

from .hooks import run_hooks


async def run_route(ep: Any, req: Any, res: Any, ctx: Any, hooked: list[tuple[bytes, bytes]]) -> None:
    """`hooked` receives the headers `res` has once the BEFORE hooks are
    done: an error answer keeps them (CORS headers...), as in 2.4.3."""
    aborted: bool | Any = False
    if ep.befores:
        aborted = run_hooks(ep.befores, req, res, ctx)
        if type(aborted) is not bool:  # a hook to await on: the rest of the chain runs there
            aborted = await aborted
    hooked.extend(res._headers)
    if not aborted:
        if ep.validates:  # the handler never runs with a request that breaks its contract
            if ep.stream:
                await ep.contract.check_streaming(req)
            else:
                ep.contract.check(req)
        result = ep.call(req, res, ctx)
        if result is not None:
            if type(result) is CoroutineType or isawaitable(result):
                result = await result
            if result is not None and result is not res:
                res._returned(result, ep.pattern)  # the body, never silently dropped
        if ep.afters and not res._aborted:
            done = run_hooks(ep.afters, req, res, ctx)
            if type(done) is not bool:
                await done
    if ep.shapes:
        ep.contract.shape(res)

