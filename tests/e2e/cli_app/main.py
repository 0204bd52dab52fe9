"""Served as `heaven run cli_app.main` (no `:app`: the CLI finds `app`)."""

from heaven import App

app = App()


def index(req, res, ctx):
    res.body = "hello from cli_app"


def item(req, res, ctx):
    res.body = {"id": req.params["id"]}


app.GET("/", index)
app.GET("/items/:id:int", item)
