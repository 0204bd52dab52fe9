"""Starlette's apps for benches/startup.py, built by factories: `small()`
(GET /plaintext and the two-parameter route) and `table()` (a flat route
list, the 1,000 routes of extra_routes.py first, then the two-parameter
route: starlette_app.py's `app_1000` is `table()`).
"""

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

PARAMS = "/users/{id:int}/posts/{post:int}"


async def plaintext(request):
    return PlainTextResponse("Hello, World!")


async def user_post(request):
    params = request.path_params
    return JSONResponse({"user": params["id"], "post": params["post"]})


async def other(request):
    return PlainTextResponse("other")


def small() -> Starlette:
    return Starlette(routes=[Route("/plaintext", plaintext), Route(PARAMS, user_post)])


def table() -> Starlette:
    from extra_routes import patterns, to_starlette

    routes = [Route(to_starlette(p), other) for p in patterns()]
    routes.append(Route(PARAMS, user_post))
    return Starlette(routes=routes)
