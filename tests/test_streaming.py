"""Streamed bodies and server-sent events (docs/streaming.md)."""

import asyncio

import pytest

from heaven import App, Event
from helpers import Client, http_scope, stream_call

pytestmark = pytest.mark.interfaces


async def numbers(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield f"{i}\n"


def test_async_generator_body_is_streamed():
    app = App()

    async def handler(req, res, ctx):
        res.body = numbers(3)

    app.GET("/count", handler)
    with Client(app) as c:
        r = c.get("/count")
    assert r.text == "0\n1\n2\n"
    assert "content-length" not in r.headers
    assert r.headers["content-type"] == "application/octet-stream"


def test_res_stream_with_content_type():
    app = App()
    app.GET("/csv", lambda req, res, ctx: res.stream(numbers(2), content_type="text/csv"))
    with Client(app) as c:
        r = c.get("/csv")
    assert (r.text, r.headers["content-type"]) == ("0\n1\n", "text/csv")


def test_sse_frames():
    async def events():
        yield "hello"
        yield {"price": 3, "tags": ["a"]}
        yield "line one\nline two\r\nline three"
        yield Event({"n": 1}, event="tick", id=7)
        yield Event(comment="keep-alive")
        yield Event("reconnect later", retry=5000)
        yield b"raw bytes"
        yield {"note": "two\nlines", "name": "Zoë"}
        yield ""
        yield None
        yield [1, 2.5, True]

    app = App()
    app.GET("/events", lambda req, res, ctx: res.stream(events(), sse=True))
    with Client(app) as c:
        r = c.get("/events")
    assert r.headers["content-type"] == "text/event-stream"
    assert r.headers["cache-control"] == "no-cache"
    assert r.text == (
        "data: hello\n\n"
        'data: {"price":3,"tags":["a"]}\n\n'
        "data: line one\ndata: line two\ndata: line three\n\n"
        'event: tick\nid: 7\ndata: {"n":1}\n\n'
        ": keep-alive\n\n"
        "retry: 5000\ndata: reconnect later\n\n"
        "data: raw bytes\n\n"
        'data: {"note":"two\\nlines","name":"Zoë"}\n\n'
        "data: \n\n"
        "\n\n"
        "data: [1,2.5,true]\n\n"
    )


@pytest.mark.parametrize("kwargs", [{"event": "a\nb"}, {"id": "1\r2"}, {"retry": -1}, {"retry": "5"}])
def test_bad_event_fields_are_refused(kwargs):
    with pytest.raises(ValueError):
        Event("x", **kwargs)


def test_head_does_not_run_the_stream():
    ran = []

    async def gen():
        ran.append(True)
        yield b"x"

    app = App()
    app.GET("/s", lambda req, res, ctx: res.stream(gen()))
    with Client(app) as c:
        r = c.request("HEAD", "/s")
    assert r.status_code == 200 and r.content == b"" and ran == []


def test_non_bytes_items_in_a_plain_stream_cut_the_response_and_are_logged(caplog, interface):
    async def gen():
        yield b"ok"
        yield {"not": "bytes"}

    app = App()
    app.GET("/s", lambda req, res, ctx: res.stream(gen()))
    out = asyncio.run(stream_call(app, http_scope("/s")))
    assert out["chunks"] == [b"ok"]
    # ASGI: no final message, so the client sees an incomplete body. RSGI:
    # granian ends the stream when the app returns (docs/streaming.md).
    assert out["ended"] is (interface == "rsgi")
    assert "use sse=True" in caplog.text


def test_stream_stops_when_the_client_goes_away():
    closed = []

    async def endless():
        try:
            while True:
                yield b"tick"
                await asyncio.sleep(0)
        finally:
            closed.append(True)

    app = App()
    app.GET("/s", lambda req, res, ctx: res.stream(endless()))
    out = asyncio.run(stream_call(app, http_scope("/s"), leave_after_chunks=5))
    assert out["chunks"] == [b"tick"] * 5
    assert closed == [True]


def test_res_stream_needs_an_async_iterator():
    app = App()
    app.GET("/s", lambda req, res, ctx: res.stream([b"not async"]))
    with Client(app) as c:
        assert c.get("/s").status_code == 500


def _endless_app(closed: list):
    app = App()

    async def feed(req, res, ctx):
        async def events():
            try:
                yield "first"
                await asyncio.sleep(3600)
                yield "never"
            finally:
                closed.append(req.path)

        res.stream(events(), sse=True)

    app.GET("/feed", feed)
    app.POST("/feed", feed)
    return app


@pytest.mark.parametrize("method, body", [("GET", b""), ("POST", b"payload")])
def test_an_endless_stream_stops_when_the_client_leaves(method, body):
    """The generator waits an hour between items; the disconnect the server
    reports (not a failing write) must end it, and its `finally:` must run."""
    closed = []
    headers = [(b"host", b"testserver"), (b"content-length", str(len(body)).encode())]
    scope = http_scope("/feed", method=method, headers=headers)
    out = asyncio.run(stream_call(_endless_app(closed), scope, body, leave_after=0.1))
    assert closed == ["/feed"]
    assert out["chunks"] == [b"data: first\n\n"]


def test_a_stream_route_reading_its_body_while_streaming_is_not_watched():
    """On stream=True routes the body may still be arriving: the watch must
    not steal its chunks, so the stream reads them all."""
    from helpers import raw_call

    app = App()

    async def echo(req, res, ctx):
        async def upper():
            async for chunk in req.stream():
                yield chunk.upper()

        res.stream(upper())

    app.POST("/echo", echo, stream=True)
    scope = http_scope("/echo", method="POST", headers=[(b"transfer-encoding", b"chunked")])
    out = asyncio.run(raw_call(app, scope, [b"ab", b"cd", b"ef"]))
    assert out["body"] == b"ABCDEF"
