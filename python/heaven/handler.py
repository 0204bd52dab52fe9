"""Handlers, hooks and callbacks as callables or as import strings, turned
into something the dispatcher can call at registration time, so a typo
fails when the app is built, not when the first request arrives."""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from .errors import HandlerError

if TYPE_CHECKING:
    from .context import Context
    from .request import Request
    from .response import Response

T = TypeVar("T")


class Handler(Generic[T]):
    """Base for handlers registered as `'package.module.Class#method'`.

    One instance is built per request, so `self` is never shared between
    requests in flight; the method takes no arguments and reads
    `self.req`, `self.res` and `self.ctx`::

        class Orders(Handler):
            async def index(self):
                self.res.body = await self.req.app.peek('db').orders()

        app.GET('/orders', 'handlers.orders.Orders#index')
    """

    def __init__(self, req: Request[T], res: Response, ctx: Context) -> None:
        self.req = req
        self.res = res
        self.ctx = ctx


def is_async(fn: Any) -> bool:
    """True when calling `fn` returns an awaitable we must await."""
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)
    return call is not None and inspect.iscoroutinefunction(call)


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

        async def call_async(req: Any, res: Any, ctx: Any) -> None:
            await getattr(cls(req, res, ctx), method)()

        call_async.__qualname__ = f"{cls.__qualname__}#{method}"
        call_async.__module__ = cls.__module__
        return call_async

    def call(req: Any, res: Any, ctx: Any) -> Any:
        return getattr(cls(req, res, ctx), method)()

    call.__qualname__ = f"{cls.__qualname__}#{method}"
    call.__module__ = cls.__module__
    return call


def resolve(target: Any, where: str) -> Callable[..., Any]:
    """A callable for `target`: a callable, `'pkg.mod.func'` or
    `'pkg.mod.Class#method'`. `where` names the registration in errors."""
    if isinstance(target, str):
        if "#" in target:
            return _class_method(target, where)
        target = _import(target, where)
    if not callable(target):
        raise HandlerError(f"{where}: {target!r} is not callable")
    return target
