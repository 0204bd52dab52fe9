"""`app.group('/v1')`: the registration verbs under a path prefix. A group
is a registration-time helper: its routes are ordinary routes with the
prefix joined to their patterns, and its hooks are limited to its own
routes when the router compiles, so a request pays nothing for it."""

from __future__ import annotations

from typing import Any, Iterable

from ._routing.prefix import checked, join

_HTTP = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT")


class Group:
    """Routes, hooks and contracts under `prefix` on one subdomain table:

        api = app.group('/v1')
        api.GET('/users/:id:int', show)         # GET /v1/users/7
        api.BEFORE('/*', authenticate)          # every route of the group, and no other
        admin = api.group('/admin')             # /v1/admin/...
    """

    __slots__ = ("app", "prefix", "subdomain", "scopes")

    app: Any
    #: The whole prefix, the parents' included.
    prefix: str
    subdomain: str
    #: This group and the groups it is nested in, innermost first.
    scopes: tuple[Any, ...]

    def __init__(self, app: Any, prefix: str, subdomain: str, parent: Group | None = None) -> None:
        where = f"app.group({prefix!r})"
        own = checked(prefix, where)
        self.app = app
        self.subdomain = subdomain if parent is None else parent.subdomain
        self.prefix = own if parent is None else parent.prefix + own
        self.scopes = (self,) if parent is None else (self, *parent.scopes)

    # -- routes -------------------------------------------------------------

    def _route(self, methods: tuple[str, ...], route: str, handler: Any, stream: bool = False,
               websocket: bool = False, name: str | None = None) -> Any:
        return self.app._route(methods, join(self.prefix, route), handler, self.subdomain, stream, websocket, name,
                               self.scopes)

    def GET(self, route: str, handler: Any = None, *, name: str | None = None) -> Any:
        return self._route(("GET",), route, handler, name=name)

    def POST(self, route: str, handler: Any = None, stream: bool = False, *, name: str | None = None) -> Any:
        return self._route(("POST",), route, handler, stream, name=name)

    def PUT(self, route: str, handler: Any = None, stream: bool = False, *, name: str | None = None) -> Any:
        return self._route(("PUT",), route, handler, stream, name=name)

    def PATCH(self, route: str, handler: Any = None, stream: bool = False, *, name: str | None = None) -> Any:
        return self._route(("PATCH",), route, handler, stream, name=name)

    def DELETE(self, route: str, handler: Any = None, *, name: str | None = None) -> Any:
        return self._route(("DELETE",), route, handler, name=name)

    def HEAD(self, route: str, handler: Any = None, *, name: str | None = None) -> Any:
        return self._route(("HEAD",), route, handler, name=name)

    def OPTIONS(self, route: str, handler: Any = None, *, name: str | None = None) -> Any:
        return self._route(("OPTIONS",), route, handler, name=name)

    def TRACE(self, route: str, handler: Any = None, *, name: str | None = None) -> Any:
        return self._route(("TRACE",), route, handler, name=name)

    def CONNECT(self, route: str, handler: Any = None, *, name: str | None = None) -> Any:
        return self._route(("CONNECT",), route, handler, name=name)

    def HTTP(self, route: str, handler: Any = None, stream: bool = False, *, name: str | None = None) -> Any:
        """One handler for every HTTP method."""
        return self._route(_HTTP, route, handler, stream, name=name)

    def WS(self, route: str, handler: Any = None, *, name: str | None = None) -> Any:
        """A websocket route; the handler is `(send, receive, req, ctx)`."""
        return self._route(("WEBSOCKET",), route, handler, websocket=True, name=name)

    SOCKET = WS
    WEBSOCKET = WS

    # -- hooks --------------------------------------------------------------

    def BEFORE(self, route: str, hook: Any = None, methods: Iterable[str] | None = None) -> Any:
        """`hook(req, res, ctx)` before the handlers of the group's routes
        that `route` (relative to the group) covers."""
        return self.app._hook("before", join(self.prefix, route), hook, self.subdomain, methods, self)

    def AFTER(self, route: str, hook: Any = None, methods: Iterable[str] | None = None) -> Any:
        """`hook(req, res, ctx)` after the handlers of the group's routes."""
        return self.app._hook("after", join(self.prefix, route), hook, self.subdomain, methods, self)

    def AROUND(self, route: str, hook: Any = None, methods: Iterable[str] | None = None) -> Any:
        """`hook(req, res, ctx, call_next)` around the group's routes that
        `route` covers (see docs/middleware.md), and no other."""
        return self.app._hook("around", join(self.prefix, route), hook, self.subdomain, methods, self)

    # -- errors ---------------------------------------------------------------

    def ERROR(self, error: Any, handler: Any = None) -> Any:
        """`app.ERROR` for the paths under the group's prefix (see
        docs/errors.md): an exception class or a status, answered by
        `handler(req, res, ctx, exc)`. It covers every request under the
        prefix on the group's subdomain, those no route takes included
        (a 404 under `/v1`), before the app's own handlers. Without
        `handler`, a decorator."""
        if handler is None:

            def register(fn: Any) -> Any:
                self.ERROR(error, fn)
                return fn

            return register
        self.app._catch(error, handler, self.subdomain, self.prefix or None)
        return self

    # -- the rest -------------------------------------------------------------

    @property
    def schema(self) -> Any:
        """Contracts for the group's routes: `api.schema.POST('/users', expects=NewUser)`."""
        from .schema import SchemaRegistry

        return SchemaRegistry(self.app, self.subdomain, self.prefix)

    def ASSETS(self, folder: Any, route: str | None = None, relative_to: Any = None) -> Any:
        """`app.ASSETS` under the group's prefix (`route` defaults to `/<folder>/*`)."""
        import os

        if route is None:
            route = "/" + os.fspath(folder).strip("/").replace(os.sep, "/") + "/*"
        return self.app.ASSETS(folder, join(self.prefix, route), self.subdomain, relative_to)

    def group(self, prefix: str) -> Group:
        """A group nested in this one: its prefix follows ours, and our hooks
        run for its routes too."""
        return Group(self.app, prefix, self.subdomain, self)

    def controller(self, controller: Any, prefix: str | None = None, *, namespace: str | None = None) -> Group:
        """`app.controller` inside this group: the controller's prefix
        follows the group's, and the group's hooks run for its routes."""
        from .controllers import register

        register(self.app, controller, prefix, self.subdomain, namespace, self)
        return self

    def url_for(self, target: str, /, **params: Any) -> str:
        """`app.url_for` (names are app-wide)."""
        path: str = self.app.url_for(target, **params)
        return path

    def __repr__(self) -> str:
        return f"<Group {self.prefix or '/'!r} on {self.subdomain!r} of {self.app!r}>"
