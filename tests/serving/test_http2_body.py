"""A request body over HTTP/2 may come without `Content-Length` (the stream
ends it): heaven reads it whole rather than taking it for none. In-process,
both interfaces; tests/e2e/test_http2.py does the same under granian."""

from __future__ import annotations

import json

import pytest
from helpers import call_raw, http_scope

import helpers
from heaven import App

pytestmark = pytest.mark.interfaces

PARTS = [b"hello ", b"over ", b"http/2"]


def app() -> App:
    app = App()

    async def read(req, res, ctx):
        res.body = {"body": req.body.decode()}

    app.POST("/read", read)
    app.GET("/read", read)
    return app


def read(method: str, version: str, parts: list[bytes], headers: list[tuple[bytes, bytes]] | None = None) -> dict:
    answer = call_raw(app(), http_scope("/read", method, headers or [], http_version=version), parts)
    assert answer["status"] == 200, answer
    return json.loads(answer["body"])


@pytest.mark.parametrize("version", ["2", "3"])
def test_a_body_without_a_length_is_read_on_http2_and_3(version, request):
    if helpers.INTERFACE == "rsgi":
        request.applymarker(pytest.mark.xfail(strict=True, reason="known bug on RSGI: docs/serving.md, HTTP/2 bodies without a length"))
    assert read("POST", version, PARTS) == {"body": "hello over http/2"}


def test_on_http1_a_request_without_a_length_has_no_body():
    # HTTP/1.1's rule: neither header, no body (what a server hands over is not read).
    assert read("POST", "1.1", PARTS) == {"body": ""}


def test_a_get_without_a_length_is_not_read_on_http2():
    assert read("GET", "2", PARTS) == {"body": ""}


def test_a_declared_length_is_read_as_before_on_http2():
    body = b"".join(PARTS)
    assert read("POST", "2", [body], [(b"content-length", str(len(body)).encode())]) == {"body": "hello over http/2"}
