"""An app that says what body it read, for tests/e2e/test_http2.py."""

from heaven import App

app = App()


async def read(req, res, ctx):
    res.body = {"length": len(req.body), "start": req.body[:16].decode("latin-1")}


app.POST("/read", read)
app.PUT("/read", read)
app.GET("/", lambda req, res, ctx: setattr(res, "body", "up"))
