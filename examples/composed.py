"""One app composed of parts: a versioned API as a route group with a
controller, an admin app mounted under a prefix with its own CORS policy,
and a plain ASGI app (a metrics exporter) mounted at /metrics with its
lifespan. Run it from the repository root:

    .venv/bin/heaven run composed:app --working-dir examples

See docs/groups.md and docs/mounting.md."""

from __future__ import annotations

import json
import time
from typing import Any

import msgspec

from heaven import App
from heaven.controllers import AFTER, GET, POST

# -- a metrics exporter: any ASGI app ---------------------------------------------------------

COUNTS: dict[str, int] = {}


async def metrics(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                scope["state"]["started_at"] = time.time()
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    await receive()
    body = json.dumps({"requests": COUNTS, "up": "started_at" in scope.get("state", {})}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


# -- a controller --------------------------------------------------------------------------------


class NewBook(msgspec.Struct):
    title: str


class Books:
    prefix = "/books"

    def __init__(self) -> None:
        self.titles = ["Dune"]

    @AFTER()
    def count(self, req: Any, res: Any, ctx: Any) -> None:
        COUNTS[req.method] = COUNTS.get(req.method, 0) + 1

    @GET("/")
    def index(self, req: Any, res: Any, ctx: Any) -> None:
        res.body = self.titles

    @GET("/:id:int")
    def show(self, req: Any, res: Any, ctx: Any) -> None:
        index = req.params["id"]
        if not 0 <= index < len(self.titles):
            res.status = 404
            res.abort({"error": "no such book"})
            return
        res.body = {"id": index, "title": self.titles[index]}

    @POST("/", expects=NewBook)
    def create(self, req: Any, res: Any, ctx: Any) -> None:
        self.titles.append(req.data.title)
        res.status = 201
        res.body = {"link": req.app.url_for("Books.show", id=len(self.titles) - 1)}


# -- an admin app, mounted under a prefix --------------------------------------------------------

admin = App()
admin.cors(origin="https://admin.example")
admin.GET("/stats", lambda req, res, ctx: setattr(res, "body", {"requests": sum(COUNTS.values())}))

# -- the app ---------------------------------------------------------------------------------------

app = App()
v1 = app.group("/api/v1")
v1.BEFORE("/*", lambda req, res, ctx: setattr(res, "headers", ("X-API-Version", "1")))
v1.controller(Books())
app.mount(admin, prefix="/admin")
app.mount(metrics, prefix="/metrics")
