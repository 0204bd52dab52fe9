"""heaven's apps for benches/startup.py, built by factories so that importing
the module builds nothing: `small()` (GET /plaintext and the two-parameter
route) and `table()` (the 1,000 routes of extra_routes.py, then the
two-parameter route: heaven_app.py's `app_1000` is `table()`).

Served with `granian --factory startup_heaven:small` (or `:table`). The same
module serves the original Heaven 2.4.3 from its venv (the same API;
heaven243_app.py's `app_1000` is its `table()` too): 2.4.3 sends no content
type for a str body, which these benches do not check.
"""

from heaven import App

PARAMS = "/users/:id:int/posts/:post:int"


async def plaintext(req, res, ctx):
    res.body = "Hello, World!"


async def user_post(req, res, ctx):
    params = req.params
    res.body = {"user": params["id"], "post": params["post"]}


async def other(req, res, ctx):
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
