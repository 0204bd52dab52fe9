"""An app with a small body limit, for the end-to-end 413 checks."""

from heaven import App

app = App(max_body_size=4096)


def echo(req, res, ctx):
    res.body = {"size": len(req.body)}


async def streamed(req, res, ctx):
    size = 0
    async for chunk in req.stream():
        size += len(chunk)
    res.body = {"size": size}


app.POST("/echo", echo)
app.POST("/stream", streamed, stream=True)
