"""HTTP-level test clients bound to an app in-process: requests go through
the app's real entry point (the ASGI callable, or `__rsgi__` with
`interface="rsgi"`), and the lifespan (startup callbacks, daemons,
shutdown) runs around the client's `with` block.

    with Client(app) as client:               # sync, for plain pytest tests
        assert client.get("/users/7").json() == {"id": 7}

    with Client(app, interface="rsgi") as client:   # the same, over RSGI
        ...

    async with AsyncClient(app) as client:    # async
        response = await client.post("/users", json={"name": "Ada"})
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine, TypeVar

import httpx

from ._serving.startup import ready
from ._testing.rsgi import HTTPProtocol, RSGIScope
from .errors import LifespanError

T = TypeVar("T")

__all__ = ["INTERFACES", "AsyncClient", "Client", "LifespanError", "Lifespan", "RSGITransport"]

#: The interfaces a client can drive an app through.
INTERFACES = ("asgi", "rsgi")


def _interface(name: str) -> str:
    if name not in INTERFACES:
        raise ValueError(f"interface must be one of {INTERFACES}, not {name!r}")
    return name


class Lifespan:
    """Runs the ASGI lifespan protocol against an app, on the running loop."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        async def receive() -> dict[str, Any]:
            return await self._inbox.get()

        async def send(message: dict[str, Any]) -> None:
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


class RsgiLifespan:
    """`__rsgi_init__`/`__rsgi_del__` on a loop that is already running, as
    granian's embedded server calls them: startup and shutdown are tasks,
    awaited here so that a failure surfaces as `LifespanError`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def startup(self) -> None:
        self.app.__rsgi_init__(asyncio.get_running_loop())
        try:
            await ready(self.app)
        except Exception as exc:
            raise LifespanError(f"startup failed: {type(exc).__name__}: {exc}") from exc

    async def shutdown(self) -> None:
        stopping = self.app.__rsgi_del__(asyncio.get_running_loop())
        if stopping is not None:
            await stopping


class RSGITransport(httpx.AsyncBaseTransport):
    """An httpx transport that serves each request through `app.__rsgi__`
    with stand-ins for granian's scope and protocol (`heaven._testing.rsgi`).
    Like httpx's ASGI transport, it collects the whole response."""

    def __init__(self, app: Any, raise_app_exceptions: bool = True, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        raw_path, _, query = request.url.raw_path.decode("ascii").partition("?")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        scope = RSGIScope(
            request.method, raw_path, query, headers, scheme=request.url.scheme,
            server=f"{request.url.host}:{port}", client=f"{self.client[0]}:{self.client[1]}",
        )  # fmt: skip
        proto = HTTPProtocol([body] if body else [])
        try:
            await self.app.__rsgi__(scope, proto)
        except Exception:
            if self.raise_app_exceptions:
                raise
        proto.finished()
        answer = proto.response
        if answer.status is None:  # the app sent nothing: granian answers for it
            return httpx.Response(500, headers=[("content-type", "text/plain")], content=b"Internal server error", request=request)
        pairs = [(name.encode(), value.encode()) for name, value in answer.headers]
        return httpx.Response(answer.status, headers=pairs, stream=httpx.ByteStream(answer.body), request=request)


def _transport(app: Any, interface: str, raise_app_exceptions: bool) -> httpx.AsyncBaseTransport:
    if interface == "rsgi":
        return RSGITransport(app, raise_app_exceptions=raise_app_exceptions)
    return httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)


