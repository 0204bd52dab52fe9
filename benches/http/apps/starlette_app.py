"""The Starlette contender: `Starlette(routes=[Route(...)])` with `async def`
endpoints (a sync endpoint would run in a thread pool), `PlainTextResponse`
and `JSONResponse`.

- hooks: the `/hooks` Route carries ten pure ASGI middleware
  (`Route(..., middleware=[...])`, Starlette's per-route mechanism): five
  "before" ones each put a value in `scope["state"]` (read back as
  `request.state.bN`), five "after" ones each wrap `send` and add a header
  with `MutableHeaders` on `http.response.start`, as Starlette's middleware
  docs show. Pure ASGI middleware, not `BaseHTTPMiddleware` (slower, and
  app-wide).
- validate: Starlette has no body validation; the endpoint reads
  `await request.body()` and decodes it with the msgspec Struct of
  contract_msgspec.py (the same contract, the fastest validator available;
  a `msgspec.ValidationError` is a 422).

`app_1000`: a flat route list, the 1,000 routes of extra_routes.py first
(Starlette tries routes in order), then the two-parameter route.
"""

import msgspec
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from contract import answer
from contract_msgspec import decoder
from startup_starlette import table as build_1000  # the 1,000-route app, shared with benches/startup.py


async def plaintext(request):
    return PlainTextResponse("Hello, World!")


async def json(request):
    return JSONResponse({"message": "Hello, World!"})


async def user_post(request):
    params = request.path_params
    return JSONResponse({"user": params["id"], "post": params["post"]})


async def hooked(request):
    s = request.state
    return JSONResponse({"before": s.b1 + s.b2 + s.b3 + s.b4 + s.b5})


async def validate(request):
    try:
        order = decoder.decode(await request.body())
    except msgspec.ValidationError as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    except msgspec.DecodeError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse(answer(order.items))


class Before:
    """Keeps `value` under `key` in the request state, then calls the app."""

    def __init__(self, app, key, value):
        self.app, self.key, self.value = app, key, value

    async def __call__(self, scope, receive, send):
        scope.setdefault("state", {})[self.key] = self.value
        await self.app(scope, receive, send)


class After:
    """Adds the header `name: value` to the response."""

    def __init__(self, app, name, value):
        self.app, self.name, self.value = app, name, value

    async def __call__(self, scope, receive, send):
        async def send_with_header(message):
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(self.name, self.value)
            await send(message)

        await self.app(scope, receive, send_with_header)


# Outermost first: the five Before run in order, then the five After (the
# innermost After sees the response first, so x-after-5 is added first; the
# header set is the same).
HOOKS = [Middleware(Before, key=f"b{i}", value=i) for i in range(1, 6)]
HOOKS += [Middleware(After, name=f"x-after-{i}", value=str(i)) for i in range(1, 6)]


def build() -> Starlette:
    return Starlette(
        routes=[
            Route("/plaintext", plaintext),
            Route("/json", json),
            Route("/users/{id:int}/posts/{post:int}", user_post),
            Route("/hooks", hooked, middleware=HOOKS),
            Route("/validate", validate, methods=["POST"]),
        ]
    )


app = build()
app_1000 = build_1000()
