"""Handlers, hooks and callbacks given as callables or as import strings,
turned into something the lifecycle can call at registration time, so a
typo fails when the app is built, not when the first request arrives."""

from __future__ import annotations

import inspect
from importlib import import_module
from inspect import CO_COROUTINE
from types import FunctionType
from typing import Any, Callable

from ..errors import HandlerError
from ..handler import Handler


def is_async(fn: Any) -> bool:
    """True when calling `fn` returns an awaitable we must await. A plain
    function (nearly every handler and hook) is told by its code's flags
    alone: `inspect` takes ~3 µs more, once per route of a large app."""
    if type(fn) is FunctionType and not hasattr(fn, "_is_coroutine_marker"):  # inspect.markcoroutinefunction
        return bool(fn.__code__.co_flags & CO_COROUTINE)
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)
    return call is not None and inspect.iscoroutinefunction(call)


def is_coroutine_function(fn: Any) -> bool:
    """True for an `async def` function itself: calling it always gives a
    coroutine, so the lifecycle awaits the call at once, without testing
    what came back."""
    return type(fn) is FunctionType and bool(fn.__code__.co_flags & CO_COROUTINE)


def _import(target: str, where: str) -> Any:
    module_name, _, attr = target.rpartition(".")
    if not module_name:
        raise HandlerError(f"{where}: {target!r} is not a dotted path like 'package.module.function'")
    try:
        module = import_module(module_name)
    except ImportError as exc:
        raise HandlerError(f"{where}: cannot import module {module_name!r} for {target!r}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise HandlerError(f"{where}: module {module_name!r} has no attribute {attr!r}") from None


def _class_method(target: str, where: str) -> Callable[..., Any]:
    class_path, _, method = target.partition("#")
    cls = _import(class_path, where)
    if not (isinstance(cls, type) and issubclass(cls, Handler)):
        raise HandlerError(f"{where}: {class_path!r} must be a subclass of heaven.Handler")
    unbound = getattr(cls, method, None)
    if not method or not callable(unbound):
        raise HandlerError(f"{where}: {cls.__name__} has no method {method!r}")

    if inspect.iscoroutinefunction(unbound):

        async def call_async(req: Any, res: Any, ctx: Any) -> Any:
            return await getattr(cls(req, res, ctx), method)()

        call_async.__qualname__ = f"{cls.__qualname__}#{method}"
        call_async.__module__ = cls.__module__
        return call_async

    def call(req: Any, res: Any, ctx: Any) -> Any:
        return getattr(cls(req, res, ctx), method)()

    call.__qualname__ = f"{cls.__qualname__}#{method}"
    call.__module__ = cls.__module__
    return call


def load_callable(target: Any, where: str) -> Callable[..., Any]:
    """A callable for `target`: a callable, `'pkg.mod.func'` or
    `'pkg.mod.Class#method'`. `where` names the registration in errors."""
    if isinstance(target, str):
        if "#" in target:
            return _class_method(target, where)
        target = _import(target, where)
    if not callable(target):
        raise HandlerError(f"{where}: {target!r} is not callable")
    call: Callable[..., Any] = target
    return call
