"""Composition under a real granian process, on both interfaces: a heaven
app mounted under a prefix, a foreign ASGI app (HTTP, streaming, websockets,
lifespan), a route group and a controller."""

import asyncio

import httpx
import pytest
import websockets

pytestmark = pytest.mark.e2e

ORIGIN = "https://front.example"


def test_heaven_app_mounted_under_a_prefix(serve):
    server = serve("compose_app:app")
    with httpx.Client(base_url=server.url) as http:
        r = http.get("/api/users/7", headers={"origin": ORIGIN})
        assert (r.status_code, r.json()) == (200, {"id": 7})
        assert (r.headers["x-users-hook"], r.headers["access-control-allow-origin"]) == ("yes", ORIGIN)
        pre = http.options("/api/users/7", headers={"origin": ORIGIN, "access-control-request-method": "GET"})
        assert (pre.status_code, pre.headers["access-control-allow-origin"]) == (204, ORIGIN)
        assert http.get("/users/7").status_code == 404
        root = http.get("/", headers={"origin": ORIGIN})
        assert root.text == "root" and "access-control-allow-origin" not in root.headers


def test_foreign_asgi_app_with_lifespan_streaming_and_websockets(serve, tmp_path):
    server = serve("compose_app:app", env={"HEAVEN_E2E_MARKS": str(tmp_path)})
    assert (tmp_path / "metrics-startup").read_text() == "ok"
    with httpx.Client(base_url=server.url) as http:
        r = http.get("/metrics/cpu")
        assert r.json() == {"path": "/metrics/cpu", "root_path": "/metrics", "state": {"since": "boot"}, "body": 0}
        assert http.post("/metrics/in", content=b"z" * 200_000).json()["body"] == 200_000
        assert http.get("/metrics/health").text == "heaven health"
        with http.stream("GET", "/metrics/stream") as streamed:
            assert streamed.status_code == 200
            assert b"".join(streamed.iter_bytes()) == b"abc"

    async def talk():
        async with websockets.connect(server.url.replace("http://", "ws://") + "/metrics/live") as ws:
            await ws.send("hi")
            assert await ws.recv() == "/metrics: hi"

    asyncio.run(talk())
    output = server.stop()
    assert server.proc.returncode == 0, output
    assert (tmp_path / "metrics-shutdown").read_text() == "ok"


def test_route_group(serve):
    server = serve("compose_app:app")
    with httpx.Client(base_url=server.url) as http:
        r = http.get("/v1/ping")
        assert (r.text, r.headers["x-group"]) == ("pong", "v1")
        r = http.get("/v1/outside")
        assert r.text == "outside" and "x-group" not in r.headers


def test_controller(serve):
    server = serve("compose_app:app")
    with httpx.Client(base_url=server.url) as http:
        r = http.post("/v1/notes", json={"text": "second"})
        assert (r.status_code, r.json()) == (201, {"link": "/v1/notes"})
        r = http.get("/v1/notes")
        assert r.json() == ["first", "second"]
        assert (r.headers["x-controller"], r.headers["x-group"]) == ("notes", "v1")
