"""The original pure-Python Heaven (PyPI `heaven==2.4.3`), served from its own
virtualenv (benches/http/.venv-heaven243, made by setup_peers.sh: it has the
same import name as this repository's package). Written with its own API
(`App`, `app.GET`, `app.BEFORE/AFTER`, `app.schema.POST`, handlers taking
`(req, res, ctx)`).

- plaintext: 2.4.3 sends no content-type of its own for a str body, so the
  handler sets `text/plain; charset=utf-8` (the header everyone sends).
- json/params: a dict body (2.4.3 encodes it with orjson and adds
  `application/json`); `/users/:id:int/posts/:post:int` is typed: 2.4.3
  converts the segments and answers 404 when one is not an int.
- hooks: `app.BEFORE("/hooks", ...)` x5 (each `ctx.bN = N`) and
  `app.AFTER("/hooks", ...)` x5 (each `res.header(...)`), as for heaven.
- validate: its `app.schema.POST("/validate", expects=Order)`, which validates
  `req.json` with pytastic (2.4.3's validator) against TypedDicts carrying
  the same constraints (`strict` refuses unknown fields at every level). The
  differences from the msgspec contract: pytastic checks `created_at` with
  heaven's date-time pattern (no datetime object is built), and answers 422
  with a plain-text message.

Standard library + heaven 2.4.3 only (contract.py and extra_routes.py are
standard library).
"""

from typing import Annotated, TypedDict

from heaven import App

try:
    from typing import NotRequired
except ImportError:  # Python 3.10
    from typing_extensions import NotRequired

from contract import COUNTRY, DATETIME, EMAIL, SKU, UUID, ZIP, answer
from startup_heaven import table as build_1000  # the 1,000-route app, shared with benches/startup.py

STRICT = Annotated[None, "strict"]


class Address(TypedDict):
    _: STRICT
    street: Annotated[str, "min_len=1; max_len=128"]
    city: Annotated[str, "min_len=1; max_len=64"]
    zip: Annotated[str, f"regex={ZIP}"]
    country: Annotated[str, f"regex={COUNTRY}"]


class Customer(TypedDict):
    _: STRICT
    id: Annotated[int, "min=1"]
    name: Annotated[str, "min_len=1; max_len=64"]
    email: Annotated[str, f"regex={EMAIL}"]
    address: Address


class LineItem(TypedDict):
    _: STRICT
    sku: Annotated[str, f"regex={SKU}"]
    name: Annotated[str, "min_len=1; max_len=128"]
    quantity: Annotated[int, "min=1; max=1000"]
    unit_price: Annotated[float, "min=0"]


class Order(TypedDict):
    _: STRICT
    order_id: Annotated[str, f"regex={UUID}"]
    customer: Customer
    items: Annotated[list[LineItem], "min_items=1; max_items=100"]
    tags: Annotated[list[Annotated[str, "min_len=1; max_len=32"]], "max_items=16"]
    created_at: Annotated[str, f"regex={DATETIME}"]
    note: NotRequired[Annotated[str, "max_len=500"]]


async def plaintext(req, res, ctx):
    res.headers = "Content-Type", "text/plain; charset=utf-8"
    res.body = "Hello, World!"


async def json(req, res, ctx):
    res.body = {"message": "Hello, World!"}


async def user_post(req, res, ctx):
    params = req.params
    res.body = {"user": params["id"], "post": params["post"]}


async def hooked(req, res, ctx):
    res.body = {"before": ctx.b1 + ctx.b2 + ctx.b3 + ctx.b4 + ctx.b5}


async def validate(req, res, ctx):
    res.body = answer(req.data["items"])


def _before(i):
    name = f"b{i}"

    def before(req, res, ctx):
        setattr(ctx, name, i)

    before.__name__ = f"before_{i}"
    return before


def _after(i):
    header, value = f"x-after-{i}", str(i)

    def after(req, res, ctx):
        res.header(header, value)

    after.__name__ = f"after_{i}"
    return after


def build() -> App:
    app = App()
    app.GET("/plaintext", plaintext)
    app.GET("/json", json)
    app.GET("/users/:id:int/posts/:post:int", user_post)
    app.GET("/hooks", hooked)
    for i in range(1, 6):
        app.BEFORE("/hooks", _before(i))
        app.AFTER("/hooks", _after(i))
    app.POST("/validate", validate)
    app.schema.POST("/validate", expects=Order)
    return app


app = build()
app_1000 = build_1000()
