"""The Litestar contender: `@get`/`@post` route handlers (`async def`, return
annotations), the OpenAPI routes switched off (heaven serves none unless
asked).

- params: `/users/{id:int}/posts/{post:int}` with `id: int, post: int`.
- hooks: five BEFORE as route guards (`guards=[...]`, Litestar's per-route
  "before" chain; each sets `connection.state.bN`; `async def`, as Litestar
  runs a sync guard in a worker thread), five AFTER as route-level
  `ASGIMiddleware` (`middleware=[...]`), each adding a header on
  `http.response.start` with `MutableScopeHeaders`. Litestar's
  `before_request`/`after_request` hooks cannot chain (one per layer, the
  closest layer wins).
- validate: `data: Order`, the msgspec Struct of contract_msgspec.py
  (Litestar's native model type; unknown fields forbidden). Litestar answers
  400 when the body does not validate (its default; the preflight accepts
  400 or 422).

`app_1000`: the 1,000 routes of extra_routes.py as route handlers (every
parameter typed, as Litestar requires), then the two-parameter route.
"""

from litestar import Litestar, MediaType, Request, get, post
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from contract import answer
from contract_msgspec import Order
from startup_litestar import table as build_1000  # the 1,000-route app, shared with benches/startup.py


@get("/plaintext", media_type=MediaType.TEXT)
async def plaintext() -> str:
    return "Hello, World!"


@get("/json")
async def json() -> dict:
    return {"message": "Hello, World!"}


async def _user_post(id: int, post: int) -> dict:
    return {"user": id, "post": post}


async def before_1(connection, _handler) -> None:
    connection.state.b1 = 1


async def before_2(connection, _handler) -> None:
    connection.state.b2 = 2


async def before_3(connection, _handler) -> None:
    connection.state.b3 = 3


async def before_4(connection, _handler) -> None:
    connection.state.b4 = 4


async def before_5(connection, _handler) -> None:
    connection.state.b5 = 5


class After(ASGIMiddleware):
    """Adds the header `name: value` to the response."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, name: str, value: str) -> None:
        self.name, self.value = name, value

    async def handle(self, scope, receive, send, next_app) -> None:
        async def send_with_header(message):
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message).add(self.name, self.value)
            await send(message)

        await next_app(scope, receive, send_with_header)


@get(
    "/hooks",
    guards=[before_1, before_2, before_3, before_4, before_5],
    middleware=[After(f"x-after-{i}", str(i)) for i in range(1, 6)],
)
async def hooked(request: Request) -> dict:
    s = request.state
    return {"before": s.b1 + s.b2 + s.b3 + s.b4 + s.b5}


@post("/validate", status_code=200)
async def validate(data: Order) -> dict:
    return answer(data.items)


def build() -> Litestar:
    user_post = get("/users/{id:int}/posts/{post:int}")(_user_post)
    return Litestar(route_handlers=[plaintext, json, user_post, hooked, validate], openapi_config=None)


app = build()
app_1000 = build_1000()
