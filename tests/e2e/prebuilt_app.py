"""Apps for the prebuilt start messages (rust/py/src/prebuilt.rs): heaven
answering the usual shapes under granian's own `send`, the same app behind
an ASGI middleware that edits `message["headers"]` in place, and, on that
app's `/recognised`, whether heaven recognises granian's `send`."""

from heaven import App, _core

app = App()


async def text(req, res, ctx):
    res.body = "x" * req.params["n"]


async def data(req, res, ctx):
    res.body = {"pad": "y" * req.params["n"]}


async def created(req, res, ctx):
    res.status = 201
    res.body = "made"


async def tagged(req, res, ctx):
    res.header("x-tag", str(req.params["n"]))
    res.body = "x" * req.params["n"]


app.GET("/text/:n:int", text)
app.GET("/json/:n:int", data)
app.GET("/created", created)
app.GET("/tagged/:n:int", tagged)
app.GET("/wrapped/text/:n:int", text)


async def wrapped(scope, receive, send):
    """heaven, with a middleware that appends a header to every start
    message under /wrapped (in place, as Starlette's MutableHeaders does)."""
    if scope["type"] == "http" and scope["path"] == "/recognised":
        return await recognised(scope, receive, send)
    if scope["type"] != "http" or not scope["path"].startswith("/wrapped/"):
        return await app(scope, receive, send)

    async def edit(message):
        if message["type"] == "http.response.start":
            message["headers"].append((b"x-wrapped", b"1"))
        await send(message)

    return await app(scope, receive, edit)


async def recognised(scope, receive, send):
    """Whether heaven takes this `send` for granian's own."""
    body = b"yes" if _core._servers_own(send) else b"no"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})
