"""The Litestar contender of benches/http/live.py (OpenAPI off).

- `/ws`: `websocket_listener`, Litestar's high-level websocket handler (its
  docs' echo example): the handler receives each text message and what it
  returns is sent back.
- `GET /events`: Litestar's `ServerSentEvent` response over an async
  generator. Litestar takes a yielded dict as the fields of an event
  (`data`, `event`, `id`, ...), not as JSON data, so the generator encodes
  each event with Litestar's own `encode_json` (msgspec) and yields the
  JSON text.
"""

from litestar import Litestar, MediaType, get
from litestar.handlers import websocket_listener
from litestar.response import ServerSentEvent
from litestar.serialization import encode_json

from fanout import Hub

hub = Hub()


@get("/plaintext", media_type=MediaType.TEXT)
async def plaintext() -> str:
    return "Hello, World!"


@websocket_listener("/ws")
async def echo(data: str) -> str:
    return data


@get("/events")
async def events() -> ServerSentEvent:
    async def encoded():
        async for event in hub.events():
            yield encode_json(event)

    return ServerSentEvent(encoded())


app = Litestar(route_handlers=[plaintext, echo, events], openapi_config=None)
