"""`heaven.testing.Client` and `AsyncClient` (docs/testing.md)."""

import asyncio
import threading

import pytest

from heaven import App
from heaven.testing import AsyncClient, Client, LifespanError

# The clients take `interface=`: each test drives the app through both.
pytestmark = pytest.mark.interfaces


def build(log):
    app = App()
    app.ON("startup", lambda a: log.append("start"))
    app.ON("shutdown", lambda a: log.append("stop"))

    async def tick(app):
        log.append(("tick", threading.current_thread().name))
        return None

    app.daemons = tick
    app.GET("/n/:n:int", lambda req, res, ctx: setattr(res, "body", {"n": req.params["n"]}))
    app.POST("/echo", lambda req, res, ctx: setattr(res, "body", req.json))
    app.GET("/boom", lambda req, res, ctx: 1 / 0)
    return app


def test_sync_client_runs_the_lifespan_and_requests(interface):
    log = []
    with Client(build(log), interface=interface) as client:
        assert client.interface == interface
        assert client.get("/n/3").json() == {"n": 3}
        assert client.post("/echo", json={"a": [1, 2]}).json() == {"a": [1, 2]}
        assert client.get("/boom").status_code == 500
        assert log[0] == "start"
    assert log[-1] == "stop"
    # The daemon ran on the client's loop thread, the one requests use.
    assert ("tick", "heaven-test-client") in log


def test_async_client(interface):
    log = []

    async def scenario():
        async with AsyncClient(build(log), interface=interface) as client:
            r = await client.get("/n/4")
            assert r.json() == {"n": 4}

    asyncio.run(scenario())
    assert log[0] == "start" and log[-1] == "stop"


def test_lifespan_can_be_skipped_and_failures_raise(interface):
    log = []
    with Client(build(log), lifespan=False, interface=interface) as client:
        assert client.get("/n/1").status_code == 200
    assert log == []
    broken = App()
    broken.ON("startup", lambda a: 1 / 0)
    with pytest.raises(LifespanError, match="ZeroDivisionError"):
        with Client(broken, interface=interface):
            pass

    async def scenario():
        async with AsyncClient(broken, interface=interface):
            pass

    with pytest.raises(LifespanError, match="ZeroDivisionError"):
        asyncio.run(scenario())


def test_failing_shutdown_raises(interface):
    app = App()
    app.ON("shutdown", lambda a: 1 / 0)
    with pytest.raises(LifespanError, match="ZeroDivisionError"):
        with Client(app, interface=interface):
            pass


def test_unknown_interface_is_refused():
    with pytest.raises(ValueError, match="interface must be one of"):
        Client(App(), interface="wsgi")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_sync_client_decodes_compressed_bodies_as_httpx_does(interface, encoding):
    import gzip
    import zlib

    text = "compressed " * 50
    packed = gzip.compress(text.encode()) if encoding == "gzip" else zlib.compress(text.encode())
    app = App()

    def squeezed(req, res, ctx):
        res.header("Content-Encoding", encoding)
        res.header("Content-Type", "text/plain; charset=utf-8")
        res.body = packed

    app.GET("/squeezed", squeezed)
    with Client(app, interface=interface) as client:
        r = client.get("/squeezed")
        assert r.status_code == 200
        assert r.text == text
        assert r.headers["content-encoding"] == encoding
        assert r.headers["content-length"] == str(len(packed))
    with Client(app, interface=interface) as client, client.stream("GET", "/squeezed") as streamed:
        assert b"".join(streamed.iter_raw()) == packed
