"""The Starlette contender: the same three endpoints, async handlers (a sync
Starlette endpoint would run in a thread pool), optionally behind `extra`
unrelated routes listed first (see starlette_100.py)."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


async def plaintext(request):
    return PlainTextResponse("Hello, World!")


async def json(request):
    return JSONResponse({"message": "Hello, World!"})


async def user_post(request):
    params = request.path_params
    return JSONResponse({"user": params["id"], "post": params["post"]})


async def other(request):
    return PlainTextResponse("other")


def build(extra: int = 0) -> Starlette:
    routes = []
    if extra:
        from extra_routes import heaven_patterns, to_starlette

        routes += [Route(to_starlette(p), other) for p in heaven_patterns(extra)]
    routes += [
        Route("/plaintext", plaintext),
        Route("/json", json),
        Route("/users/{id:int}/posts/{post:int}", user_post),
    ]
    return Starlette(routes=routes)


app = build()
