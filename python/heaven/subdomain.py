"""`app.subdomain('api')`: the registration methods with `subdomain=` bound."""

from __future__ import annotations

from functools import partial
from typing import Any

_BOUND = frozenset(
    {
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
        "HTTP", "WS", "SOCKET", "WEBSOCKET", "BEFORE", "AFTER", "ERROR", "AROUND",
        "group", "controller",
    }
)


class Subdomain:
    """A cheap proxy: `api = app.subdomain('api'); api.GET('/v1', handler)`."""

    __slots__ = ("app", "name")

    def __init__(self, app: Any, name: str) -> None:
        self.app = app
        self.name = name

    def ASSETS(self, folder: Any, route: str | None = None, relative_to: Any = None) -> Any:
        """`app.ASSETS` on this subdomain."""
        return self.app.ASSETS(folder, route, self.name, relative_to)

    def doc(self, route: str = "/docs", title: str = "API Reference", version: str = "0.0.1",
            favicon: str | None = None, **options: Any) -> Any:
        """`app.DOCS` for this subdomain: a reference of its own routes only."""
        options.setdefault("document_subdomain", self.name)
        return self.app.DOCS(route, title, version, self.name, favicon, **options)

    DOCS = doc

    def cors(self, handler: Any = None, **options: Any) -> Any:
        """`app.cors` for this subdomain only."""
        return self.app.cors(handler, subdomains=[self.name], **options)

    def abettor(self, method: str, route: str, handler: Any, **options: Any) -> Any:
        return self.app.abettor(method, route, handler, self.name, **options)

    @property
    def schema(self) -> Any:
        """Contracts for this subdomain's routes: `api.schema.POST(...)`."""
        from .schema import SchemaRegistry

        return SchemaRegistry(self.app, self.name)

    def __getattr__(self, attr: str) -> Any:
        if attr in _BOUND:
            return partial(getattr(self.app, attr), subdomain=self.name)
        offered = sorted([*_BOUND, "ASSETS", "DOCS", "abettor", "cors", "doc", "schema"])
        raise AttributeError(f"subdomain proxies offer {', '.join(offered)}; {attr!r} is not one of them")

    def __repr__(self) -> str:
        return f"<Subdomain {self.name!r} of {self.app!r}>"
