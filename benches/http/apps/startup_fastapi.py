"""FastAPI's apps for benches/startup.py (docs routes off), built by
factories: `small()` (GET /plaintext and the two-parameter route) and
`table()` (the 1,000 routes of extra_routes.py on an `APIRouter`, then the
two-parameter route, `include_router`-ed: fastapi_bench_app.py's `app_1000`
is `table()`).
"""

from fastapi import APIRouter, FastAPI
from fastapi.responses import PlainTextResponse

PARAMS = "/users/{id:int}/posts/{post:int}"


def new_app() -> FastAPI:
    return FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


async def plaintext():
    return "Hello, World!"


async def user_post(id: int, post: int):
    return {"user": id, "post": post}


async def other():
    return "other"


def small() -> FastAPI:
    app = new_app()
    app.get("/plaintext", response_class=PlainTextResponse)(plaintext)
    app.get(PARAMS)(user_post)
    return app


def table() -> FastAPI:
    from extra_routes import patterns, to_starlette

    router = APIRouter()
    for p in patterns():
        router.add_api_route(to_starlette(p), other, methods=["GET"], response_class=PlainTextResponse)
    router.add_api_route(PARAMS, user_post, methods=["GET"])
    app = new_app()
    app.include_router(router)
    return app
