"""`app.mount(asgi_app, prefix='/metrics')`: any ASGI application served
under a prefix. Registration adds catch-all routes (`prefix` and
`prefix/*`, every method and websockets) whose endpoint carries a
`ForeignApp`, so heaven's own, more specific routes still win and requests
elsewhere pay nothing. The lifecycle hands such a request over whole: the
app gets an ASGI scope whose `path` is the full path and whose `root_path`
is extended by the prefix (the ASGI spec's reading, and Starlette's since
0.33), on ASGI directly and on RSGI through `bridge`. Its lifespan runs
inside heaven's startup and shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from .. import _core
from .._routing.endpoint import Endpoint
from .._routing.prefix import literal
from ..errors import MountedAppFailed

logger = logging.getLogger("heaven")

#: The methods a foreign app's routes take (`app.HTTP`'s).
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT")


class Lifespan:
    """The foreign app's side of the ASGI lifespan protocol, driven by
    heaven's startup and shutdown callbacks. An app that does not speak
    lifespan (it raises or returns at once) is served without it, as ASGI
    servers do; one that answers `failed` fails heaven's startup."""

    def __init__(self, app: Any, root: str) -> None:
        self.app = app
        self.root = root
        #: The lifespan `state`, copied into each request's scope once started.
        self.state: dict[str, Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    async def startup(self, _owner: Any) -> None:
        self._inbox, self._outbox = asyncio.Queue(), asyncio.Queue()
        state: dict[str, Any] = {}
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
        self._task = asyncio.get_running_loop().create_task(self._run(scope))
        if await self._step("startup") is None:
            self._task = None
            logger.info("the ASGI app mounted at %s does not use lifespan events", self.root)
            return
        self.state = state

    async def shutdown(self, _owner: Any) -> None:
        task, self._task = self._task, None
        self.state = None
        if task is None:
            return
        try:
            await self._step("shutdown")
        finally:
            await task

    async def _run(self, scope: dict[str, Any]) -> None:
        try:
            await self.app(scope, self._inbox.get, self._outbox.put)
        except Exception:
            logger.debug("the ASGI app mounted at %s left its lifespan with an error", self.root, exc_info=True)
        finally:
            self._outbox.put_nowait(None)

    async def _step(self, step: str) -> dict[str, Any] | None:
        """Send `lifespan.<step>` and wait for the answer (None: the app left)."""
        await self._inbox.put({"type": f"lifespan.{step}"})
        answer = await self._outbox.get()
        if answer is None:
            return None
        kind = answer.get("type")
        if kind == f"lifespan.{step}.complete":
            return answer
        message = answer.get("message", "") if kind == f"lifespan.{step}.failed" else f"unexpected {kind!r}"
        raise MountedAppFailed(f"the ASGI app mounted at {self.root} failed its {step}: {message}")


class ForeignApp:
    """What a foreign app's routes carry: the app, the path it is served
    under (`root`, its `root_path` part) and its lifespan."""

    __slots__ = ("app", "root", "lifespan")

    def __init__(self, app: Any, root: str, lifespan: Lifespan) -> None:
        self.app = app
        self.root = root
        self.lifespan = lifespan

    def under(self, prefix: str) -> ForeignApp:
        """The same app once its parent is mounted under `prefix`."""
        return ForeignApp(self.app, prefix + self.root, self.lifespan)

    async def serve(self, conn: Any) -> None:
        """One request or websocket, handed over whole. A failure before the
        app began to answer becomes a 500 (a refused websocket)."""
        scope = conn.scope
        scope["root_path"] = scope.get("root_path", "") + self.root
        state = self.lifespan.state
        if state is not None:
            scope["state"] = dict(state)
        try:
            await self.app(scope, conn.receive, conn.send)
        except Exception:
            logger.exception("unhandled error in the ASGI app mounted at %s (%s)", self.root, scope.get("path"))
            await conn.fail()
            return
        await conn.finish()

    def __repr__(self) -> str:
        return f"<mounted ASGI app {self.app!r} at {self.root}>"


async def _never_called(req: Any, res: Any, ctx: Any) -> None:
    """The handler of a foreign app's route: the lifecycle hands the request
    to the app before any handler would run."""


def mount_foreign(app: Any, child: Any, prefix: str, subdomain: str, where: str) -> None:
    """Register `child` (an ASGI callable) under `prefix` on `app`."""
    if not callable(child):
        raise TypeError(f"{where}: needs a heaven App or an ASGI application (a callable), got {child!r}")
    if not prefix:
        raise ValueError(f"{where}: an ASGI app is mounted at a path: give prefix='/something'")
    literal(prefix, where)
    lifespan = Lifespan(child, prefix)
    foreign = ForeignApp(child, prefix, lifespan)
    for pattern in (prefix, prefix + "/*"):
        canonical = _core.pattern_parts(pattern)[2]
        for methods, websocket in ((_METHODS, False), (("WEBSOCKET",), True)):
            template = Endpoint(
                call=_never_called, is_async=True, app=app, stream=True, websocket=websocket, method=methods[0],
                pattern=pattern, subdomain=subdomain, target=child, canonical=canonical, foreign=foreign,
            )
            app._add_route(methods, subdomain, pattern, template, 0)
    app._lifecycle("startup", lifespan.startup, app)
    app._lifecycle("shutdown", lifespan.shutdown, app)
