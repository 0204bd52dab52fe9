"""The FastAPI contender for benches/http/run.py (apps/fastapi_app.py is the
one benches/http/validate.py uses). `async def` path operations throughout
(sync ones run in a thread pool); the interactive docs routes are off
(heaven serves none unless asked).

- plaintext: `response_class=PlainTextResponse`; json and params return a
  dict (FastAPI's `jsonable_encoder` + `JSONResponse`).
- params: `/users/{id:int}/posts/{post:int}` with `id: int, post: int`: the
  Starlette convertor makes a non-integer a 404 (with `{id}` alone FastAPI
  would answer 422).
- hooks: five BEFORE as route dependencies (`dependencies=[Depends(...)]`,
  each `async def` setting `request.state.bN`), five AFTER in a custom
  `APIRoute` class (FastAPI's documented way to post-process one route's
  response: "Custom Request and APIRoute class") whose handler wrapper calls
  five functions that each set a response header. FastAPI has no per-route
  middleware, and a dependency cannot change the response after the handler.
- validate: the pydantic `Order` of contract_pydantic.py as the body
  parameter; FastAPI answers 422 when it does not validate.

`app_1000`: the 1,000 routes of extra_routes.py on an `APIRouter`, then the
two-parameter route, `include_router`-ed into the app (a flat route list
Starlette tries in order).
"""

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute

from contract import answer
from contract_pydantic import Order
from startup_fastapi import table as build_1000  # the 1,000-route app, shared with benches/startup.py


def _app() -> FastAPI:
    return FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


async def plaintext():
    return "Hello, World!"


async def json():
    return {"message": "Hello, World!"}


async def user_post(id: int, post: int):
    return {"user": id, "post": post}


async def hooked(request: Request):
    s = request.state
    return {"before": s.b1 + s.b2 + s.b3 + s.b4 + s.b5}


async def validate(order: Order):
    return answer(order.items)


async def before_1(request: Request):
    request.state.b1 = 1


async def before_2(request: Request):
    request.state.b2 = 2


async def before_3(request: Request):
    request.state.b3 = 3


async def before_4(request: Request):
    request.state.b4 = 4


async def before_5(request: Request):
    request.state.b5 = 5


def after_1(response):
    response.headers["x-after-1"] = "1"


def after_2(response):
    response.headers["x-after-2"] = "2"


def after_3(response):
    response.headers["x-after-3"] = "3"


def after_4(response):
    response.headers["x-after-4"] = "4"


def after_5(response):
    response.headers["x-after-5"] = "5"


AFTER = (after_1, after_2, after_3, after_4, after_5)


class AfterHooksRoute(APIRoute):
    """Runs the AFTER hooks on the response of the route's handler."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def with_after_hooks(request):
            response = await handler(request)
            for hook in AFTER:
                hook(response)
            return response

        return with_after_hooks


def build() -> FastAPI:
    app = _app()
    app.get("/plaintext", response_class=PlainTextResponse)(plaintext)
    app.get("/json")(json)
    app.get("/users/{id:int}/posts/{post:int}")(user_post)
    hooks = APIRouter(route_class=AfterHooksRoute)
    hooks.get("/hooks", dependencies=[Depends(b) for b in (before_1, before_2, before_3, before_4, before_5)])(hooked)
    app.include_router(hooks)
    app.post("/validate")(validate)
    return app


app = build()
app_1000 = build_1000()
