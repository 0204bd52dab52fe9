"""An app that says what body it read, for tests/e2e/test_http2.py; `/last`
says how the last stream-route read ended (a reset stream has no client
left to answer)."""

from heaven import App

app = App()
last: list[str] = ["none"]


async def read(req, res, ctx):
    res.body = {"length": len(req.body), "start": req.body[:16].decode("latin-1")}


async def stream(req, res, ctx):
    last[0] = "reading"
    try:
        body = b"".join([chunk async for chunk in req.stream()])
    except Exception as exc:
        last[0] = type(exc).__name__
        raise
    last[0] = f"read {len(body)}"
    res.body = {"length": len(body), "start": body[:16].decode("latin-1")}


app.POST("/read", read)
app.PUT("/read", read)
app.PUT("/stream", stream, stream=True)
app.GET("/last", lambda req, res, ctx: setattr(res, "body", last[0]))
app.GET("/", lambda req, res, ctx: setattr(res, "body", "up"))
