"""What the dispatcher needs per route, gathered once at compile time so a
request only reads attributes."""

from __future__ import annotations

from typing import Any, Callable

#: A hook as the dispatcher runs it: (callable, whether to await it).
Hook = tuple[Callable[..., Any], bool]


class Endpoint:
    __slots__ = (
        "call",
        "is_async",
        "app",
        "mounted",
        "stream",
        "websocket",
        "method",
        "pattern",
        "subdomain",
        "target",
        "befores",
        "afters",
        "canonical",
        "name",
        "contract",
        "validates",
        "shapes",
    )

    def __init__(
        self,
        call: Callable[..., Any],
        is_async: bool,
        app: Any,
        mounted: Any,
        stream: bool,
        websocket: bool,
        method: str,
        pattern: str,
        subdomain: str,
        target: Any,
        canonical: str = "",
        name: str | None = None,
    ) -> None:
        self.call = call
        self.is_async = is_async
        #: What the handler sees as `req.app`.
        self.app = app
        #: The mounted app the route came from (None for the app's own routes).
        self.mounted = mounted
        self.stream = stream
        self.websocket = websocket
        self.method = method
        self.pattern = pattern
        self.subdomain = subdomain
        #: The handler as registered (callable or import string), for listings.
        self.target = target
        self.befores: tuple[Hook, ...] = ()
        self.afters: tuple[Hook, ...] = ()
        #: The pattern in one spelling per route, for matching contracts and names.
        self.canonical = canonical
        #: The name given with `name=`, for `app.url_for`.
        self.name = name
        #: The route's `app.schema` contract (attached when the router compiles).
        self.contract: Any = None
        self.validates = False
        self.shapes = False

    def copy(self, **changes: Any) -> Endpoint:
        clone = Endpoint.__new__(Endpoint)
        for name in Endpoint.__slots__:
            setattr(clone, name, changes.get(name, getattr(self, name)))
        return clone

    def __repr__(self) -> str:
        return f"<Endpoint {self.method} {self.subdomain}:{self.pattern}>"
