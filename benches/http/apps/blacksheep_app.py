"""The BlackSheep contender: `Application()` with `async def` request handlers
returning `text(...)` / `json(...)` responses.

- params: `/users/{int:id}/posts/{int:post}` bound to `id: int, post: int`.
- hooks: BlackSheep middlewares are application-wide; its docs say "if a
  function should only be called for specific routes, use a decorator
  function instead", so the `/hooks` handler carries ten decorators
  (`functools.wraps`, as its docs show): five BEFORE each set an attribute on
  the request (`request.bN`), five AFTER each `add_header` on the response.
- validate: `data: FromJSON[Order]`, the pydantic model of
  contract_pydantic.py (BlackSheep binds dataclasses and pydantic models;
  pydantic is the one that carries the constraints). BlackSheep answers 400
  when the body does not validate (its default; the preflight accepts 400 or
  422).

`app_1000`: the 1,000 routes of extra_routes.py with `router.add_get`, then
the two-parameter route. Note: BlackSheep sorts its routes at start-up and
caches route matches per (method, path) in an LRU of 1,200 entries, so a
benchmark that requests one URL over and over never pays its linear scan.
"""

from functools import wraps

from blacksheep import Application, FromJSON, Request, json, text
from blacksheep.server.routing import Router

from contract import answer
from contract_pydantic import Order
from startup_blacksheep import table as build_1000  # the 1,000-route app, shared with benches/startup.py


async def plaintext():
    return text("Hello, World!")


async def json_():
    return json({"message": "Hello, World!"})


async def user_post(id: int, post: int):
    return json({"user": id, "post": post})


async def validate(data: FromJSON[Order]):
    return json(answer(data.value.items))


def before(i: int):
    name = f"b{i}"

    def decorator(next_handler):
        @wraps(next_handler)
        async def wrapped(request: Request):
            setattr(request, name, i)
            return await next_handler(request)

        return wrapped

    return decorator


def after(i: int):
    header, value = f"x-after-{i}".encode(), str(i).encode()

    def decorator(next_handler):
        @wraps(next_handler)
        async def wrapped(request: Request):
            response = await next_handler(request)
            response.add_header(header, value)
            return response

        return wrapped

    return decorator


@before(1)
@before(2)
@before(3)
@before(4)
@before(5)
@after(1)
@after(2)
@after(3)
@after(4)
@after(5)
async def hooked(request: Request):
    return json({"before": request.b1 + request.b2 + request.b3 + request.b4 + request.b5})


def build() -> Application:
    app = Application(router=Router())  # two apps in one module: one router each
    app.router.add_get("/plaintext", plaintext)
    app.router.add_get("/json", json_)
    app.router.add_get("/users/{int:id}/posts/{int:post}", user_post)
    app.router.add_get("/hooks", hooked)
    app.router.add_post("/validate", validate)
    return app


app = build()
app_1000 = build_1000()
