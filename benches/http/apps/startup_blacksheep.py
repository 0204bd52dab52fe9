"""BlackSheep's apps for benches/startup.py, built by factories: `small()`
(GET /plaintext and the two-parameter route) and `table()` (the 1,000
routes of extra_routes.py with `router.add_get`, then the two-parameter
route: blacksheep_app.py's `app_1000` is `table()`). Each app has a router
of its own (BlackSheep's default router is one per process).
"""

from blacksheep import Application, json, text
from blacksheep.server.routing import Router

PARAMS = "/users/{int:id}/posts/{int:post}"


async def plaintext():
    return text("Hello, World!")


async def user_post(id: int, post: int):
    return json({"user": id, "post": post})


async def other():
    return text("other")


def small() -> Application:
    app = Application(router=Router())
    app.router.add_get("/plaintext", plaintext)
    app.router.add_get(PARAMS, user_post)
    return app


def table() -> Application:
    from extra_routes import patterns, to_blacksheep

    app = Application(router=Router())
    for p in patterns():
        app.router.add_get(to_blacksheep(p), other)
    app.router.add_get(PARAMS, user_post)
    return app
