"""Websocket routes on both interfaces (docs/websockets.md). `converse` reports what
the client saw in the same terms on ASGI and RSGI."""

import asyncio

import pytest

from heaven import App
from helpers import converse

pytestmark = pytest.mark.interfaces


def run(coro):
    return asyncio.run(coro)


async def echo(send, receive, req, ctx):
    await send(f"hello {req.params['room']}")
    while (message := await receive()) is not None:
        await send(message)


def test_echo_text_and_binary_with_params(interface):
    app = App()
    app.WS("/rooms/:room", echo)
    sent = run(converse(app, "/rooms/lobby", ["hi", b"\x00\x01"]))
    assert sent[:4] == [("accept",), ("text", "hello lobby"), ("text", "hi"), ("bytes", b"\x00\x01")]
    # The client left: nothing more is sent. (RSGI still ends the conversation
    # with close(): granian needs it, and sends no frame to a gone client.)
    assert sent[4:] == ([] if interface == "asgi" else [("close", 1000)])


def test_handler_returning_closes_normally():
    async def one_shot(send, receive, req, ctx):
        await send(b"bye")

    app = App()
    app.WS("/once", one_shot)
    assert run(converse(app, "/once", [])) == [("accept",), ("bytes", b"bye"), ("close", 1000)]


def test_before_hook_can_refuse():
    def guard(req, res, ctx):
        if req.queries.get("token") != "ok":
            res.abort()

    app = App()
    async def welcome(send, receive, req, ctx):
        await send("welcome")

    app.SOCKET("/live", welcome)
    app.BEFORE("/live", guard)
    assert run(converse(app, "/live", [])) == [("refused", 403)]
    assert run(converse(app, "/live", ["hi"], query=b"token=ok"))[:2] == [("accept",), ("text", "welcome")]


def test_unknown_path_is_closed_and_errors_close_1011(caplog):
    async def broken(send, receive, req, ctx):
        raise RuntimeError("ws kaboom")

    app = App()
    app.WEBSOCKET("/broken", broken)
    assert run(converse(app, "/nowhere", [])) == [("refused", 403)]
    assert run(converse(app, "/broken", [])) == [("accept",), ("close", 1011)]
    assert "ws kaboom" in caplog.text


def test_websocket_routes_by_subdomain():
    async def which(send, receive, req, ctx):
        await send(req.subdomain)

    app = App()
    app.WS("/", which, subdomain="chat")
    app.WS("/", which)
    assert ("text", "chat") in run(converse(app, "/", [], host=b"chat.example.com"))
