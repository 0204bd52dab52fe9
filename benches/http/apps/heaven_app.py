"""The heaven contender: three endpoints, optionally behind `extra` unrelated
routes registered first (see heaven_100.py)."""

from heaven import App


async def plaintext(req, res, ctx):
    res.body = "Hello, World!"


async def json(req, res, ctx):
    res.body = {"message": "Hello, World!"}


async def user_post(req, res, ctx):
    params = req.params
    res.body = {"user": params["id"], "post": params["post"]}


async def other(req, res, ctx):
    res.body = "other"


def build(extra: int = 0) -> App:
    app = App()
    if extra:
        from extra_routes import heaven_patterns

        for pattern in heaven_patterns(extra):
            app.GET(pattern, other)
    app.GET("/plaintext", plaintext)
    app.GET("/json", json)
    app.GET("/users/:id:int/posts/:post:int", user_post)
    return app


app = build()
