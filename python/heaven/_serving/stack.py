"""ASGI middleware around an app: `app.use(SomeMiddleware, **options)`.

The app stays the object servers, `heaven run`, `app.earth` and
`heaven.testing` are given; on its first ASGI middleware its class becomes
a subclass whose `__call__` enters the middleware stack, so an app without
any keeps the plain `__call__` and pays nothing. RSGI has no ASGI calls for
the middleware to wrap: such an app refuses RSGI (at `__rsgi_init__` and at
every request) with an error that names the middleware."""

from __future__ import annotations

from typing import Any

from ..errors import InterfaceError
from .lifecycle import serve


def wrap(app: Any, middleware: type, options: dict[str, Any]) -> None:
    """Add `middleware` inside those added before it and rebuild the stack
    (each layer is made once per `use`, so a bad option fails here)."""
    layers: list[tuple[type, dict[str, Any]]] = app.__dict__.setdefault("_middleware", [])
    entry = _build([*layers, (middleware, options)], app)
    layers.append((middleware, options))
    app._asgi_entry = entry
    if not isinstance(app, _Layered):
        app.__class__ = _layered(type(app))


def _build(layers: list[tuple[type, dict[str, Any]]], app: Any) -> Any:
    async def heaven(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await serve(app, scope, receive, send)

    entry: Any = heaven
    for middleware, options in reversed(layers):
        try:
            entry = middleware(entry, **options)
        except TypeError as exc:
            raise TypeError(f"app.use({middleware.__qualname__}, ...): {exc}") from exc
    return entry


def names(app: Any) -> str:
    return ", ".join(middleware.__qualname__ for middleware, _ in app._middleware)


def refusal(app: Any) -> InterfaceError:
    return InterfaceError(
        f"this app wraps ASGI middleware ({names(app)}), which cannot run under RSGI: "
        "serve it with `--interface asgi` (heaven run's default), or use heaven.middleware's own "
        "middleware, which serves both interfaces"
    )


class _Layered:
    """Marker base of the classes `_layered` makes."""

    __slots__ = ()


async def _enter(app: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
    # An `async def`, not a function returning the middleware's coroutine:
    # servers tell ASGI 3 apps by `iscoroutinefunction(app.__call__)`
    # (uvicorn; hypercorn, which otherwise serves the app as WSGI).
    await app._asgi_entry(scope, receive, send)


def _rsgi(app: Any, scope: Any, proto: Any) -> Any:
    raise refusal(app)


def _rsgi_init(app: Any, loop: Any) -> Any:
    raise refusal(app)


_LAYERED: dict[type, type] = {}


def _layered(base: type) -> type:
    """`base` with its ASGI entry through the middleware stack (one such
    class per base class)."""
    made = _LAYERED.get(base)
    if made is not None:
        return made
    made = _LAYERED[base] = type(
        base.__name__,
        (base, _Layered),
        {
            "__call__": _enter,
            "__rsgi__": _rsgi,
            "__rsgi_init__": _rsgi_init,
            "__module__": base.__module__,
            "__qualname__": base.__qualname__,
            "__slots__": (),
        },
    )
    return made
