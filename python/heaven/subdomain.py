"""`app.subdomain('api')`: the registration methods with `subdomain=` bound."""

from __future__ import annotations

from functools import partial
from typing import Any

_BOUND = frozenset(
    {
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
        "HTTP", "WS", "SOCKET", "WEBSOCKET", "BEFORE", "AFTER",
    }
)


class Subdomain:
    """A cheap proxy: `api = app.subdomain('api'); api.GET('/v1', handler)`."""

    __slots__ = ("app", "name")

    def __init__(self, app: Any, name: str) -> None:
        self.app = app
        self.name = name

    @property
    def schema(self) -> Any:
        """Contracts for this subdomain's routes: `api.schema.POST(...)`."""
        from .schema import SchemaRegistry

        return SchemaRegistry(self.app, self.name)

    def __getattr__(self, attr: str) -> Any:
        if attr in _BOUND:
            return partial(getattr(self.app, attr), subdomain=self.name)
        raise AttributeError(f"subdomain proxies offer {', '.join(sorted(_BOUND))}; {attr!r} is not one of them")

    def __repr__(self) -> str:
        return f"<Subdomain {self.name!r} of {self.app!r}>"
