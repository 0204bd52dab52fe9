"""Class-based controllers: a class whose methods are handlers and hooks
under one path prefix, registered in one call (`app.controller(Users)`).

Nothing is discovered by name: a method is a route only when it is marked
with one of the verbs below, and the marks only record what to register.
`app.controller` registers each marked method, bound to the instance,
through a group at the controller's prefix, so the controller's hooks run
for its own routes only::

    from heaven.controllers import BEFORE, GET, POST

    class Users:
        prefix = '/users'

        @BEFORE('/*')
        def load_account(self, req, res, ctx): ...

        @GET('/:id:int')
        def show(self, req, res, ctx): ...

    app.controller(Users())        # GET /users/7; app.url_for('Users.show', id=7)
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .group import Group

#: The attribute a mark leaves on a function: a list of what to register.
MARKS = "__heaven_controller__"

_HTTP = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT")


def _mark(kind: str, route: str, options: dict[str, Any]) -> Callable[[Any], Any]:
    if not isinstance(route, str):
        raise TypeError(f"controller {kind}: the route must be a string like '/:id:int', got {route!r}")

    def mark(fn: Any) -> Any:
        if not callable(fn):
            raise TypeError(f"controller {kind}({route!r}) marks methods, not {fn!r}")
        marks = fn.__dict__.setdefault(MARKS, [])
        marks.append((kind, route, options))
        return fn

    return mark


def GET(route: str, *, name: str | None = None, returns: Any = None, **contract: Any) -> Callable[[Any], Any]:
    """Mark a method as the GET handler of `route` (relative to the
    controller's prefix). `returns=` declares its contract (docs/schemas.md)."""
    return _mark("GET", route, {"name": name, "returns": returns, **contract})


def POST(route: str, *, name: str | None = None, stream: bool = False, expects: Any = None, returns: Any = None,
         **contract: Any) -> Callable[[Any], Any]:
    """Mark a POST handler; `expects=`/`returns=` declare its contract."""
    return _mark("POST", route, {"name": name, "stream": stream, "expects": expects, "returns": returns, **contract})


def PUT(route: str, *, name: str | None = None, stream: bool = False, expects: Any = None, returns: Any = None,
        **contract: Any) -> Callable[[Any], Any]:
    return _mark("PUT", route, {"name": name, "stream": stream, "expects": expects, "returns": returns, **contract})


def PATCH(route: str, *, name: str | None = None, stream: bool = False, expects: Any = None, returns: Any = None,
          **contract: Any) -> Callable[[Any], Any]:
    return _mark("PATCH", route, {"name": name, "stream": stream, "expects": expects, "returns": returns, **contract})


def DELETE(route: str, *, name: str | None = None, returns: Any = None, **contract: Any) -> Callable[[Any], Any]:
    return _mark("DELETE", route, {"name": name, "returns": returns, **contract})


def HEAD(route: str, *, name: str | None = None) -> Callable[[Any], Any]:
    return _mark("HEAD", route, {"name": name})


def OPTIONS(route: str, *, name: str | None = None) -> Callable[[Any], Any]:
    return _mark("OPTIONS", route, {"name": name})


def HTTP(route: str, *, name: str | None = None, stream: bool = False) -> Callable[[Any], Any]:
    """One handler for every HTTP method."""
    return _mark("HTTP", route, {"name": name, "stream": stream})


def WS(route: str, *, name: str | None = None) -> Callable[[Any], Any]:
    """Mark a websocket handler: `(self, send, receive, req, ctx)`."""
    return _mark("WS", route, {"name": name})


SOCKET = WEBSOCKET = WS


def BEFORE(route: str = "/*", *, methods: Iterable[str] | None = None) -> Callable[[Any], Any]:
    """Mark a hook run before the controller's routes that `route` covers
    (default: all of them). Never for routes of other controllers."""
    return _mark("BEFORE", route, {"methods": methods})


def AFTER(route: str = "/*", *, methods: Iterable[str] | None = None) -> Callable[[Any], Any]:
    """Mark a hook run after the controller's routes that `route` covers."""
    return _mark("AFTER", route, {"methods": methods})


def AROUND(route: str = "/*", *, methods: Iterable[str] | None = None) -> Callable[[Any], Any]:
    """Mark an AROUND hook, `(self, req, res, ctx, call_next)`, for the
    controller's routes that `route` covers (see docs/middleware.md)."""
    return _mark("AROUND", route, {"methods": methods})


def ERROR(error: Any) -> Callable[[Any], Any]:
    """Mark an error handler, `(self, req, res, ctx, exc)`, for an exception
    class or a status under the controller's prefix (see `Group.ERROR`)."""
    return _mark("ERROR", "/", {"error": error})


def _members(cls: type) -> dict[str, Any]:
    """The class's attributes in definition order, base classes first (a
    method overridden in a subclass keeps the base's place)."""
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        members.update(vars(klass))
    return members


def register(app: Any, controller: Any, prefix: str | None, subdomain: str, namespace: str | None,
             outer: Group | None) -> Group:
    """Register what `controller` (a class, instantiated with no arguments,
    or an instance) marks, under `prefix` (default: its `prefix`
    attribute, else none), inside `outer` when given. Route names are
    `<namespace>.<name>`: the namespace defaults to the class name, the
    name to the method's (a method with several marks is named only by an
    explicit `name=`)."""
    instance = controller() if isinstance(controller, type) else controller
    cls = type(instance)
    own = prefix if prefix is not None else getattr(instance, "prefix", "")
    group = outer.group(own) if outer is not None else Group(app, own, subdomain)
    space = namespace or cls.__name__
    found = 0
    for attr, member in _members(cls).items():
        marks = getattr(member, MARKS, None) if callable(member) else None
        if not marks:
            continue
        bound = getattr(instance, attr)
        for kind, route, options in marks:
            found += 1
            own = options.get("name") or (attr if len(marks) == 1 else None)
            _register_one(group, kind, route, dict(options), bound, None if own is None else f"{space}.{own}")
    if not found:
        raise ValueError(
            f"app.controller({cls.__name__}): no method is marked with heaven.controllers.GET, POST, ... or BEFORE/AFTER/AROUND/ERROR"
        )
    return group


def _register_one(group: Group, kind: str, route: str, options: dict[str, Any], bound: Any, name: str | None) -> None:
    if kind in ("BEFORE", "AFTER", "AROUND"):
        getattr(group, kind)(route, bound, options["methods"])
        return
    if kind == "ERROR":
        group.ERROR(options["error"], bound)
        return
    options.pop("name")
    if kind == "WS":
        group.WS(route, bound, name=name)
        return
    stream = options.pop("stream", False)
    expects = options.pop("expects", None)
    returns = options.pop("returns", None)
    if kind in ("POST", "PUT", "PATCH", "HTTP"):
        getattr(group, kind)(route, bound, stream, name=name)
    else:
        getattr(group, kind)(route, bound, name=name)
    if expects is not None or returns is not None:
        group.schema.add(kind, route, expects, returns, **options)
