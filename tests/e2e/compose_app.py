"""Composition served by granian (tests/e2e/test_compose.py): a heaven app
mounted under a prefix with its own CORS policy, a plain ASGI app mounted at
/metrics with its lifespan, a route group and a controller."""

import json
import os
from pathlib import Path

from heaven import App
from heaven.controllers import BEFORE, GET, POST

MARKS = os.environ.get("HEAVEN_E2E_MARKS")


def mark(name):
    """Leave a file in the test's directory (only when the test asked for it)."""
    if MARKS:
        (Path(MARKS) / name).write_text("ok")


# -- a heaven app under a prefix ------------------------------------------------

users = App()
users.GET("/:id:int", lambda req, res, ctx: setattr(res, "body", {"id": req.params["id"]}), name="user")
users.BEFORE("/*", lambda req, res, ctx: setattr(res, "headers", ("X-Users-Hook", "yes")))
users.cors(origin="https://front.example")

# -- a plain ASGI app ------------------------------------------------------------------


async def metrics(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                scope["state"]["since"] = "boot"
                mark("metrics-startup")
                await send({"type": "lifespan.startup.complete"})
            else:
                mark("metrics-shutdown")
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": f"{scope['root_path']}: {message.get('text')}"})
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"].endswith("/stream"):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"a", b"b", b"c"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    seen = {"path": scope["path"], "root_path": scope["root_path"], "state": scope.get("state"), "body": len(body)}
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(seen).encode()})


# -- a controller ------------------------------------------------------------------------


class Notes:
    prefix = "/notes"

    def __init__(self):
        self.notes = ["first"]

    @BEFORE()
    def tag(self, req, res, ctx):
        res.headers = "X-Controller", "notes"

    @GET("/")
    def index(self, req, res, ctx):
        res.body = self.notes

    @POST("/")
    def add(self, req, res, ctx):
        self.notes.append(req.json["text"])
        res.status = 201
        res.body = {"link": req.app.url_for("Notes.index")}


# -- the app ------------------------------------------------------------------------------

app = App()
app.GET("/", lambda req, res, ctx: setattr(res, "body", "root"))
app.GET("/metrics/health", lambda req, res, ctx: setattr(res, "body", "heaven health"))
app.mount(users, prefix="/api/users")
app.mount(metrics, prefix="/metrics")

v1 = app.group("/v1")
v1.BEFORE("/*", lambda req, res, ctx: setattr(res, "headers", ("X-Group", "v1")))
v1.GET("/ping", lambda req, res, ctx: setattr(res, "body", "pong"))
v1.controller(Notes())
app.GET("/v1/outside", lambda req, res, ctx: setattr(res, "body", "outside"))
