"""The HTTP-surface app served by granian in tests/e2e/test_surface.py."""

import asyncio
import os
from pathlib import Path

from heaven import App, Event

app = App()
app.cors(origins=["https://app.example.com"], credentials=True, max_age=600)
FILES = Path(os.environ.get("HEAVEN_E2E_FILES", "."))


def build_files(app):
    # A 5 MiB file with a recognisable pattern, made before serving starts.
    (FILES / "big.bin").write_bytes(bytes(range(256)) * (5 * 4096))


app.ON("startup", build_files)
app.ASSETS(str(FILES), route="/files/*")


async def echo(send, receive, req, ctx):
    await send(f"welcome to {req.params['room']}")
    while (message := await receive()) is not None:
        await send(message)


def members_only(req, res, ctx):
    if req.queries.get("token") != "s3cret":
        res.abort()


async def private(send, receive, req, ctx):
    await send("members only")


app.WS("/rooms/:room", echo)
app.WS("/private", private)
app.BEFORE("/private", members_only)


async def ticker(req, res, ctx):
    async def events():
        for n in range(3):
            yield Event({"n": n}, event="tick", id=n)
            await asyncio.sleep(0.01)
        yield "two\nlines"

    res.stream(events(), sse=True)


app.GET("/events", ticker)


async def labelled(req, res, ctx):
    res.header("X-Label", "caf\u00e9".encode())  # UTF-8 bytes, sent as they are
    res.header("X-Plain", "ascii only")
    res.body = "ok"


app.GET("/labelled", labelled)


async def request_line(req, res, ctx):
    res.body = {"method": req.method, "path": req.path, "url": req.url, "scheme": req.scheme}


async def broken(req, res, ctx):
    raise RuntimeError("handler bug")


app.GET("/line/:name", request_line)
app.POST("/line/:name", request_line)
app.GET("/broken", broken)


async def endless(req, res, ctx):
    async def ticks():
        while True:
            yield "tick\n"
            await asyncio.sleep(0.01)

    res.stream(ticks())


app.GET("/endless", endless)
