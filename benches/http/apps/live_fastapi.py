"""The FastAPI contender of benches/http/live.py (docs routes off).

- `/ws`: `@app.websocket`, `accept()`, then `receive_text()`/`send_text()`
  until `WebSocketDisconnect` (FastAPI's websocket docs).
- `GET /events`: FastAPI's own SSE support: a path operation that is an
  async generator with `response_class=EventSourceResponse` (fastapi.sse);
  FastAPI JSON-encodes each dict it yields into one `data:` line.
"""

from collections.abc import AsyncIterable

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse
from fastapi.sse import EventSourceResponse

from fanout import Hub

hub = Hub()
app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext():
    return "Hello, World!"


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


@app.get("/events", response_class=EventSourceResponse)
async def events() -> AsyncIterable[dict]:
    async for event in hub.events():
        yield event
