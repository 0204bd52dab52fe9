"""What the lifecycle needs per route, gathered once at compile time so a
request only reads attributes."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

#: A hook as the lifecycle runs it: (callable, whether to await it).
Hook = tuple[Callable[..., Any], bool]


@dataclasses.dataclass(slots=True, kw_only=True, eq=False)
class Endpoint:
    call: Callable[..., Any]
    is_async: bool
    #: What the handler sees as `req.app`.
    app: Any
    #: The mounted app the route came from (None for the app's own routes).
    mounted: Any = None
    stream: bool = False
    websocket: bool = False
    method: str
    pattern: str
    subdomain: str
    #: The handler as registered (callable or import string), for listings.
    target: Any
    #: The pattern in one spelling per route, for matching contracts and names.
    canonical: str = ""
    #: The name given with `name=`, for `app.url_for`.
    name: str | None = None
    #: What the route was registered through, innermost first: its groups
    #: and the apps mounted with a prefix. A hook registered on one of them
    #: runs only for routes that carry it.
    scopes: tuple[Any, ...] = ()
    #: The apps the route was mounted through, innermost first (their CORS
    #: policies apply to it before the serving app's).
    via: tuple[Any, ...] = ()
    #: A mounted ASGI app that answers this route itself (`_serving/foreign.py`).
    foreign: Any = None
    befores: tuple[Hook, ...] = ()
    afters: tuple[Hook, ...] = ()
    #: AROUND hooks, outermost first (see docs/middleware.md).
    arounds: tuple[Hook, ...] = ()
    #: The route's `app.schema` contract (attached when the router compiles).
    contract: Any = None
    validates: bool = False
    shapes: bool = False
    #: No hooks (of any kind), no `returns=` and no streamed contract: the
    #: lifecycle calls the handler alone, after `check` when there is one.
    plain: bool = False
    #: The contract's per-request check on a `plain` route (None: nothing to check).
    check: Any = None
    #: The handler, when the lifecycle awaits its coroutine with nothing
    #: around it (a `plain` route without a `check`, an `async def`
    #: handler; set when the router compiles); else None. One attribute
    #: read on the most common path.
    direct: Any = None
    #: The error handlers the route reaches, nearest scope first (see `_routing/catchers.py`).
    catchers: tuple[Any, ...] = ()
    #: Whether heaven's own error answers are problem+json (`app.PROBLEMS()`).
    problems: bool = False
    #: The CORS policy of the app the route was mounted from (compile time).
    cors: Any = None

    def copy(self, **changes: Any) -> Endpoint:
        return dataclasses.replace(self, **changes)

    def __repr__(self) -> str:
        return f"<Endpoint {self.method} {self.subdomain}:{self.pattern}>"
