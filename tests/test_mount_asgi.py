"""`app.mount(asgi_app, prefix=)`: any ASGI application under a prefix
(docs/mounting.md), on ASGI directly and on RSGI through the bridge."""

import asyncio
import json

import pytest

from heaven import App
from helpers import Client, Lifespan, converse, http_scope, stream_call

pytestmark = pytest.mark.interfaces


def run(coro):
    return asyncio.run(coro)


def make_foreign(events=None, lifespan=True):
    """A plain ASGI app: answers with what it saw, streams at `/stream`,
    echoes websockets, keeps lifespan state."""
    events = [] if events is None else events

    async def app(scope, receive, send):
        kind = scope["type"]
        if kind == "lifespan":
            if not lifespan:
                raise RuntimeError("no lifespan here")
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    scope["state"]["db"] = "connected"
                    events.append("startup")
                    await send({"type": "lifespan.startup.complete"})
                else:
                    events.append("shutdown")
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if kind == "websocket":
            assert (await receive())["type"] == "websocket.connect"
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": f"at {scope['root_path']} {scope['path']}"})
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("text") == "bye":
                    await send({"type": "websocket.close", "code": 1000})
                    return
                await send({"type": "websocket.send", **{k: v for k, v in message.items() if k in ("text", "bytes")}})
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["path"].endswith("/boom"):
            raise RuntimeError("the foreign app failed")
        if scope["path"].endswith("/stream"):
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            for part in (b"one ", b"two ", b"three"):
                await send({"type": "http.response.body", "body": part, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        seen = {
            "method": scope["method"], "path": scope["path"], "root_path": scope["root_path"],
            "query": scope["query_string"].decode(), "body": body.decode(), "state": scope.get("state"),
            "host": dict(scope["headers"]).get(b"host", b"").decode(),
        }  # fmt: skip
        payload = json.dumps(seen).encode()
        await send({"type": "http.response.start", "status": 201,
                    "headers": [(b"content-type", b"application/json"), (b"x-foreign", b"yes")]})
        await send({"type": "http.response.body", "body": payload})

    return app


def test_requests_under_the_prefix_reach_the_app_with_root_path():
    app = App()
    app.mount(make_foreign(), prefix="/metrics")
    with Client(app) as c:
        r = c.get("/metrics/cpu/load?window=5")
        assert (r.status_code, r.headers["content-type"], r.headers["x-foreign"]) == (201, "application/json", "yes")
        assert r.json() == {"method": "GET", "path": "/metrics/cpu/load", "root_path": "/metrics",
                            "query": "window=5", "body": "", "state": None, "host": "testserver"}
        assert c.get("/metrics").json()["path"] == "/metrics"
        assert c.post("/metrics/ingest", content=b"x" * 5000).json()["body"] == "x" * 5000


def test_heaven_routes_still_win_where_more_specific():
    app = App()
    app.GET("/metrics/health", lambda req, res, ctx: setattr(res, "body", "heaven"))
    app.GET("/other", lambda req, res, ctx: setattr(res, "body", "other"))
    app.mount(make_foreign(), prefix="/metrics")
    with Client(app) as c:
        assert c.get("/metrics/health").text == "heaven"
        assert c.get("/metrics/healthz").status_code == 201
        assert c.get("/other").text == "other"
        assert c.get("/metricsx").status_code == 404


def test_hooks_of_heaven_do_not_run_for_the_foreign_app():
    log = []
    app = App()
    app.BEFORE("/*", lambda req, res, ctx: log.append("before"))
    app.mount(make_foreign(), prefix="/metrics")
    with Client(app) as c:
        assert c.get("/metrics/x").status_code == 201
    assert log == []


def test_streaming_answers_pass_through():
    app = App()
    app.mount(make_foreign(), prefix="/m")
    answer = run(stream_call(app, http_scope("/m/stream")))
    assert (answer["status"], b"".join(answer["chunks"]), answer["ended"]) == (200, b"one two three", True)


def test_a_failing_foreign_app_answers_500(caplog):
    app = App()
    app.mount(make_foreign(), prefix="/m")
    with Client(app, raise_app_exceptions=False) as c:
        r = c.get("/m/boom")
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert "the ASGI app mounted at /m" in caplog.text


def test_websockets_under_the_prefix():
    app = App()
    app.mount(make_foreign(), prefix="/live")
    seen = run(converse(app, "/live/room", ["hi", b"\x01"]))
    assert seen[:4] == [("accept",), ("text", "at /live /live/room"), ("text", "hi"), ("bytes", b"\x01")]
    closed = run(converse(app, "/live/room", ["bye"]))
    assert closed == [("accept",), ("text", "at /live /live/room"), ("close", 1000)]


def test_lifespan_is_forwarded_and_its_state_reaches_requests():
    events = []
    app = App()
    app.ON("startup", lambda a: events.append("heaven startup"))
    app.mount(make_foreign(events), prefix="/m")
    app.ON("shutdown", lambda a: events.append("heaven shutdown"))

    async def scenario():
        ls = Lifespan(app)
        assert await ls.startup() == {"type": "lifespan.startup.complete"}
        async with _client(app) as c:
            r = await c.get("/m/x")
        assert r.json()["state"] == {"db": "connected"}
        assert await ls.shutdown() == {"type": "lifespan.shutdown.complete"}

    run(scenario())
    assert events == ["heaven startup", "startup", "shutdown", "heaven shutdown"]


def _client(app):
    import helpers
    from heaven import testing

    return testing.AsyncClient(app, lifespan=False, interface=helpers.INTERFACE)


def test_an_app_without_lifespan_is_served_anyway():
    app = App()
    app.mount(make_foreign(lifespan=False), prefix="/m")

    async def scenario():
        ls = Lifespan(app)
        assert await ls.startup() == {"type": "lifespan.startup.complete"}
        assert await ls.shutdown() == {"type": "lifespan.shutdown.complete"}

    run(scenario())


def test_a_failed_foreign_startup_fails_heavens():
    async def refusing(scope, receive, send):
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})

    app = App()
    app.mount(refusing, prefix="/m")

    async def scenario():
        return await Lifespan(app).startup()

    answer = run(scenario())
    assert answer["type"] == "lifespan.startup.failed"
    assert "the ASGI app mounted at /m failed its startup: no database" in answer["message"]


