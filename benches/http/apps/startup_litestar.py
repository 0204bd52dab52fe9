"""Litestar's apps for benches/startup.py (OpenAPI off), built by factories:
`small()` (GET /plaintext and the two-parameter route) and `table()` (the
1,000 routes of extra_routes.py as route handlers, then the two-parameter
route: litestar_app.py's `app_1000` is `table()`).
"""

from litestar import Litestar, MediaType, get

PARAMS = "/users/{id:int}/posts/{post:int}"


async def plaintext() -> str:
    return "Hello, World!"


async def user_post(id: int, post: int) -> dict:
    return {"user": id, "post": post}


async def other() -> str:
    return "other"


def small() -> Litestar:
    handlers = [get("/plaintext", media_type=MediaType.TEXT)(plaintext), get(PARAMS)(user_post)]
    return Litestar(route_handlers=handlers, openapi_config=None)


def table() -> Litestar:
    from extra_routes import patterns, to_litestar

    handlers = [get(to_litestar(p), media_type=MediaType.TEXT, name=f"r{i}")(other) for i, p in enumerate(patterns())]
    handlers.append(get(PARAMS)(user_post))
    return Litestar(route_handlers=handlers, openapi_config=None)
