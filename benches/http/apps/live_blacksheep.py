"""The BlackSheep contender of benches/http/live.py.

- `/ws`: `router.add_ws`, `accept()`, then `receive_text()`/`send_text()`
  until `WebSocketDisconnectError` (BlackSheep's websocket docs).
- `GET /events`: BlackSheep's SSE support: a handler that is an async
  generator annotated `-> AsyncIterable[ServerSentEvent]`; BlackSheep
  JSON-encodes each `ServerSentEvent`'s data into one `data:` line.
"""

from collections.abc import AsyncIterable

from blacksheep import Application, WebSocket, WebSocketDisconnectError, text
from blacksheep.server.routing import Router
from blacksheep.server.sse import ServerSentEvent

from fanout import Hub

hub = Hub()


async def plaintext():
    return text("Hello, World!")


async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnectError:
        pass


async def events() -> AsyncIterable[ServerSentEvent]:
    async for event in hub.events():
        yield ServerSentEvent(event)


app = Application(router=Router())
app.router.add_get("/plaintext", plaintext)
app.router.add_ws("/ws", echo)
app.router.add_get("/events", events)