def test_nested_prefixes_extend_root_path():
    inner = App()
    inner.mount(make_foreign(), prefix="/metrics")
    outer = App()
    outer.mount(inner, prefix="/ops")
    with Client(outer) as c:
        seen = c.get("/ops/metrics/cpu").json()
    assert (seen["path"], seen["root_path"]) == ("/ops/metrics/cpu", "/ops/metrics")


def test_foreign_routes_stay_out_of_openapi_and_bad_mounts_raise():
    app = App()
    app.GET("/own", lambda req, res, ctx: None)
    app.mount(make_foreign(), prefix="/m")
    assert list(app.openapi()["paths"]) == ["/own"]
    with pytest.raises(ValueError, match="give prefix="):
        app.mount(make_foreign())
    with pytest.raises(TypeError, match="ASGI application"):
        app.mount(object(), prefix="/x")
    with pytest.raises(ValueError, match="isolated=False is for heaven apps"):
        app.mount(make_foreign(), False, prefix="/y")
    with pytest.raises(ValueError, match="must be literal"):
        app.mount(make_foreign(), prefix="/t/:tenant")


def test_an_app_that_returns_without_answering_gets_a_500_and_head_works():
    async def silent(scope, receive, send):
        if scope["path"].endswith("/head"):
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
            await send({"type": "http.response.body", "body": b""})

    app = App()
    app.mount(silent, prefix="/s")
    with Client(app) as c:
        r = c.get("/s/nothing")
        assert (r.status_code, r.text) == (500, "Internal Server Error")
        r = c.head("/s/head")
        assert (r.status_code, r.headers["content-length"], r.content) == (200, "5", b"")


def test_a_websocket_the_app_refuses_is_refused_on_both():
    async def refusing(scope, receive, send):
        await receive()
        await send({"type": "websocket.close", "code": 1008})

    app = App()
    app.mount(refusing, prefix="/ws")
    assert run(converse(app, "/ws/x", [])) == [("refused", 403)]


def _reader(seen):
    """An ASGI app that reads its body message by message and answers with
    what it got (after a disconnect too, which a test server still takes)."""

    async def app(scope, receive, send):
        while True:
            message = await receive()
            seen.append((message["type"], message.get("body", b""), message.get("more_body", False)))
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"%d" % len(seen)})

    return app


def test_the_body_arrives_in_messages_and_a_broken_one_is_a_disconnect(interface):
    from helpers import raw_call

    seen = []
    app = App()
    app.mount(_reader(seen), prefix="/up")
    scope = http_scope("/up/load", "POST", headers=[(b"host", b"testserver"), (b"content-length", b"6")])
    answer = run(raw_call(app, scope, [b"abc", b"def"]))
    assert (answer["status"], answer["body"]) == (200, str(len(seen)).encode())
    if interface == "asgi":  # the server's own messages
        assert seen == [("http.request", b"abc", True), ("http.request", b"def", False)]
    else:  # RSGI tells the end only after the last chunk: an empty closing message
        assert seen == [("http.request", b"abc", True), ("http.request", b"def", True), ("http.request", b"", False)]
    seen.clear()
    run(raw_call(app, http_scope("/up/load", "POST", headers=[(b"host", b"testserver")]), [b"abc"], broken=True))
    assert seen == [("http.request", b"abc", True), ("http.disconnect", b"", False)]


def test_a_client_gone_mid_stream_is_an_oserror_for_the_app(interface):
    errors = []

    async def streamer(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            for _ in range(5):
                await send({"type": "http.response.body", "body": b"tick", "more_body": True})
        except OSError as exc:
            errors.append(type(exc).__name__)
            return
        await send({"type": "http.response.body", "body": b""})

    app = App()
    app.mount(streamer, prefix="/s")
    answer = run(stream_call(app, http_scope("/s/ticks"), leave_after_chunks=2))
    assert (answer["status"], answer["chunks"]) == (200, [b"tick", b"tick"])
    assert errors == ["OSError" if interface == "rsgi" else "ConnectionResetError"]
