"""The app the end-to-end tests serve under a real granian process."""

import os
from pathlib import Path

from heaven import App

app = App({"name": "e2e"})
MARKS = Path(os.environ.get("HEAVEN_E2E_MARKS", "."))


async def started(app):
    app.keep("started", True)
    (MARKS / "startup").write_text("ok")


def stopped(app):
    (MARKS / "shutdown").write_text("ok")


app.ON("startup", started)
app.ON("shutdown", stopped)


def index(req, res, ctx):
    res.body = "Hello, World!"


async def user_post(req, res, ctx):
    res.body = {"user": req.params["id"], "post": req.params["post"], "started": req.app.peek("started")}


async def echo(req, res, ctx):
    res.body = {"got": req.json, "subdomain": req.subdomain}


def api_index(req, res, ctx):
    res.body = {"api": True, "subdomain": req.subdomain}


app.GET("/", index)
app.GET("/users/:id:int/posts/:post:int", user_post)
app.POST("/echo", echo)
app.subdomain("api").GET("/", api_index)
app.AFTER("/*", lambda req, res, ctx: res.header("X-Served-By", "heaven"))