class AsyncClient(httpx.AsyncClient):
    """`httpx.AsyncClient` over the app's ASGI callable (or RSGI with
    `interface="rsgi"`). `async with` runs the lifespan (pass
    `lifespan=False` to skip it). Exceptions the app lets escape are raised
    in the test unless `raise_app_exceptions=False`."""

    def __init__(self, app: Any, base_url: str = "http://testserver", lifespan: bool = True,
                 raise_app_exceptions: bool = True, interface: str = "asgi", **kwargs: Any) -> None:
        self.interface = _interface(interface)
        super().__init__(transport=_transport(app, interface, raise_app_exceptions), base_url=base_url, **kwargs)
        self.app = app
        self._lifespan: Lifespan | RsgiLifespan | None = None
        if lifespan:
            self._lifespan = RsgiLifespan(app) if interface == "rsgi" else Lifespan(app)

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

    def __init__(self, portal: _Portal, transport: httpx.AsyncBaseTransport) -> None:
        self._portal = portal
        self._inner = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def run() -> httpx.Response:
            body = await request.aread() if hasattr(request.stream, "__aiter__") else request.read()
            forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._inner.handle_async_request(forwarded)
            # The bytes as sent (still compressed, if they were): the outer
            # response decodes them once, as it would off a socket.
            content = b"".join([chunk async for chunk in response.aiter_raw()])
            # A stream, not `content=`: httpx would add a Content-Length the app did not send.
            return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(content), request=request)

        return self._portal.call(run())


class _Portal:
    """An event loop in a thread of its own: the app keeps one loop for all
    requests and its lifespan, as under a server. The thread starts on
    first use, so RSGI's init can run on the loop before it runs, as
    granian does."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None

    def start(self, first: Any = None) -> None:
        """Start the loop's thread; `first(loop)` runs on that thread before
        the loop does (as granian's worker calls `__rsgi_init__`), and what it
        raises is raised here."""
        if self._thread is not None:
            return
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                if first is not None:
                    first(self.loop)
            except BaseException as exc:
                failure.append(exc)
                return
            finally:
                ready.set()
            self.loop.run_forever()

        self._thread = threading.Thread(target=run, name="heaven-test-client", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        self.start()
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def stop(self) -> None:
        """Stop the loop's thread (the loop stays open)."""
        if self._thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)
            self._thread = None

    def close(self) -> None:
        self.stop()
        self.loop.close()


class Client(httpx.Client):
    """A synchronous `httpx.Client` over the app's ASGI callable (or RSGI
    with `interface="rsgi"`); `with` runs the lifespan. Requests run on one
    private event loop (in a thread), so daemons and state behave as they
    do under a server. On RSGI the lifespan is granian's: `__rsgi_init__`
    before the loop runs, `__rsgi_del__` after it stopped."""

    def __init__(self, app: Any, base_url: str = "http://testserver", lifespan: bool = True,
                 raise_app_exceptions: bool = True, interface: str = "asgi", **kwargs: Any) -> None:
        self.interface = _interface(interface)
        self._portal = _Portal()
        transport = _PortalTransport(self._portal, _transport(app, interface, raise_app_exceptions))
        super().__init__(transport=transport, base_url=base_url, **kwargs)
        self.app = app
        self._use_lifespan = lifespan
        self._lifespan: Lifespan | None = None
        self._rsgi_started = False
        self._portal_open = True

    def __enter__(self) -> Client:
        super().__enter__()
        if self._use_lifespan:
            try:
                self._start()
            except BaseException:
                self.close()
                raise
        return self

    def _start(self) -> None:
        if self.interface == "rsgi":
            try:
                self._portal.start(self.app.__rsgi_init__)  # on the loop's thread, before it runs
            except Exception as exc:
                raise LifespanError(f"startup failed: {type(exc).__name__}: {exc}") from exc
            self._rsgi_started = True
            return
        self._portal.call(self._start_asgi())

    async def _start_asgi(self) -> None:
        # Made here, so the lifespan's queues belong to the portal's loop.
        lifespan = Lifespan(self.app)
        await lifespan.startup()
        self._lifespan = lifespan

    def __exit__(self, *exc: Any) -> None:
        try:
            if self._lifespan is not None:
                self._portal.call(self._lifespan.shutdown())
                self._lifespan = None
            elif self._rsgi_started:
                self._rsgi_started = False
                self._portal.stop()
                try:
                    self.app.__rsgi_del__(self._portal.loop)  # after the loop stopped, as granian does
                except Exception as exc:
                    raise LifespanError(f"shutdown failed: {type(exc).__name__}: {exc}") from exc
        finally:
            self.close()

    def close(self) -> None:
        super().close()
        if self._portal_open:
            self._portal_open = False
            self._portal.close()
