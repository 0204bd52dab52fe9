"""HTTP-level test clients bound to an app in-process: requests go through
the real ASGI callable, and the lifespan (startup callbacks, daemons,
shutdown) runs around the client's `with` block.

    with Client(app) as client:               # sync, for plain pytest tests
        assert client.get("/users/7").json() == {"id": 7}

    async with AsyncClient(app) as client:    # async
        response = await client.post("/users", json={"name": "Ada"})
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx

from .errors import LifespanError

__all__ = ["AsyncClient", "Client", "LifespanError", "Lifespan"]


class Lifespan:
    """Runs the ASGI lifespan protocol against an app, on the running loop."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._inbox: asyncio.Queue[dict] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict] = asyncio.Queue()
        self._task: asyncio.Task | None = None

    async def startup(self) -> None:
        async def receive() -> dict:
            return await self._inbox.get()

        async def send(message: dict) -> None:
            await self._outbox.put(message)

        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.3"}, "state": {}}
        self._task = asyncio.get_running_loop().create_task(self.app(scope, receive, send))
        await self._inbox.put({"type": "lifespan.startup"})
        answer = await self._outbox.get()
        if answer["type"] != "lifespan.startup.complete":
            await self._task
            raise LifespanError(f"startup failed: {answer.get('message', '')}")

    async def shutdown(self) -> None:
        await self._inbox.put({"type": "lifespan.shutdown"})
        answer = await self._outbox.get()
        if self._task is not None:
            await self._task
        if answer["type"] != "lifespan.shutdown.complete":
            raise LifespanError(f"shutdown failed: {answer.get('message', '')}")


class AsyncClient(httpx.AsyncClient):
    """`httpx.AsyncClient` over the app's ASGI callable. `async with` runs the
    lifespan (pass `lifespan=False` to skip it). Exceptions the app lets
    escape are raised in the test unless `raise_app_exceptions=False`."""

    def __init__(self, app: Any, base_url: str = "http://testserver", lifespan: bool = True,
                 raise_app_exceptions: bool = True, **kwargs: Any) -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        super().__init__(transport=transport, base_url=base_url, **kwargs)
        self.app = app
        self._lifespan = Lifespan(app) if lifespan else None

    async def __aenter__(self) -> AsyncClient:
        await super().__aenter__()
        if self._lifespan is not None:
            await self._lifespan.startup()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            if self._lifespan is not None:
                await self._lifespan.shutdown()
        finally:
            await super().__aexit__(*exc)


class _PortalTransport(httpx.BaseTransport):
    """Sync requests, each run on the client's own event-loop thread."""

    def __init__(self, portal: _Portal, app: Any, raise_app_exceptions: bool) -> None:
        self._portal = portal
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def run() -> httpx.Response:
            body = await request.aread() if hasattr(request.stream, "__aiter__") else request.read()
            forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._asgi.handle_async_request(forwarded)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

        return self._portal.call(run())


class _Portal:
    """An event loop in a thread of its own: the app keeps one loop for all
    requests and its lifespan, as under a server."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="heaven-test-client", daemon=True)
        self._thread.start()

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()


class Client(httpx.Client):
    """A synchronous `httpx.Client` over the app's ASGI callable; `with` runs
    the lifespan. Requests run on one private event loop (in a thread), so
    daemons and state behave as they do under a server."""

    def __init__(self, app: Any, base_url: str = "http://testserver", lifespan: bool = True,
                 raise_app_exceptions: bool = True, **kwargs: Any) -> None:
        self._portal = _Portal()
        transport = _PortalTransport(self._portal, app, raise_app_exceptions)
        super().__init__(transport=transport, base_url=base_url, **kwargs)
        self.app = app
        self._use_lifespan = lifespan
        self._lifespan: Lifespan | None = None
        self._portal_open = True

    def __enter__(self) -> Client:
        super().__enter__()
        if self._use_lifespan:
            try:
                self._portal.call(self._start())
            except BaseException:
                self.close()
                raise
        return self

    async def _start(self) -> None:
        # Made here, so the lifespan's queues belong to the portal's loop.
        lifespan = Lifespan(self.app)
        await lifespan.startup()
        self._lifespan = lifespan

    def __exit__(self, *exc: Any) -> None:
        try:
            if self._lifespan is not None:
                self._portal.call(self._lifespan.shutdown())
                self._lifespan = None
        finally:
            self.close()

    def close(self) -> None:
        super().close()
        if self._portal_open:
            self._portal_open = False
            self._portal.close()
