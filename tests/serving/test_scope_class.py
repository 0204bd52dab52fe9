"""On RSGI, a scope of granian's HTTP scope class is not asked its `proto`
(granian makes that string at every read); any other scope is, so websockets
and other servers route as before."""

from __future__ import annotations

import asyncio

import pytest

from heaven import App
from heaven._serving import lifecycle
from heaven._testing.rsgi import HTTPProtocol, RSGIScope


def granian_class(name: str) -> type:
    """A scope class that says it is granian's `name` (as granian's own do)."""
    return type(name, (RSGIScope,), {"__module__": "granian._granian", "__slots__": ()})


@pytest.fixture
def forget():
    before = lifecycle._http_scope
    lifecycle._http_scope = None
    yield
    lifecycle._http_scope = before


def answer(app: App, scope: RSGIScope) -> tuple[int, str]:
    proto = HTTPProtocol()
    asyncio.run(app.__rsgi__(scope, proto))
    return proto.response.status, proto.response.body.decode()


def test_granians_http_scope_class_is_learned_and_then_trusted(forget):
    app = App()
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "hi"))
    http = granian_class("RSGIHTTPScope")
    assert answer(app, http("GET", "/")) == (200, "hi")
    assert lifecycle._http_scope is http

    class Unasked(http):
        __slots__ = ()

        def __getattribute__(self, name):
            if name == "proto":
                raise AssertionError("proto read on a scope of the learned class")
            return super().__getattribute__(name)

    lifecycle._http_scope = Unasked  # as if learned: a scope of it is never asked its proto
    assert answer(app, Unasked("GET", "/")) == (200, "hi")


@pytest.mark.parametrize("name, module", [("RSGIWebsocketScope", "granian._granian"), ("RSGIHTTPScope", "elsewhere")])
def test_no_other_class_is_learned(forget, name, module):
    app = App()
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "hi"))
    other = type(name, (RSGIScope,), {"__module__": module, "__slots__": ()})
    assert answer(app, other("GET", "/")) == (200, "hi")
    assert lifecycle._http_scope is lifecycle._NOT_GRANIAN  # learned once: not granian's
    assert answer(app, RSGIScope("GET", "/")) == (200, "hi")  # and every scope is asked its proto
    assert lifecycle._http_scope is lifecycle._NOT_GRANIAN


def test_a_websocket_scope_still_reaches_the_socket_path_after_learning(forget):
    app = App()
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "hi"))
    seen = []

    async def socket_path(app, wire, scope, channel):
        seen.append(scope.proto)

    http = granian_class("RSGIHTTPScope")
    answer(app, http("GET", "/"))
    original = lifecycle.serve_socket
    lifecycle.serve_socket = socket_path
    try:
        asyncio.run(app.__rsgi__(granian_class("RSGIWebsocketScope")("GET", "/", proto="websocket"), object()))
    finally:
        lifecycle.serve_socket = original
    assert seen == ["websocket"]
