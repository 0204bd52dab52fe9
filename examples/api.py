"""A typed JSON API: contracts validate requests (JSON bodies, the query
string, a multipart upload) and shape responses, every error is answered
as RFC 9457 `application/problem+json` (`app.PROBLEMS()`), and `/docs`
serves the OpenAPI document and its reference page. The user routes are a
route group (`app.group('/users')`), an AROUND hook times every request
(`Server-Timing`), and a plain ASGI app mounted at `/metrics` reports the
timings in Prometheus' text format.

    .venv/bin/heaven run api:app --working-dir examples    # then open http://127.0.0.1:8000/docs
"""

from __future__ import annotations

import itertools
import time
from typing import Annotated, Any

import msgspec

from heaven import App, File, HTTPError


class Address(msgspec.Struct):
    street: Annotated[str, "min_len=1, max_len=80"]
    city: Annotated[str, "min_len=1, max_len=40"]
    zip: Annotated[str, "regex=^[0-9]{5}$"]


class NewUser(msgspec.Struct):
    """What a client sends to create a user."""

    name: Annotated[str, "min_len=2, max_len=40"]
    email: Annotated[str, "format=email", "max_len=120"]
    age: Annotated[int, "min=0, max=150"]
    address: Address
    tags: Annotated[list[Annotated[str, "min_len=1, max_len=20"]], "max_len=10"] = []


class User(msgspec.Struct):
    """A stored user, as the API returns it."""

    id: int
    name: str
    email: str
    age: int
    address: Address
    tags: list[str]


class UserQuery(msgspec.Struct):
    """`GET /users?limit=10&tag=admin`."""

    limit: Annotated[int, "min=1; max=100"] = 50
    tag: str | None = None


class Avatar(msgspec.Struct):
    """A multipart upload: the picture and its alt text."""

    picture: File
    alt: Annotated[str, "max_len=200"] = ""


app = App(max_body_size=64 * 1024).PROBLEMS()
USERS: dict[int, User] = {}
IDS = itertools.count(1)
#: (method, route pattern) -> [requests, seconds], filled by `timed`, read by `metrics`.
TIMINGS: dict[tuple[str, str], list[float]] = {}


async def timed(req, res, ctx, call_next):
    """An AROUND hook on every route: how long the request took, in the
    answer's `Server-Timing` header and in `TIMINGS`."""
    started = time.perf_counter()
    try:
        await call_next()
    finally:
        elapsed = time.perf_counter() - started
        seen = TIMINGS.setdefault((req.method, req.route or "?"), [0, 0.0])
        seen[0] += 1
        seen[1] += elapsed
        res.headers = "Server-Timing", f"app;dur={elapsed * 1000:.2f}"


async def metrics(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A plain ASGI app (any ASGI app mounts the same way): the timings in
    Prometheus' text format."""
    if scope["type"] != "http":
        return
    lines = ["# TYPE api_requests_total counter"]
    for (method, route), (count, _) in sorted(TIMINGS.items()):
        lines.append(f'api_requests_total{{method="{method}",route="{route}"}} {count}')
    body = ("\n".join(lines) + "\n").encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain; version=0.0.4; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


def _user(req) -> User:
    user = USERS.get(req.params["id"])
    if user is None:
        raise HTTPError(status=404, detail=f"user {req.params['id']} not found")
    return user


def create_user(req, res, ctx):
    new = req.data
    user = User(id=next(IDS), **msgspec.structs.asdict(new))
    USERS[user.id] = user
    res.body = user


def get_user(req, res, ctx):
    res.body = _user(req)


def update_user(req, res, ctx):
    user = _user(req)
    USERS[user.id] = msgspec.structs.replace(user, **req.data)
    res.body = USERS[user.id]


def list_users(req, res, ctx):
    query = req.query_data  # a UserQuery: a bad limit never gets here (422)
    found = [u for u in USERS.values() if query.tag is None or query.tag in u.tags]
    res.body = found[: query.limit]


def set_avatar(req, res, ctx):
    user = _user(req)
    upload = req.data  # an Avatar: upload.picture is a heaven.File
    res.body = {"id": user.id, "picture": upload.picture.filename, "bytes": upload.picture.size, "alt": upload.alt}


def delete_user(req, res, ctx):
    USERS.pop(_user(req).id)
    res.status = 204


app.use(timed)  # an AROUND hook on every request, those no route takes too

users = app.group("/users")
users.POST("/", create_user, name="create_user")
users.GET("/", list_users, name="list_users")
users.GET("/:id:int", get_user, name="get_user")
users.PATCH("/:id:int", update_user, name="update_user")
users.DELETE("/:id:int", delete_user, name="delete_user")
users.POST("/:id:int/avatar", set_avatar, name="set_avatar")

users.schema.POST("/", expects=NewUser, returns=User, summary="Create a user", group="users")
users.schema.GET("/", query=UserQuery, returns=list[User], summary="List users", group="users")
users.schema.GET("/:id:int", returns=User, summary="Get a user", group="users")
users.schema.PATCH("/:id:int", expects=NewUser, returns=User, summary="Change some fields", group="users")
users.schema.DELETE("/:id:int", summary="Delete a user", group="users")
users.schema.POST("/:id:int/avatar", form=Avatar, summary="Upload a picture", group="users")

app.mount(metrics, prefix="/metrics")

app.DOCS("/docs", title="Users API", version="1.0")
