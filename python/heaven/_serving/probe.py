"""What a test client may ask of an app, and nothing more: see the objects a
request was served with, skip hooks, and serve with replacement handlers or
hooks. `app.earth` installs one on first use; an app never tested has none,
and the request path pays one `is None` test for it."""

from __future__ import annotations

from typing import Any, Callable

from .._routing.callables import is_async

Watcher = Callable[[Any, Any, Any], None]


class Probe:
    __slots__ = ("_app", "_watchers", "_bypassed", "_swaps")

    def __init__(self, app: Any) -> None:
        self._app = app
        self._watchers: dict[int, Watcher] = {}
        self._bypassed: set[int] = set()
        self._swaps: dict[int, Callable[..., Any]] = {}

    # -- watching one request ----------------------------------------------

    def watch(self, scope: Any, watcher: Watcher) -> None:
        """Call `watcher(req, res, ctx)` when the request of `scope` ends."""
        self._watchers[id(scope)] = watcher

    def unwatch(self, scope: Any) -> None:
        self._watchers.pop(id(scope), None)

    def finished(self, scope: Any, req: Any, res: Any, ctx: Any) -> None:
        watcher = self._watchers.pop(id(scope), None)
        if watcher is not None:
            watcher(req, res, ctx)

    # -- skipping and replacing (the app recompiles its routes) -------------

    def bypass(self, fns: set[int]) -> None:
        self._bypassed |= fns
        self._app._invalidate()

    def unbypass(self, fns: set[int]) -> None:
        self._bypassed -= fns
        self._app._invalidate()

    def swap(self, old: int, new: Callable[..., Any]) -> None:
        self._swaps[old] = new
        self._app._invalidate()

    def unswap(self, old: int) -> None:
        self._swaps.pop(old, None)
        self._app._invalidate()

    def restore(self) -> None:
        self._bypassed.clear()
        self._swaps.clear()
        self._app._invalidate()

    def hook(self, fn: Callable[..., Any], run_async: bool) -> tuple[Callable[..., Any], bool] | None:
        """A hook as it runs while tested: skipped (None), replaced, or as is."""
        if id(fn) in self._bypassed:
            return None
        swapped = self._swaps.get(id(fn))
        return (swapped, is_async(swapped)) if swapped is not None else (fn, run_async)

    def handler(self, *registered: Any) -> Callable[..., Any] | None:
        """The replacement for a handler, looked up by any of the forms it
        was registered in (the callable, or its import string)."""
        for form in registered:
            swapped = self._swaps.get(id(form))
            if swapped is not None:
                return swapped
        return None
