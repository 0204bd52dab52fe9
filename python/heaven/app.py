"""The application: registration, process state, lifecycle and mounting.
Routes and hooks go into the Rust router as they are registered (so a bad
one raises at once); the router is compiled once, at startup or on the
first request, and again only if something is registered afterwards."""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, TypeVar, overload

from . import _core
from ._routing import catchers, reverse
from ._routing.callables import is_async, is_coroutine_function, load_callable
from ._routing.endpoint import Endpoint, Hook
from ._routing.prefix import checked, join
from ._routing.records import (
    CallbackRecord, CatcherRecord, ContractRecord, CorsRecord, DaemonRecord, HookRecord, Record, RouteRecord,
)
from ._serving.catching import Refusals
from ._serving.monitor import monitor_from
from ._serving.exchange import EXCHANGE
from ._serving.lifecycle import serve
from ._serving.rsgi import rsgi_del, rsgi_init
from .context import Look
from .cors import CorsPolicy, CorsTable
from .errors import PluginError, UrlDuplicateError
from .keys import Key, KeyLike, slot
from .schema import Contract, SchemaRegistry
from .sessions import SessionManager
from .group import Group
from .subdomain import Subdomain
from .templates import Templates, folder_path

T = TypeVar("T")
_MISSING: Any = object()

DEFAULT_SUBDOMAIN = "www"
STARTUP = "startup"
SHUTDOWN = "shutdown"
#: `App(max_body_size=...)` unless told otherwise: 10 MiB. `None` means no limit.
DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024
#: The methods `app.HTTP` registers.
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT")


def _configuration(configurator: Any) -> dict[str, Any]:
    if configurator is None:
        return {}
    if callable(configurator) and not isinstance(configurator, dict):
        configurator = configurator()
    if not isinstance(configurator, dict):
        raise TypeError(f"App(configurator) must be a dict or a callable returning one, got {type(configurator).__name__}")
    return configurator


