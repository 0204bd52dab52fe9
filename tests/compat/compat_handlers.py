"""Handlers registered by dotted string in tests/compat/apps.py (both frameworks)."""

from heaven import Handler


async def hello(req, res, ctx):
    res.body = {"hello": "world", "stamped": ctx.peek("stamped")}


def stamp(req, res, ctx):
    ctx.keep("stamped", True)


class Orders(Handler):
    async def index(self):
        self.res.body = {"orders": [], "route": self.req.route}
