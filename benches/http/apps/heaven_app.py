"""The heaven contender (served as `heaven` over ASGI and as `heaven_rsgi`
over RSGI: the same App object).

`app` serves every endpoint of benches/http/run.py; `app_1000` serves only
the two-parameter route, registered after the 1,000 routes of
extra_routes.py (the `params_1000` endpoint).

- hooks: `app.BEFORE("/hooks", ...)` x5, each keeping a value in `ctx`, and
  `app.AFTER("/hooks", ...)` x5, each setting a response header; the handler
  answers the sum of the five `ctx` values.
- validate: `app.schema.POST("/validate", expects=Order, forbid_unknown=True)`,
  the msgspec contract of apps/heaven_schema_app.py (Heaven-style constraint
  strings, unknown fields refused, as every contender refuses them); the
  handler reads the validated `req.data`.
"""

from heaven import App

from contract import answer
from heaven_schema_app import Order
from startup_heaven import table as build_1000  # the 1,000-route app, shared with benches/startup.py


async def plaintext(req, res, ctx):
    res.body = "Hello, World!"


async def json(req, res, ctx):
    res.body = {"message": "Hello, World!"}


async def user_post(req, res, ctx):
    params = req.params
    res.body = {"user": params["id"], "post": params["post"]}


async def hooked(req, res, ctx):
    res.body = {"before": ctx.b1 + ctx.b2 + ctx.b3 + ctx.b4 + ctx.b5}


async def validate(req, res, ctx):
    res.body = answer(req.data.items)


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
    app.schema.POST("/validate", expects=Order, forbid_unknown=True)
    return app


app = build()
app_1000 = build_1000()