class App:
    """A heaven application (also importable as `Router`, `Application`, `Server`).

    ::

        app = App()
        app.GET('/users/:id:int', lambda req, res, ctx: setattr(res, 'body', req.params))
    """

    __call__ = serve
    __rsgi__ = serve

    def __rsgi_init__(self, loop: Any) -> Any:
        """RSGI lifespan start (granian calls it): startup callbacks, daemons.
        Under a running loop (granian's embedded server) it returns the
        startup task."""
        return rsgi_init(self, loop)

    def __rsgi_del__(self, loop: Any) -> Any:
        """RSGI lifespan end: daemons cancelled, shutdown callbacks. Under a
        running loop it returns the shutdown task."""
        return rsgi_del(self, loop)

    def __init__(
        self,
        configurator: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
        protect_output: bool = True,
        allow_partials: bool = False,
        fail_on_output: bool = True,
        debug: bool = False,
        monitor: Any = None,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        *,
        form_spill_threshold: int | None = None,
        form_max_part_size: int | None = None,
        form_max_parts: int | None = None,
        form_max_field_size: int | None = None,
    ) -> None:
        """Heaven 2.4.3's constructor, positional order included:
        `protect_output`, `allow_partials` and `fail_on_output` are the
        defaults of `app.schema`'s `protect`, `partial` and `strict`. The
        `form_*` limits default to `heaven.form`'s ceilings."""
        if max_body_size is not None and (not isinstance(max_body_size, int) or max_body_size < 0):
            raise ValueError(f"max_body_size must be a non-negative int (bytes) or None, got {max_body_size!r}")
        self.debug = debug
        self.max_body_size = max_body_size
        self.protect_output = bool(protect_output)
        self.allow_partials = bool(allow_partials)
        self.fail_on_output = bool(fail_on_output)
        #: Multipart limits set on this app (None: `heaven.form`'s); see docs/forms.md.
        self.form_limits = {
            "spill_threshold": form_spill_threshold,
            "max_part_size": form_max_part_size,
            "max_parts": form_max_parts,
            "max_field_size": form_max_field_size,
        }
        #: The event-loop watchdog (`monitor=True` or a threshold in seconds), or None.
        self.monitor = monitor_from(monitor)
        self._templates: Templates | None = None
        self._sessions: SessionManager | None = None
        #: CORS policies by subdomain (None: every subdomain without its own).
        self._cors: CorsTable = CorsTable(self)
        #: `app.schema` contracts by (method, subdomain, canonical pattern).
        self._contracts: dict[tuple[str, str, str], Contract] = {}
        # What a test client asked of the app (watch, bypass, swap); None in production.
        self._probe: Any = None
        self._earth: Any = None
        self._config = _configuration(configurator)
        self._state: dict[str, Any] = {}
        self._routes = _core.Routes()
        self._endpoints: list[Endpoint] = []
        self._hooks: list[Hook] = []
        # Hook ids of `app.use(hook)` (and mounted apps'), as (layer, order, id).
        self._used: list[tuple[int, int, int]] = []
        #: The `app.use` hooks, outermost first, that also wrap 400/404/405 answers (set when compiled).
        self._everywhere: tuple[Hook, ...] = ()
        self._hook_ids: dict[tuple[int, int], int] = {}
        #: The group or prefixed mount each hook id is limited to (None: none).
        self._hook_scopes: list[Any] = []
        #: Whether any CORS policy applies (the app's or a mounted app's); set when compiling.
        self._cors_on = False
        self._extras = False  # CORS or sessions on (see `_compile`)
        #: The OPTIONS routes `_add_preflight` added, by (subdomain, canonical pattern).
        self._preflights: dict[tuple[str, str], int] = {}
        self._matcher: Any = None
        self._startup: list[tuple[Callable[[Any], Any], Any]] = []
        self._shutdown: list[tuple[Callable[[Any], Any], Any]] = []
        self._daemons: list[tuple[Callable[[Any], Any], bool, Any]] = []
        self._daemon_tasks: list[Any] = []
        # RSGI under a running loop (granian's embedded server): startup and
        # shutdown run as tasks; requests wait for `_starting`.
        self._starting: Any = None
        # Registrations in order, replayed into apps this one is mounted into.
        self._log: list[Record] = []
        #: The apps this one is mounted into: (parent, isolated, prefix).
        self._parents: list[tuple[App, bool, str]] = []
        self._ws: bool | None = None
        self._table_names: set[str] = set()
        # Error handlers (`app.ERROR`), this app's and those of apps mounted into it.
        self._catchers: list[CatcherRecord] = []
        # `app.PROBLEMS()`: heaven's own error answers are problem+json.
        self._problems = False
        # What answers requests no route takes, when not the default (compiled).
        self._refusals: Refusals | None = None

    # -- configuration and state -----------------------------------------

    def CONFIG(self, key: str, default: Any = _MISSING) -> Any:
        """A value from the configurator; `default` (if given) when absent."""
        try:
            return self._config[key]
        except KeyError:
            if default is not _MISSING:
                return default
            raise KeyError(f"{key!r} is not in this app's configuration (keys: {sorted(self._config)})") from None

    def keep(self, key: KeyLike, value: Any) -> None:
        """Store `value` for the life of the process."""
        self._state[slot(key)] = value

    @overload
    def peek(self, key: Key[T]) -> T | None: ...
    @overload
    def peek(self, key: str) -> Any: ...
    def peek(self, key: KeyLike) -> Any:
        """The kept value, or None."""
        return self._state.get(slot(key))

    @overload
    def unkeep(self, key: Key[T]) -> T | None: ...
    @overload
    def unkeep(self, key: str) -> Any: ...
    def unkeep(self, key: KeyLike) -> Any:
        """Remove and return the kept value (None when absent)."""
        return self._state.pop(slot(key), None)

    def plugin(self, plugin: Any) -> App:
        """Install a plugin: any object with `install(app)`."""
        install = getattr(plugin, "install", None)
        if not callable(install):
            raise PluginError(f"plugin {type(plugin).__name__} has no install(app) method")
        install(self)
        return self

    @property
    def _(self) -> Look:
        """Dot access to `keep`'s store: `app._.settings.theme`."""
        return Look(self._state)

    def call(self, handler: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> App:
        """Call `handler(app, *args, **kwargs)` (an import string works);
        returns the app."""
        load_callable(handler, "app.call")(self, *args, **kwargs)
        return self

    def websocket(self) -> None:
        """Heaven 2.4.3's websocket flag (`app.ws`); heaven serves websocket
        routes whether it is set or not."""
        if not self._ws:
            self._ws = True

    @property
    def ws(self) -> bool | None:
        return self._ws

    def listen(self, host: str = "localhost", port: int = 8701, debug: bool | None = None, **kwargs: Any) -> None:
        """Serve the app in this process with granian until interrupted (for
        local runs; deploy with `heaven run` or granian). `debug` sets
        `app.debug`; other keywords go to `granian.server.embed.Server`
        (`interface=`, `workers`-free options such as `log_level=`)."""
        if debug is not None:
            self.debug = debug
        from ._listen import serve

        serve(self, host, int(port), **kwargs)

    # -- lifecycle ----------------------------------------------------------

    def ON(self, *args: Any) -> Any:
        """`app.ON('startup' | 'shutdown', fn)` runs `fn(app)` (sync or async,
        or an import string) then, and returns the app; `app.ON(fn)` is
        startup and returns `fn`, so `@app.ON` decorates; `@app.ON('shutdown')`
        decorates too. The event name's case does not matter. Callbacks run in
        registration order."""
        if len(args) > 2:
            raise TypeError(f"app.ON takes an event and a callback, or a callback: got {len(args)} arguments")
        if len(args) == 1:
            event, fn = STARTUP, args[0]
            if isinstance(fn, str) and fn.lower() in (STARTUP, SHUTDOWN):
                # @app.ON('startup'): an event name, never an import string (those have a dot).
                chosen = fn.lower()

                def register(callback: Any) -> Any:
                    self.ON(chosen, callback)
                    return callback

                return register
        elif len(args) == 2:
            event, fn = args
            if not isinstance(event, str) or event.lower() not in (STARTUP, SHUTDOWN):
                raise ValueError(f"app.ON event must be 'startup' or 'shutdown', not {event!r}")
            event = event.lower()
        else:
            raise TypeError("app.ON needs a callback: app.ON(fn) or app.ON('startup', fn)")
        if not callable(fn) and not isinstance(fn, str):
            raise TypeError(f"app.ON needs a callable (or an import string), got {fn!r}")
        callback = load_callable(fn, f"app.ON({event!r})")
        self._lifecycle(event, callback, self)
        return fn if len(args) == 1 else self

    def ONCE(self, *args: Any) -> Any:
        """The same as `app.ON`: `app.ONCE(fn)` (startup; returns `fn`, so
        `@app.ONCE` keeps the function), `app.ONCE('startup' | 'shutdown', fn)`
        (returns the app) or `@app.ONCE('shutdown')`."""
        return self.ON(*args)

    def _lifecycle(self, event: str, fn: Callable[[Any], Any], owner: Any) -> None:
        (self._startup if event == STARTUP else self._shutdown).append((fn, owner))
        self._record(CallbackRecord(event, fn, owner))

    @property
    def daemons(self) -> list[Callable[[Any], Any]]:
        return [fn for fn, _, _ in self._daemons]

    @daemons.setter
    def daemons(self, fn: Callable[[Any], Any] | str) -> None:
        """`app.daemons = fn` adds a daemon: `fn(app)` runs after startup and
        returns the seconds until it runs again (None/False to stop)."""
        daemon = load_callable(fn, "app.daemons")
        self._daemon(daemon, is_async(daemon), self)

    def _daemon(self, fn: Callable[[Any], Any], run_async: bool, owner: Any) -> None:
        self._daemons.append((fn, run_async, owner))
        self._record(DaemonRecord(fn, run_async, owner))

    # -- routes -------------------------------------------------------------

    def _route(
        self,
        methods: tuple[str, ...],
        pattern: str,
        handler: Any,
        subdomain: str,
        stream: bool = False,
        websocket: bool = False,
        name: str | None = None,
        scopes: tuple[Any, ...] = (),
    ) -> Any:
        if handler is None:
            # Decorator form: @app.GET('/path')
            def register(fn: Any) -> Any:
                self._route(methods, pattern, fn, subdomain, stream, websocket, name, scopes)
                return fn

            return register
        where = f"{'/'.join(methods)} {pattern!r}"
        call = load_callable(handler, where)
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"{where}: name= must be a non-empty string")
        canonical = _core.pattern_parts(pattern)[2]
        template = Endpoint(
            call=call, is_async=is_async(call), app=self, stream=stream, websocket=websocket, method=methods[0],
            pattern=pattern, subdomain=subdomain, target=handler, canonical=canonical, name=name, scopes=scopes,
        )
        self._add_route(methods, subdomain, pattern, template, 0)
        return None

    def _add_route(
        self, methods: tuple[str, ...], subdomain: str, pattern: str, template: Endpoint, layer: int, record: bool = True
    ) -> None:
        if template.name is not None:
            taken = next((e for e in self._endpoints if e.name == template.name and e.canonical != template.canonical), None)
            if taken is not None:
                raise ValueError(f"route name {template.name!r} is already used by {taken.pattern!r}")
        # A real OPTIONS route takes the place of one added for a mounted app's preflights.
        taken_over = self._placeholder(subdomain, pattern, template) if "OPTIONS" in methods else None
        adding = methods if taken_over is None else tuple(m for m in methods if m != "OPTIONS")
        ids = self._routes.add_routes(list(adding), subdomain, pattern) if adding else []
        self._table_names.add(subdomain.lower())
        if template.call is _preflight_route:
            for route_id in ids:
                self._routes.unlist(route_id)  # it rides on OPTIONS: no path becomes a 405 for it
        for route_id, method in zip(ids, adding):
            if route_id != len(self._endpoints):
                raise RuntimeError("heaven: route ids out of step with endpoints")
            # Endpoints are never changed in place: the template serves its own method as is.
            self._endpoints.append(template if method == template.method else template.copy(method=method))
        if taken_over is not None:
            self._endpoints[taken_over] = template.copy(method="OPTIONS")
        self._invalidate()
        if record:
            self._record(RouteRecord(methods, subdomain, pattern, template, layer))

    def _placeholder(self, subdomain: str, pattern: str, template: Endpoint) -> int | None:
        """The id of the OPTIONS route `_add_preflight` put at this path, if
        any. Its parameter names are the router's, so they must match."""
        if template.call is _preflight_route or not self._preflights:
            return None
        route_id = self._preflights.get((subdomain.lower(), template.canonical))
        if route_id is None or self._endpoints[route_id].target is not _mounted_preflight:
            return None
        routed = self._endpoints[route_id].pattern
        if _core.pattern_parts(routed)[0] != _core.pattern_parts(pattern)[0]:
            raise UrlDuplicateError(f"OPTIONS {pattern!r} names its parameters unlike {routed!r}, already routed here")
        return route_id

    def abettor(
        self,
        method: str,
        route: str,
        handler: Any,
        subdomain: str = DEFAULT_SUBDOMAIN,
        router: Any = None,
        stream: bool = False,
    ) -> None:
        """Register `handler` for one method (Heaven 2.4.3's primitive behind
        `GET`, `POST`, ...; `'SOCKET'` registers a websocket route). With
        `router`, the handler sees that app as `req.app`."""
        method = method.upper()
        if method in ("SOCKET", "WS", "WEBSOCKET"):
            self._route(("WEBSOCKET",), route, handler, subdomain, websocket=True)
        else:
            self._route((method,), route, handler, subdomain, stream)
        if router is not None and router is not self:
            added = self._endpoints[-1]
            self._endpoints[-1] = added.copy(app=router)

    def GET(self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, *, name: str | None = None) -> Any:
        return self._route(("GET",), route, handler, subdomain, name=name)

    def POST(
        self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, stream: bool = False, *, name: str | None = None
    ) -> Any:
        return self._route(("POST",), route, handler, subdomain, stream, name=name)

    def PUT(
        self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, stream: bool = False, *, name: str | None = None
    ) -> Any:
        return self._route(("PUT",), route, handler, subdomain, stream, name=name)

    def PATCH(
        self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, stream: bool = False, *, name: str | None = None
    ) -> Any:
        return self._route(("PATCH",), route, handler, subdomain, stream, name=name)

    def DELETE(self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, *, name: str | None = None) -> Any:
        return self._route(("DELETE",), route, handler, subdomain, name=name)

    def HEAD(self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, *, name: str | None = None) -> Any:
        return self._route(("HEAD",), route, handler, subdomain, name=name)

    def OPTIONS(self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, *, name: str | None = None) -> Any:
        return self._route(("OPTIONS",), route, handler, subdomain, name=name)

    def TRACE(self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, *, name: str | None = None) -> Any:
        return self._route(("TRACE",), route, handler, subdomain, name=name)

    def CONNECT(self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, *, name: str | None = None) -> Any:
        return self._route(("CONNECT",), route, handler, subdomain, name=name)

    def HTTP(
        self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, stream: bool = False, *, name: str | None = None
    ) -> Any:
        """One handler for every HTTP method (all or nothing)."""
        return self._route(HTTP_METHODS, route, handler, subdomain, stream, name=name)

    def WS(self, route: str, handler: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, *, name: str | None = None) -> Any:
        """A websocket route; the handler is `(send, receive, req, ctx)`."""
        return self._route(("WEBSOCKET",), route, handler, subdomain, websocket=True, name=name)

    SOCKET = WS
    WEBSOCKET = WS

    # -- hooks --------------------------------------------------------------

    def BEFORE(
        self, route: str, hook: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, methods: Iterable[str] | None = None
    ) -> Any:
        """Run `hook(req, res, ctx)` before the handler of every route the
        pattern covers (`/users/:id` exactly, or `/users/*` as a prefix)."""
        return self._hook("before", route, hook, subdomain, methods)

    def AFTER(
        self, route: str, hook: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, methods: Iterable[str] | None = None
    ) -> Any:
        """Run `hook(req, res, ctx)` after the handler (skipped on abort)."""
        return self._hook("after", route, hook, subdomain, methods)

    def AROUND(
        self, route: str, hook: Any = None, subdomain: str = DEFAULT_SUBDOMAIN, methods: Iterable[str] | None = None
    ) -> Any:
        """Run `hook(req, res, ctx, call_next)` around every route the pattern
        covers: `await call_next()` runs the rest (inner AROUND hooks,
        BEFORE hooks, the handler, AFTER hooks) and raises what it raised;
        not calling it answers with `res` as the hook left it. Outermost
        first: parent app, then broadest pattern, then registration order
        (see docs/middleware.md)."""
        return self._hook("around", route, hook, subdomain, methods)

    def use(self, middleware: Any, **options: Any) -> App:
        """Add middleware to the whole app (see docs/middleware.md).

        - A heaven middleware (`heaven.middleware.Compression()`, or any
          `(req, res, ctx, call_next)` function) is an AROUND hook on every
          route of every subdomain, served the same way on ASGI and RSGI.
        - An ASGI middleware class is built as `middleware(app, **options)`
          and wraps the app's ASGI entry point (lifespan included); the
          first one added is the outermost. Such an app serves ASGI only:
          under RSGI it refuses to start, naming the middleware."""
        if isinstance(middleware, str):
            middleware = load_callable(middleware, "app.use")
        if isinstance(middleware, type):
            if middleware.__module__.startswith("heaven.middleware"):
                raise TypeError(f"app.use({middleware.__name__}): make one first, e.g. app.use({middleware.__name__}())")
            from ._serving.stack import wrap

            wrap(self, middleware, options)
            return self
        if options:
            raise TypeError(
                f"app.use({_label(middleware)}, ...): options are for ASGI middleware classes; "
                "configure a heaven middleware when you make it"
            )
        if not callable(middleware):
            raise TypeError(f"app.use needs an ASGI middleware class or a (req, res, ctx, call_next) hook, got {middleware!r}")
        self._add_hook("around", None, "/*", None, middleware, 0)
        return self

    def _hook(
        self, kind: str, pattern: str, hook: Any, subdomain: str, methods: Iterable[str] | None, scope: Any = None
    ) -> Any:
        if hook is None:

            def register(fn: Any) -> Any:
                self._hook(kind, pattern, fn, subdomain, methods, scope)
                return fn

            return register
        fn = load_callable(hook, f"{kind.upper()} {pattern!r}")
        scoped = None if methods is None else [str(m).upper() for m in ([methods] if isinstance(methods, str) else methods)]
        self._add_hook(kind, subdomain, pattern, scoped, fn, 0, scope)
        return None

    def _add_hook(
        self, kind: str, subdomain: str | None, pattern: str, methods: list[str] | None, fn: Any, layer: int, scope: Any = None
    ) -> None:
        # One id per (callable, scope): the same function on two groups is two hooks.
        key = (id(fn), id(scope))
        hook_id = self._hook_ids.get(key)
        if hook_id is None:
            hook_id = len(self._hooks)
            self._hooks.append((fn, is_async(fn)))
            self._hook_scopes.append(scope)
            self._hook_ids[key] = hook_id
        self._routes.add_hook(kind, subdomain, pattern, methods, hook_id, layer)
        if subdomain is None and pattern == "/*" and methods is None and kind == "around" and scope is None:
            self._used.append((layer, len(self._used), hook_id))
        self._invalidate()
        self._record(HookRecord(kind, subdomain, pattern, methods, fn, layer, scope))

    # -- errors -------------------------------------------------------------

    def ERROR(self, error: Any, handler: Any = None, subdomain: str | None = None) -> Any:
        """Answer an error with `handler(req, res, ctx, exc)` (sync or async,
        or an import string), which writes `res` as a handler does. `error`
        is an exception class (matched along the raised exception's MRO, the
        most specific first) or a status: 404, 405 and 400 for requests no
        route takes, 413, the status of an `HTTPError` (422, 415...), 500 for
        an exception no class handler took. `subdomain` limits it to that
        subdomain's routes (`app.subdomain('api').ERROR(...)`); without it,
        it covers every subdomain. Without `handler`, a decorator. See
        docs/errors.md."""
        if handler is None:

            def register(fn: Any) -> Any:
                self.ERROR(error, fn, subdomain)
                return fn

            return register
        self._catch(error, handler, subdomain, None)
        return self

    def _catch(self, error: Any, handler: Any, subdomain: str | None, prefix: str | None) -> None:
        """Register an error handler, scoped to a subdomain and to a path
        prefix (a route group: `prefix='/v1'` covers `/v1` and the routes
        and refused paths under it) when given."""
        key = catchers.check_key(error)
        fn = load_callable(handler, f"app.ERROR({key!r})")
        catchers.check_handler(fn, key)
        scoped = catchers.check_prefix(prefix)
        record = CatcherRecord(key, fn, is_async(fn), None if subdomain is None else str(subdomain).lower(), scoped, self)
        self._add_catcher(record)

    def _add_catcher(self, record: CatcherRecord) -> None:
        self._catchers.append(record)
        self._invalidate()
        self._record(record)

    def PROBLEMS(self) -> App:
        """Answer every error heaven makes itself (400, 404, 405, 413, 415,
        422, 500, 503...) as RFC 9457 `application/problem+json` instead of
        plain text; error handlers still come first. It covers the routes of
        this app, also where it is mounted. See docs/errors.md."""
        self._problems = True
        self._invalidate_up()
        return self

    def _invalidate_up(self) -> None:
        """This app and every app it is mounted into compile again (what
        they serve of it changed)."""
        self._invalidate()
        for parent, *_ in self._parents:
            parent._invalidate_up()

    # -- reverse routing ----------------------------------------------------

    def url_for(self, target: str, /, **params: Any) -> str:
        """The path of a route given its `name=` or its pattern, with its
        parameters filled in: `app.url_for('user', id=7)` → `/users/7`.
        Values are type-checked against the pattern (`:id:int` refuses 'x')
        and percent-quoted; other keyword arguments become the query string
        (typed if the route hints them). A wildcard value is `**{'*': 'a/b'}`."""
        endpoint = next((e for e in self._endpoints if e.name == target), None)
        if endpoint is None and target.startswith("/"):
            canonical = _core.pattern_parts(target)[2]
            endpoint = next((e for e in self._endpoints if e.canonical == canonical), None)
            if endpoint is None:
                raise KeyError(f"url_for: no route is registered with the pattern {target!r}")
        if endpoint is None:
            raise KeyError(f"url_for: no route is named {target!r}")
        path = reverse.build(endpoint.pattern, params)
        served = self._served_prefix()
        if not served:
            return path
        return served + (path[1:] if path == "/" or path.startswith("/?") else path)

    def _served_prefix(self) -> str:
        """The prefixes this app is served under, through the first app it
        is mounted into at each level ('' when it is not mounted)."""
        prefix, app = "", self
        while app._parents:
            app, _, step = app._parents[0]
            prefix = step + prefix
        return prefix

    # -- API docs -----------------------------------------------------------

    def DOCS(
        self,
        route: str = "/docs",
        title: str = "API Reference",
        version: str = "0.0.1",
        subdomain: str = DEFAULT_SUBDOMAIN,
        favicon: str | None = None,
        *,
        description: str | None = None,
        script_url: str | None = None,
        style_url: str | None = None,
        document_subdomain: str | None = None,
    ) -> App:
        """Serve the OpenAPI 3.1 document at `{route}/openapi.json` and an
        HTML reference page at `route` (see docs/api-docs.md). Override
        `script_url`/`style_url` to load the page's renderer from your own
        assets (offline use); `favicon` is the page's icon."""
        from .openapi import DEFAULT_SCRIPT, install_docs

        self._docs_config = {"title": title, "version": version, "description": description}
        install_docs(
            self,
            route,
            title,
            version,
            subdomain,
            script_url or DEFAULT_SCRIPT,
            style_url,
            description=description,
            document_subdomain=document_subdomain,
            favicon=favicon,
        )
        return self

    def openapi(self, subdomain: str | None = None) -> dict[str, Any]:
        """The OpenAPI 3.1 document as a dict: every route, or one
        subdomain's; titled as the last `DOCS()` call said."""
        from .openapi import openapi_document

        config = getattr(self, "_docs_config", None) or {}
        return openapi_document(
            self, config.get("title", "API Reference"), config.get("version", "0.0.1"), config.get("description"), subdomain
        )

    # -- contracts ------------------------------------------------------------

    @property
    def schema(self) -> SchemaRegistry:
        """`app.schema.POST('/users', expects=NewUser, returns=User)` (see docs/schemas.md)."""
        return SchemaRegistry(self)

    def _add_contract(self, contract: Contract, layer: int) -> None:
        if contract.key in self._contracts:
            raise ValueError(f"{contract.method} {contract.route!r} already has a contract")
        self._contracts[contract.key] = contract
        self._invalidate()
        self._record(ContractRecord(contract, layer))

    # -- CORS ---------------------------------------------------------------

    def cors(self, handler: Any = None, subdomains: Iterable[str] | str | None = None, **options: Any) -> App:
        """Let browsers on other origins call this app (see docs/cors.md).
        Options (`origin`, `methods`, `headers`, `expose_headers`,
        `credentials`, `max_age`, forgivingly spelled): preflights are
        answered before routing and every response gets the matching
        headers. Or give your own hook as `handler` (a callable or import
        string): it runs BEFORE every route and an `OPTIONS /*` route lets
        preflights reach it. `subdomains` names the route tables covered
        (default `www`, as in Heaven 2.4.3)."""
        names = ["www"] if subdomains is None else [subdomains] if isinstance(subdomains, str) else list(subdomains)
        names = [str(name).lower() for name in names]
        if isinstance(handler, str) and "." not in handler:
            options.setdefault("origin", handler)  # cors('*'): an origin, not an import path
            handler = None
        if handler is not None:
            hook = load_callable(handler, "app.cors")
            for name in names:
                self.BEFORE("/*", hook, subdomain=name)
                self.OPTIONS("/*", _preflight_route, subdomain=name)
            return self
        policy = CorsPolicy(**options)
        for name in names:
            self._cors[name] = policy
        self._invalidate()
        self._record(CorsRecord(tuple(names)))
        return self

    # -- sessions -----------------------------------------------------------

    def sessions(
        self,
        secret_key: Any,
        cookie_name: str = "session",
        max_age: int | None = 3600,
        subdomains: Iterable[str] | str | None = None,
        **cookie_opts: Any,
    ) -> App:
        """Signed-cookie sessions on `ctx.session` (see docs/security.md).
        `secret_key` may be a list: new cookies are signed with the first key,
        cookies signed with any of them are read (key rotation). `subdomains`
        limits them to those route tables (default: every one, loaded only
        when a handler reads `ctx.session`)."""
        self._sessions = SessionManager(
            secret_key, cookie_name=cookie_name, max_age=max_age, subdomains=subdomains, **cookie_opts
        )
        self._invalidate()  # compiled apps recompile: `_extras` counts sessions
        return self

    # -- templates and assets -----------------------------------------------

    def TEMPLATES(
        self,
        folder: str | Any,
        escape: tuple[str, ...] | list[str] | str | None = None,
        asynchronous: bool = True,
        relative_to: str | Any = None,
        prefix: str | None = None,
    ) -> App:
        """Add a template folder (searched after those added before it).
        `relative_to` is a file (`__file__`) or directory the folder is
        relative to; `prefix` puts the folder's templates under `prefix/`;
        files with an `escape` extension (default `html`, `htm`) are
        autoescaped. Both `await res.render()` and `res.renders()` work
        either way; `asynchronous=False` (the first call's value holds, as in
        Heaven 2.4.3) renders awaited templates synchronously: no awaiting
        inside templates, and no cost of Jinja2's async mode."""
        if self._templates is None:
            self._templates = Templates()
        self._templates.add(
            folder_path(folder, relative_to), prefix, ("html", "htm") if escape is None else escape, asynchronous
        )
        return self

    def ASSETS(
        self, folder: str | Any, route: str | None = None, subdomain: str = DEFAULT_SUBDOMAIN, relative_to: str | Any = None
    ) -> App:
        """Serve the files under `folder` at `/<folder>/*` (or `route`, which
        must end in `/*`), through `res.file(..., within=folder)`: nothing
        outside the folder can be reached."""
        root = folder_path(folder, relative_to)
        if route is None:
            route = "/" + os.fspath(folder).strip("/").replace(os.sep, "/") + "/*"
        if not route.endswith("/*"):
            raise ValueError(f"ASSETS route must end in '/*', got {route!r}")

        def serve_asset(req: Any, res: Any, ctx: Any) -> None:
            res.file(req.params["*"], within=root)

        serve_asset.__qualname__ = f"ASSETS({os.fspath(folder)!r})"
        self._route(("GET",), route, serve_asset, subdomain)
        return self

    # -- composition --------------------------------------------------------

    def subdomain(self, name: str) -> Subdomain:
        """Registration methods bound to one subdomain: `app.subdomain('api').GET(...)`."""
        return Subdomain(self, name)

    def group(self, prefix: str, subdomain: str = DEFAULT_SUBDOMAIN) -> Group:
        """Registration verbs under a path prefix: `api = app.group('/v1');
        api.GET('/users', handler)` serves `/v1/users`. Hooks registered on
        the group run only for its routes; groups nest (`api.group('/admin')`).
        See docs/groups.md."""
        return Group(self, prefix, subdomain)

    def controller(
        self, controller: Any, prefix: str | None = None, subdomain: str = DEFAULT_SUBDOMAIN, *, namespace: str | None = None
    ) -> App:
        """Register every route and hook a controller declares (methods
        marked with `heaven.controllers.GET(...)`, `BEFORE(...)`, ...), under
        `prefix` (default: the controller's `prefix` attribute). A class is
        instantiated with no arguments. See docs/groups.md."""
        from .controllers import register

        register(self, controller, prefix, subdomain, namespace, None)
        return self

    def mount(
        self,
        child: Any,
        isolated: bool = True,
        prefer: Any = None,
        *,
        prefix: str | None = None,
        subdomain: str = DEFAULT_SUBDOMAIN,
    ) -> App:
        """Serve `child` from this app (see docs/mounting.md).

        A heaven app brings its routes, hooks, contracts, CORS policies,
        lifecycle callbacks and daemons, under `prefix` when one is given
        (at their own paths otherwise, as in Heaven 2.4.3); later
        registrations on `child` follow. `isolated=False` also shares
        configuration and state. `prefer` (Heaven 2.4.3: who wins a
        pytastic registration clash) is accepted; heaven keeps no per-app
        validator registrations to clash.

        Any other ASGI application is served at `prefix` (required) on the
        `subdomain` table: every request under it goes to the app, with
        `root_path` extended by the prefix, and its lifespan runs with ours."""
        if prefer not in (None, "parent", "self", "child", "incoming") and not isinstance(prefer, App):
            raise ValueError(f"mount(prefer=...) takes 'parent', 'self', 'child' or 'incoming', not {prefer!r}")
        where = f"app.mount({type(child).__name__})"
        prefix = checked(prefix, where)
        if not isinstance(child, App):
            from ._serving.foreign import mount_foreign

            if not isolated:
                raise ValueError(f"{where}: an ASGI app shares no configuration or state: isolated=False is for heaven apps")
            mount_foreign(self, child, prefix, subdomain, where)
            return self
        if subdomain != DEFAULT_SUBDOMAIN:
            raise ValueError(f"{where}: subdomain= is for ASGI apps; a heaven app's routes keep their own subdomains")
        if child is self or self._descends_from(child):
            raise ValueError("an app cannot be mounted into itself or into an app mounted under it")
        if any(mount[0] is self for mount in child._parents):
            raise ValueError("this app is already mounted here")
        if not isolated:
            for key, value in child._config.items():
                self._config.setdefault(key, value)
            for key, value in child._state.items():
                self._state.setdefault(key, value)
            child._config = self._config
            child._state = self._state
            if child._templates is not None:
                if self._templates is None:
                    self._templates = Templates()
                self._templates.extend(child._templates)
            child._templates = self._templates
        for record in child._log:
            self._adopt(child, isolated, prefix, record)
        child._parents.append((self, isolated, prefix))
        return self

    def _descends_from(self, other: App) -> bool:
        return any(mount[0] is other or mount[0]._descends_from(other) for mount in self._parents)

    def _record(self, record: Record) -> None:
        self._log.append(record)
        for parent, isolated, prefix in self._parents:
            parent._adopt(self, isolated, prefix, record)

    def _adopt(self, child: App, isolated: bool, prefix: str, record: Record) -> None:
        """Take one registration of a mounted `child` as our own, under
        `prefix`. With a prefix the child is a scope: its hooks run only for
        its own routes."""

        def owner(app: Any) -> Any:
            # Isolated children keep seeing themselves; shared ones see us.
            return app if isolated or app is not child else self

        if isinstance(record, RouteRecord):
            template = record.template
            pattern = join(prefix, record.pattern)
            adopted = template.copy(
                app=owner(template.app),
                mounted=template.mounted or child,
                pattern=pattern,
                canonical=_core.pattern_parts(pattern)[2] if prefix else template.canonical,
                scopes=template.scopes + (child,) if prefix else template.scopes,
                via=template.via + (child,),
                foreign=template.foreign.under(prefix) if template.foreign is not None and prefix else template.foreign,
            )
            self._add_route(record.methods, record.subdomain, pattern, adopted, record.layer + 1)
            if not template.websocket and _cors_of(adopted) is not None:
                self._add_preflight(record.subdomain, pattern, adopted)
        elif isinstance(record, HookRecord):
            scope = record.scope if record.scope is not None or not prefix else child
            pattern = join(prefix, record.pattern)
            self._add_hook(record.kind, record.subdomain, pattern, record.methods, record.fn, record.layer + 1, scope)
        elif isinstance(record, CallbackRecord):
            self._lifecycle(record.event, record.fn, owner(record.owner))
        elif isinstance(record, DaemonRecord):
            self._daemon(record.fn, record.run_async, owner(record.owner))
        elif isinstance(record, CatcherRecord):
            # Its owner stays the child: it covers the child's routes; a group's path scope moves under the prefix.
            self._add_catcher(record._replace(prefix=join(prefix, record.prefix)) if prefix and record.prefix else record)
        elif isinstance(record, CorsRecord):
            # A policy set on the child after its routes came here: they now answer preflights.
            for ep in list(self._endpoints):
                if child in ep.via and not ep.websocket and ep.call is not _preflight_route and _cors_of(ep) is not None:
                    self._add_preflight(ep.subdomain, ep.pattern, ep)
            self._invalidate()
            self._record(record)
        else:
            contract = record.contract
            self._add_contract(contract.at(join(prefix, contract.route)) if prefix else contract, record.layer + 1)

    def _add_preflight(self, subdomain: str, pattern: str, route: Endpoint) -> None:
        """An unlisted `OPTIONS` route beside a mounted route whose app has a
        CORS policy, so preflights to its path find that policy (unless an
        OPTIONS route is there already)."""
        template = route.copy(call=_preflight_route, is_async=False, target=_mounted_preflight, name=None, stream=False,
                              foreign=None, method="OPTIONS")
        try:
            self._add_route(("OPTIONS",), subdomain, pattern, template, 0, record=False)
        except UrlDuplicateError:
            return
        self._preflights[(subdomain.lower(), route.canonical)] = len(self._endpoints) - 1

    # -- serving ------------------------------------------------------------

    def _compile(self) -> Any:
        """Freeze the routes: every endpoint gets its hook chain, worked out
        once in Rust. Returns the matcher the dispatcher uses."""
        chains = self._routes.chains()
        probe = self._probe
        hooks = self._hooks if probe is None else [probe.hook(fn, run_async) for fn, run_async in self._hooks]
        scopes = self._hook_scopes
        entries = []
        reaches: dict[int, dict[int, tuple[Any, int]]] = {}
        cors_on = bool(self._cors)
        for endpoint, (before, after, around) in zip(self._endpoints, chains):
            entry = endpoint.copy()
            # A hook limited to a group or prefixed mount runs only for the routes registered through it.
            mine = endpoint.scopes
            entry.befores = tuple(hooks[i] for i in before if hooks[i] is not None and (scopes[i] is None or scopes[i] in mine))
            entry.afters = tuple(hooks[i] for i in after if hooks[i] is not None and (scopes[i] is None or scopes[i] in mine))
            if around and not endpoint.websocket:  # a websocket has no response to wrap
                entry.arounds = tuple(
                    hooks[i] for i in around if hooks[i] is not None and (scopes[i] is None or scopes[i] in mine)
                )
            if endpoint.via:
                entry.cors = _cors_of(endpoint)
                cors_on = cors_on or entry.cors is not None
            swapped = None if probe is None else probe.handler(endpoint.call, endpoint.target)
            if swapped is not None:
                entry.call, entry.is_async = swapped, is_async(swapped)
            contract = self._contracts.get((endpoint.method, endpoint.subdomain.lower(), endpoint.canonical))
            if contract is not None:
                contract.for_route(endpoint.pattern)
                entry.contract = contract
                entry.validates = contract.validates
                entry.shapes = contract.returns is not None
                if entry.stream and contract.expects is not None:
                    # A JSON body is validated whole: read it (within max_body_size) before the handler.
                    entry.stream = False
            entry.plain = not (entry.befores or entry.afters or entry.arounds or entry.shapes
                               or (entry.validates and entry.stream))
            if entry.plain and entry.validates:
                entry.check = entry.contract.checker()
            direct = entry.plain and entry.check is None and is_coroutine_function(entry.call)
            entry.direct = entry.call if direct else None
            self._catching(entry, reaches)
            entries.append(entry)
        own = {id(self): (self, 0)}
        if self._problems or any(r.owner is self for r in self._catchers):
            self._refusals = Refusals([r for r in self._catchers if r.owner is self], own, self._problems)
        else:
            self._refusals = None
        used: list[int] = []
        for _, _, hook_id in sorted(self._used):
            if hook_id not in used:
                used.append(hook_id)
        self._everywhere = tuple(hooks[i] for i in used if hooks[i] is not None)
        self._cors_on = cors_on
        # Whether a request needs more than `Matcher.enter` starts (the lifecycle's one test).
        self._extras = cors_on or self._sessions is not None
        self._matcher = self._routes.compile(entries, EXCHANGE, self)
        return self._matcher

    def _catching(self, entry: Endpoint, reaches: dict[int, dict[int, tuple[Any, int]]]) -> None:
        """The error handlers and format of one route: those of the app it
        came from, then of each app between it and this one."""
        origin = entry.mounted or self
        reach = reaches.get(id(origin))
        if reach is None:
            reach = reaches[id(origin)] = catchers.lineage(origin, self)
        if self._catchers:
            entry.catchers = catchers.table(self._catchers, reach, entry.subdomain.lower(), entry.pattern)
        entry.problems = any(app._problems for app, _ in reach.values())

    def _invalidate(self) -> None:
        """Routes, hooks or test replacements changed: compile again before
        the next request."""
        self._matcher = None

    @property
    def earth(self) -> Any:
        """The in-process test client (see docs/testing.md)."""
        if self._earth is None:
            from .earth import Earth

            self._earth = Earth(self)
        return self._earth

    def _tables(self) -> set[str]:
        """The subdomains that have routes of their own."""
        return self._table_names

    @property
    def routes(self) -> list[Endpoint]:
        """Every registered route (one per method), in registration order."""
        return list(self._endpoints)

    def __repr__(self) -> str:
        return f"<heaven.App routes={len(self._endpoints)}>"


def _label(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


def _cors_of(route: Endpoint) -> CorsPolicy | None:
    """The CORS policy of the innermost app a route was mounted from that
    has one for its subdomain (None: the serving app's own applies)."""
    for app in route.via:
        if app._cors:
            policy = app._cors.get(route.subdomain.lower())
            if isinstance(policy, CorsPolicy):
                return policy
    return None


def _preflight_route(req: Any, res: Any, ctx: Any) -> None:
    """`OPTIONS /*`, registered by `app.cors(hook)` so preflights find a
    route and the hook (a BEFORE hook) answers them."""


def _mounted_preflight(req: Any, res: Any, ctx: Any) -> None:
    """What route listings show for the OPTIONS routes beside a mounted
    app's routes (their policy answers preflights before any handler)."""


_mounted_preflight._heaven_docs = True  # type: ignore[attr-defined]  # not in the OpenAPI document


Router = Application = Server = App
