"""The app tests/e2e/test_hardening.py serves: endless and failing streams,
bodies, header values heaven must refuse, download names."""

import asyncio
import hashlib
import os
from pathlib import Path

from heaven import App

app = App()
streams = {"open": 0, "closed": 0}
REPORT = Path(os.environ.get("HEAVEN_E2E_FILES", ".")) / "report.csv"


async def feed(req, res, ctx):
    """An SSE feed that sends one event, then waits an hour for the next: only
    watching for the disconnect can end it when the client leaves."""

    async def events():
        streams["open"] += 1
        try:
            yield {"hello": True}
            while True:
                await asyncio.sleep(3600)
                yield {"tick": True}
        finally:
            streams["closed"] += 1

    res.stream(events(), sse=True)


async def feed_state(req, res, ctx):
    res.body = streams


async def failing_csv(req, res, ctx):
    async def rows():
        yield "id,name\n"
        yield "1,ada\n"
        await asyncio.sleep(0.05)
        raise RuntimeError("the database went away")

    res.stream(rows(), content_type="text/csv")


async def digest(req, res, ctx):
    res.body = {"size": len(req.body), "sha256": hashlib.sha256(req.body).hexdigest()}


async def bad_redirect(req, res, ctx):
    res.redirect("/next\x01")  # refused here, with the header's name: a 500 heaven answers


async def download(req, res, ctx):
    REPORT.write_text("id,name\n1,ada\n")
    res.file(REPORT, filename="отчёт №1.csv")


app.GET("/feed", feed)
app.GET("/feed/state", feed_state)
app.GET("/csv", failing_csv)
app.POST("/digest", digest)
app.GET("/bad-redirect", bad_redirect)
app.GET("/download", download)
