"""The app tests/e2e/test_validation.py serves under granian: a form
contract (with a file) on a buffered and a streaming route, a query and
header contract, and a JSON contract on a streaming route."""

from typing import Annotated

import msgspec

from heaven import App, File


class Search(msgspec.Struct):
    q: Annotated[str, "min_len=2"]
    page: Annotated[int, "min=1"] = 1
    tag: list[str] = []


class Auth(msgspec.Struct):
    x_api_key: Annotated[str, "min_len=8"]


class Upload(msgspec.Struct):
    title: Annotated[str, "min_len=2"]
    copies: Annotated[int, "min=1"]
    picture: File


class Item(msgspec.Struct):
    name: str
    qty: int


app = App()


def search(req, res, ctx):
    found = req.query_data
    res.body = {"q": found.q, "page": found.page, "tag": found.tag}


def upload(req, res, ctx):
    form = req.data
    res.body = {"title": form.title, "copies": form.copies, "picture": form.picture.filename,
                "bytes": form.picture.size}


async def items(req, res, ctx):
    res.body = {"name": req.data.name, "qty": req.data.qty}


app.GET("/", lambda req, res, ctx: setattr(res, "body", "up"))
app.GET("/search", search)
app.schema.GET("/search", query=Search, headers=Auth)
app.POST("/upload", upload)
app.schema.POST("/upload", form=Upload)
app.POST("/upload-stream", upload, stream=True)
app.schema.POST("/upload-stream", form=Upload)
app.POST("/items", items, stream=True)
app.schema.POST("/items", expects=Item)
