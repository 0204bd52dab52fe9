"""Handlers imported by dotted path in the tests."""

from heaven import Handler

calls = []


def tag_request(req, res, ctx):
    res.headers = "X-Tagged", "yes"


def plain(req, res, ctx):
    res.body = "plain function"


async def asynchronous(req, res, ctx):
    res.body = "async function"


def on_start(app):
    calls.append(("start", app))


class Users(Handler):
    async def show(self):
        self.res.body = {"id": self.req.params["id"], "handler": type(self).__name__}

    def count(self):
        self.ctx.keep("counted", True)
        self.res.body = f"count {self.ctx.counted}"


class NotAHandler:
    def show(self):
        pass


not_callable = 42


def not_found(req, res, ctx, exc):
    res.body = f"not found: {req.path}"


class Returning(Handler):
    def returning(self):
        return {"from": "a method"}
