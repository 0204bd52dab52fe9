"""Error handlers (`app.ERROR`): checking a registration, and working out
at compile time which handlers a route reaches and in what order, so the
request path reads one tuple and only when something failed.

A route's table is a tuple of layers (dicts from exception class or
status to `(fn, is_async)`), nearest scope first: handlers registered on
the app the route came from before those of the apps it is mounted into;
within one app, a path-prefix scope (a route group) before none, a
subdomain's handlers before app-wide ones."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from ..errors import HandlerError, HTTPError
from .records import CatcherRecord

Layer = dict[Any, tuple[Callable[..., Any], bool]]


def check_key(key: Any) -> Any:
    """An exception class, or an error status (400-599)."""
    if isinstance(key, type) and issubclass(key, Exception):
        return key
    if isinstance(key, int) and not isinstance(key, bool) and 400 <= key <= 599:
        return int(key)
    raise ValueError(f"app.ERROR takes an exception class or an error status (400-599), not {key!r}")


def check_handler(fn: Callable[..., Any], key: Any) -> None:
    """An error handler takes `(req, res, ctx, exc)`: say so at registration."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin or C callable: trust it
        return
    try:
        signature.bind(None, None, None, None)
    except TypeError:
        raise HandlerError(f"app.ERROR({_shown(key)}): the handler must take (req, res, ctx, exc), got {fn!r}{signature}") from None


def check_prefix(prefix: str | None) -> str | None:
    """A path-prefix scope as `/v1` (no trailing slash); None or '/' is every path."""
    if prefix is None:
        return None
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ValueError(f"an error handler's path prefix must start with '/', got {prefix!r}")
    prefix = prefix.rstrip("/")
    return prefix or None


def under(prefix: str | None, path: str) -> bool:
    return prefix is None or path == prefix or path.startswith(prefix + "/")


def lineage(origin: Any, root: Any) -> dict[int, tuple[Any, int]]:
    """The apps between `origin` and the app being compiled (`root`), both
    included, by id, with how many mounts separate each from `origin`."""
    found = {id(origin): (origin, 0)}
    frontier = [origin]
    while frontier:
        step = []
        for app in frontier:
            if app is root:
                continue
            for parent, *_ in app._parents:
                if id(parent) not in found and (parent is root or parent._descends_from(root)):
                    found[id(parent)] = (parent, found[id(app)][1] + 1)
                    step.append(parent)
        frontier = step
    return found


def table(records: list[CatcherRecord], reach: dict[int, tuple[Any, int]], subdomain: str | None, path: str | None) -> tuple[Layer, ...]:
    """The layers of the handlers that apply to a route (`path` is its
    pattern) or a refused request (its path) on `subdomain`, nearest first.
    Of two handlers for the same key in one layer, the later wins."""
    applying = [
        r for r in records
        if id(r.owner) in reach
        and (r.subdomain is None or r.subdomain == subdomain)
        and (r.prefix is None or (path is not None and under(r.prefix, path)))
    ]
    if not applying:
        return ()
    layers: dict[tuple[int, int, int], Layer] = {}
    for r in applying:
        rank = (reach[id(r.owner)][1], -len(r.prefix or ""), 0 if r.subdomain is not None else 1)
        layers.setdefault(rank, {})[r.key] = (r.fn, r.is_async)
    return tuple(layers[rank] for rank in sorted(layers))


def find(layers: tuple[Layer, ...], exc: BaseException, status: int) -> tuple[Callable[..., Any], bool, bool] | None:
    """The handler for `exc` answering `status`: `(fn, is_async, by_class)`.
    In each layer, nearest first: the exception's classes along its MRO,
    the status tried just before `HTTPError` itself (so `ERROR(404)` wins
    over `ERROR(HTTPError)` and `ERROR(Exception)`), or after every class
    for other exceptions (a status-500 handler comes after class handlers)."""
    mro = type(exc).__mro__
    for layer in layers:
        for cls in mro:
            if cls is HTTPError:
                hit = layer.get(status)
                if hit is not None:
                    return hit[0], hit[1], False
            hit = layer.get(cls)
            if hit is not None:
                return hit[0], hit[1], True
        hit = layer.get(status)
        if hit is not None:
            return hit[0], hit[1], False
    return None


def _shown(key: Any) -> str:
    return key.__name__ if isinstance(key, type) else repr(key)
