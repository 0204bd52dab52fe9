"""`_routing.callables.is_async`: whether the lifecycle awaits what a handler
or hook returns, decided once at registration (a plain function by its code
flags, anything else through `inspect`)."""

from __future__ import annotations

import functools

from heaven._routing.callables import is_async


async def coroutine_function(req, res, ctx):
    return None


def plain_function(req, res, ctx):
    return None


async def async_generator(req, res, ctx):
    yield None


class AsyncCallable:
    async def __call__(self, req, res, ctx):
        return None


class SyncCallable:
    def __call__(self, req, res, ctx):
        return None


class Methods:
    async def handle(self, req, res, ctx):
        return None

    def plain(self, req, res, ctx):
        return None


def test_what_is_awaited():
    methods = Methods()
    cases = {
        "coroutine function": (coroutine_function, True),
        "plain function": (plain_function, False),
        "lambda": (lambda req, res, ctx: None, False),
        "async generator function": (async_generator, False),
        "callable object with async __call__": (AsyncCallable(), True),
        "callable object with sync __call__": (SyncCallable(), False),
        "bound async method": (methods.handle, True),
        "bound sync method": (methods.plain, False),
        "partial of a coroutine function": (functools.partial(coroutine_function), True),
        "partial of a plain function": (functools.partial(plain_function), False),
        "builtin": (print, False),
    }
    assert {name: is_async(fn) for name, (fn, _) in cases.items()} == {name: want for name, (_, want) in cases.items()}


def test_only_an_async_def_function_is_a_coroutine_function():
    """`is_coroutine_function` lets the lifecycle await a handler's call at
    once: only for an `async def` function itself, whose call is always a
    coroutine. Everything else (a marked sync function, a partial, an object
    with an async `__call__`) is called and its result tested."""
    import functools
    import inspect

    from heaven._routing.callables import is_coroutine_function

    async def native(req, res, ctx):
        return None

    def marked(req, res, ctx):
        return None

    inspect.markcoroutinefunction(marked) if hasattr(inspect, "markcoroutinefunction") else None

    class Callable:
        async def __call__(self, req, res, ctx):
            return None

    assert is_coroutine_function(native)
    for other in (marked, functools.partial(native), Callable(), print, lambda req, res, ctx: None):
        assert not is_coroutine_function(other), other
