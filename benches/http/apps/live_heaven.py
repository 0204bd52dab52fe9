"""The heaven contender of benches/http/live.py (served as `live_heaven:app`
over ASGI and over RSGI: the same App object).

- `WS /ws`: `app.WS`, a handler echoing every message until the client
  leaves (`receive()` returns None), as in docs/websockets.md.
- `GET /events`: `res.stream(hub.events(), sse=True)` (docs/streaming.md):
  heaven frames each dict the hub yields as one `data:` line of JSON.
- `GET /plaintext`: the readiness check.
"""

from heaven import App

from fanout import Hub

hub = Hub()


async def plaintext(req, res, ctx):
    res.body = "Hello, World!"


async def echo(send, receive, req, ctx):
    while (message := await receive()) is not None:
        await send(message)


async def events(req, res, ctx):
    res.stream(hub.events(), sse=True)


app = App()
app.GET("/plaintext", plaintext)
app.WS("/ws", echo)
app.GET("/events", events)
