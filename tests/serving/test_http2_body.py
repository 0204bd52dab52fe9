"""A request body over HTTP/2 may come without `Content-Length` (the stream
ends it): heaven reads it whole rather than taking it for none, and tells
its end from a break on both interfaces (granian ends an RSGI body with two
empty chunks on HTTP/2, one on HTTP/1.1). In-process, both interfaces;
tests/e2e/test_http2.py does the same under granian."""

from __future__ import annotations

import json

import pytest
from helpers import call_raw, http_scope

from heaven import App

pytestmark = pytest.mark.interfaces

PARTS = [b"hello ", b"over ", b"http/2"]
LENGTH = [(b"content-length", b"17")]


def app(**options) -> App:
    app = App(**options)

    async def read(req, res, ctx):
        res.body = {"body": req.body.decode()}

    async def stream(req, res, ctx):
        res.body = {"body": b"".join([chunk async for chunk in req.stream()]).decode()}

    app.POST("/read", read)
    app.GET("/read", read)
    app.POST("/stream", stream, stream=True)
    return app


def answer(method: str, version: str, parts: list[bytes], headers=None, path: str = "/read", broken=False, **options):
    scope = http_scope(path, method, headers or [], http_version=version)
    return call_raw(app(**options), scope, parts, broken=broken)


def read(method: str, version: str, parts: list[bytes], headers=None, path: str = "/read", **options) -> dict:
    out = answer(method, version, parts, headers, path, **options)
    assert out["status"] == 200, out
    return json.loads(out["body"])


@pytest.mark.parametrize("version", ["2", "3"])
def test_a_body_without_a_length_is_read_on_http2_and_3(version):
    # Within the default limit: read chunk by chunk, counted.
    assert read("POST", version, PARTS) == {"body": "hello over http/2"}


def test_a_body_without_a_length_is_read_with_no_limit_too():
    # No limit to count against: one read of the whole body.
    assert read("POST", "2", PARTS, max_body_size=None) == {"body": "hello over http/2"}


def test_a_body_without_a_length_over_the_limit_is_a_413():
    assert answer("POST", "2", PARTS, max_body_size=10)["status"] == 413


def test_on_http1_a_request_without_a_length_has_no_body():
    # HTTP/1.1's rule: neither header, no body (what a server hands over is not read).
    assert read("POST", "1.1", PARTS) == {"body": ""}


def test_a_get_without_a_length_is_not_read_on_http2():
    assert read("GET", "2", PARTS) == {"body": ""}


def test_a_declared_length_is_read_as_before_on_http2():
    assert read("POST", "2", [b"".join(PARTS)], LENGTH) == {"body": "hello over http/2"}


@pytest.mark.parametrize("headers", [LENGTH, []], ids=["declared", "unknown"])
def test_a_stream_route_reads_an_http2_body_to_its_end(headers):
    assert read("POST", "2", PARTS, headers, path="/stream") == {"body": "hello over http/2"}


@pytest.mark.parametrize("version", ["1.1", "2"])
@pytest.mark.parametrize("path", ["/read", "/stream"])
def test_a_body_that_breaks_off_is_a_400(version, path):
    # HTTP/1.1: a malformed chunked body; HTTP/2: a reset stream.
    headers = [(b"transfer-encoding", b"chunked")] if version == "1.1" else []
    assert answer("POST", version, PARTS[:1], headers, path, broken=True)["status"] == 400


def test_a_mounted_asgi_app_reads_an_http2_body_to_its_end():
    seen = []

    async def reader(scope, receive, send):
        while True:
            message = await receive()
            seen.append(message["type"])
            if message["type"] == "http.disconnect":
                break
            seen.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"".join(p for p in seen if isinstance(p, bytes))})

    parent = App()
    parent.mount(reader, prefix="/up")
    out = call_raw(parent, http_scope("/up/load", "POST", [(b"host", b"testserver")], http_version="2"), PARTS)
    assert (out["status"], out["body"]) == (200, b"hello over http/2")
    assert "http.disconnect" not in seen
    seen.clear()
    call_raw(parent, http_scope("/up/load", "POST", [(b"host", b"testserver")], http_version="2"), PARTS, broken=True)
    assert seen[-1] == "http.disconnect"
