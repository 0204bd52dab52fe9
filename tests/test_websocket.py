"""Websocket routes through the ASGI callable (SPEC §9)."""

import asyncio

from heaven import App


async def converse(app, path, incoming, host=b"testserver"):
    """Run one websocket session: `incoming` are the client's messages after
    the handshake. Returns what the app sent."""
    queue = [{"type": "websocket.connect"}] + incoming + [{"type": "websocket.disconnect", "code": 1000}]
    sent = []

    async def receive():
        if queue:
            return queue.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host)],
        "scheme": "ws",
        "subprotocols": [],
    }
    await asyncio.wait_for(app(scope, receive, send), 5)
    return sent


def run(coro):
    return asyncio.run(coro)


async def echo(send, receive, req, ctx):
    await send(f"hello {req.params['room']}")
    while (message := await receive()) is not None:
        await send(message)


def test_echo_text_and_binary_with_params():
    app = App()
    app.WS("/rooms/:room", echo)
    sent = run(converse(app, "/rooms/lobby", [
        {"type": "websocket.receive", "text": "hi"},
        {"type": "websocket.receive", "bytes": b"\x00\x01"},
    ]))
    assert sent == [
        {"type": "websocket.accept"},
        {"type": "websocket.send", "text": "hello lobby"},
        {"type": "websocket.send", "text": "hi"},
        {"type": "websocket.send", "bytes": b"\x00\x01"},
    ]  # the client disconnected: no close frame is sent after that


def test_handler_returning_closes_normally():
    async def one_shot(send, receive, req, ctx):
        await send(b"bye")

    app = App()
    app.WS("/once", one_shot)
    assert run(converse(app, "/once", [])) == [
        {"type": "websocket.accept"},
        {"type": "websocket.send", "bytes": b"bye"},
        {"type": "websocket.close", "code": 1000},
    ]


def test_before_hook_can_refuse():
    def guard(req, res, ctx):
        if req.queries.get("token") != "ok":
            res.abort()

    app = App()
    app.SOCKET("/live", echo)
    app.BEFORE("/live", guard)
    sent = run(converse(app, "/live", []))
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_unknown_path_is_closed_and_errors_close_1011(caplog):
    async def broken(send, receive, req, ctx):
        raise RuntimeError("ws kaboom")

    app = App()
    app.WEBSOCKET("/broken", broken)
    assert run(converse(app, "/nowhere", [])) == [{"type": "websocket.close", "code": 1008}]
    assert run(converse(app, "/broken", [])) == [
        {"type": "websocket.accept"},
        {"type": "websocket.close", "code": 1011},
    ]
    assert "ws kaboom" in caplog.text


def test_websocket_routes_by_subdomain():
    async def which(send, receive, req, ctx):
        await send(req.subdomain)

    app = App()
    app.WS("/", which, subdomain="chat")
    app.WS("/", which)
    sent = run(converse(app, "/", [], host=b"chat.example.com"))
    assert {"type": "websocket.send", "text": "chat"} in sent
