"""The original Heaven 2.4.3's apps for benches/startup.py (run from
benches/http/.venv-heaven243): `small()` and `table()` as in
startup_heaven.py, written with 2.4.3's API (it sends no content type of its
own for a str body, so the handlers set it). heaven243_app.py's `app_1000`
is `table()`. Standard library + heaven 2.4.3 only.
"""

from heaven import App

PARAMS = "/users/:id:int/posts/:post:int"
TEXT = ("Content-Type", "text/plain; charset=utf-8")


async def plaintext(req, res, ctx):
    res.headers = TEXT
    res.body = "Hello, World!"


async def user_post(req, res, ctx):
    params = req.params
    res.body = {"user": params["id"], "post": params["post"]}


async def other(req, res, ctx):
    res.headers = TEXT
    res.body = "other"


def small() -> App:
    app = App()
    app.GET("/plaintext", plaintext)
    app.GET(PARAMS, user_post)
    return app


def table() -> App:
    from extra_routes import patterns

    app = App()
    for pattern in patterns():
        app.GET(pattern, other)
    app.GET(PARAMS, user_post)
    return app
