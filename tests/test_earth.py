"""`app.earth` (docs/testing.md): (req, res, ctx) as on the wire, lifespan,
bypass, swap, upload, sockets."""

import asyncio

import msgspec
import pytest

from heaven import App
from heaven.testing import LifespanError


def run(coro):
    return asyncio.run(coro)


def build(log):
    app = App()
    app.ON("startup", lambda a: a.keep("ready", True))

    def guard(req, res, ctx):
        log.append("guard")
        if req.headers.get("authorization") != "ok":
            res.status = 401
            res.abort({"error": "unauthorized"})

    async def show(req, res, ctx):
        ctx.user = req.params["id"]
        res.defer(lambda a: log.append("deferred"))
        res.body = {"id": req.params["id"], "ready": req.app.peek("ready"), "sub": req.subdomain}

    app.GET("/u/:id:int", show)
    app.BEFORE("/u/*", guard)
    return app, guard, show


def test_requests_return_the_objects_and_the_wire_response():
    log = []
    app, _, _ = build(log)

    async def scenario():
        async with app.earth.test():
            req, res, ctx = await app.earth.GET("/u/5", headers={"authorization": "ok"})
            assert (req.params, ctx.user) == ({"id": 5}, 5)
            assert res.status == 200
            assert res.body == b'{"id":5,"ready":true,"sub":"www"}'  # encoded, as sent
            assert res.headers["content-type"] == "application/json"
            assert res.headers["content-length"] == str(len(res.body))
            assert log == ["guard", "deferred"]  # deferred work has run
            req, res, ctx = await app.earth.GET("/u/5")
            assert (res.status, msgspec.json.decode(res.body)) == (401, {"error": "unauthorized"})
            _, res, _ = await app.earth.GET("/u/5", subdomain="api", headers={"authorization": "ok"})
            assert msgspec.json.decode(res.body)["sub"] == "api"
            req, res, ctx = await app.earth.GET("/nothing")
            assert (req, res.status, res.body, ctx) == (None, 404, b"Not found", None)

    run(scenario())


def test_bodies_of_every_kind():
    app = App()
    app.POST("/echo", lambda req, res, ctx: setattr(res, "body", {"json": req.json, "type": req.headers.get("content-type")}))
    app.PUT("/raw", lambda req, res, ctx: setattr(res, "body", req.body))

    async def scenario():
        _, res, _ = await app.earth.POST("/echo", body={"a": [1]})
        assert msgspec.json.decode(res.body) == {"json": {"a": [1]}, "type": "application/json"}
        _, res, _ = await app.earth.PUT("/raw", body=b"\x00bytes")
        assert res.body == b"\x00bytes"
        _, res, _ = await app.earth.PATCH("/echo")
        assert res.status == 405

    run(scenario())


def test_bypass_and_swap():
    log = []
    app, guard, show = build(log)

    def fake_show(req, res, ctx):
        res.body = "swapped"

    async def scenario():
        with app.earth.bypass(guard):
            _, res, _ = await app.earth.GET("/u/1")
            assert res.status == 200 and "guard" not in log
        _, res, _ = await app.earth.GET("/u/1")
        assert res.status == 401  # undone on leaving the block
        undo = app.earth.swap(show, fake_show)
        _, res, _ = await app.earth.GET("/u/1", headers={"authorization": "ok"})
        assert res.body == b"swapped"
        undo.undo()
        app.earth.swap(guard, lambda req, res, ctx: None)
        _, res, _ = await app.earth.GET("/u/1")
        assert res.status == 200 and b'"id":1' in res.body
        app.earth.restore()
        _, res, _ = await app.earth.GET("/u/1")
        assert res.status == 401

    run(scenario())


def test_upload_and_socket():
    app = App()

    def upload(req, res, ctx):
        doc = req.form["doc"]
        res.body = {"name": doc.filename, "type": doc.content_type, "content": doc.content.decode(), "tags": req.form.getlist("tag")}

    async def echo(send, receive, req, ctx):
        await send(f"hello {req.params['room']}")
        while (message := await receive()) is not None:
            await send(message)

    def refuse(req, res, ctx):
        res.abort()

    app.POST("/up", upload)
    app.WS("/rooms/:room", echo)
    app.WS("/closed", echo)
    app.BEFORE("/closed", refuse)

    async def scenario():
        _, res, _ = await app.earth.upload("/up", files={"doc": ("a.txt", "text here", "text/plain")}, data={"tag": ["x", "y"]})
        assert msgspec.json.decode(res.body) == {"name": "a.txt", "type": "text/plain", "content": "text here", "tags": ["x", "y"]}
        async with app.earth.SOCKET("/rooms/lobby") as ws:
            assert ws.accepted
            assert await ws.receive() == "hello lobby"
            await ws.send(b"\x01")
            assert await ws.receive() == b"\x01"
        async with app.earth.SOCKET("/closed") as ws:
            assert not ws.accepted and ws.close_code == 1008
            assert await ws.receive() is None

    run(scenario())


def test_failing_startup_raises():
    app = App()
    app.ON("startup", lambda a: 1 / 0)

    async def scenario():
        async with app.earth.test():
            pass

    with pytest.raises(LifespanError, match="ZeroDivisionError"):
        run(scenario())


def test_every_verb_and_swap_by_import_string():
    app = App()
    app.HTTP("/any", lambda req, res, ctx: setattr(res, "body", req.method))
    app.GET("/plain", "handlers.plain")

    async def scenario():
        for verb in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            _, res, _ = await getattr(app.earth, verb)("/any")
            assert res.body == verb.encode()
        _, res, _ = await app.earth.HEAD("/any")
        assert (res.status, res.body, res.headers["content-length"]) == (200, b"", "4")
        with app.earth.swap("handlers.plain", "handlers.asynchronous"):
            _, res, _ = await app.earth.GET("/plain")
            assert res.body == b"async function"
        _, res, _ = await app.earth.GET("/plain")
        assert res.body == b"plain function"

    run(scenario())
