"""The ASGI floor of benches/http/live.py: a raw ASGI app doing the minimum.

- `/ws`: accept, then send back every `websocket.receive` message until
  `websocket.disconnect`.
- `/events`: `http.response.start`, then one `http.response.body` (more_body)
  per event, framed by hand (`data: ` + msgspec JSON + a blank line), with a
  task that waits on `receive()` for `http.disconnect` and stops the stream
  (granian's ASGI `send()` does not fail once the client has gone).
- `/plaintext`: the readiness check.
"""

import asyncio

import msgspec

from bare_app import app as floor
from fanout import Hub

hub = Hub()
encode = msgspec.json.encode
PLAINTEXT = b"Hello, World!"
SSE_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")],
}


async def _events(receive, send):
    await send(SSE_START)

    async def stream():
        async for event in hub.events():
            await send({"type": "http.response.body", "body": b"data: %s\n\n" % encode(event), "more_body": True})

    task = asyncio.ensure_future(stream())
    while (await receive())["type"] != "http.disconnect":
        pass
    task.cancel()


async def app(scope, receive, send):
    kind = scope["type"]
    if kind == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":
                return
            await send({"type": "websocket.send", "text": message.get("text"), "bytes": message.get("bytes")})
    elif kind == "http":
        if scope["path"] == "/events":
            await _events(receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": PLAINTEXT})
    elif kind == "lifespan":
        await floor(scope, receive, send)  # run.py's floor answers the lifespan messages
