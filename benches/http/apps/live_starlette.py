"""The Starlette contender of benches/http/live.py.

- `/ws`: a `WebSocketRoute` endpoint: `accept()`, then `iter_text()` and
  `send_text()` until the client leaves (Starlette's websocket docs).
- `GET /events`: Starlette has no SSE response of its own; its
  `StreamingResponse` with `media_type="text/event-stream"` over a generator
  that frames each event (`data: <json.dumps>` and a blank line) is what its
  docs point to for streaming.
"""

import json

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute

from fanout import Hub

hub = Hub()


async def plaintext(request):
    return PlainTextResponse("Hello, World!")


async def echo(websocket):
    await websocket.accept()
    async for message in websocket.iter_text():
        await websocket.send_text(message)


async def events(request):
    async def framed():
        async for event in hub.events():
            yield f"data: {json.dumps(event)}\n\n"

    return StreamingResponse(framed(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


app = Starlette(
    routes=[
        Route("/plaintext", plaintext),
        WebSocketRoute("/ws", echo),
        Route("/events", events),
    ]
)
