"""The debug error page and the event-loop monitor (App options)."""

import asyncio
import logging
import time

import pytest

from heaven import App
from heaven._serving.monitor import Monitor
from helpers import Client, Lifespan

pytestmark = pytest.mark.interfaces


def boom(req, res, ctx):
    raise ValueError("bad <thing> & more")


def test_debug_page_shows_the_error_escaped():
    app = App(debug=True)
    app.GET("/x/:id", boom)
    with Client(app) as c:
        r = c.get("/x/7?q=1", headers={"X-Trace": "<script>"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "ValueError" in r.text and "bad &lt;thing&gt; &amp; more" in r.text
    assert "<b>boom</b>" in r.text  # the frame names the function
    assert "/x/:id" in r.text and "&lt;script&gt;" in r.text and "<script>" not in r.text


def test_without_debug_nothing_leaks():
    app = App()
    app.GET("/x", boom)
    with Client(app) as c:
        r = c.get("/x")
    assert (r.status_code, r.text, r.headers["content-type"]) == (500, "Internal Server Error", "text/plain; charset=utf-8")


def test_monitor_reports_a_blocked_loop(caplog):
    app = App(monitor=0.05)
    assert isinstance(app.monitor, Monitor) and app.monitor.threshold == 0.05

    def blocking(req, res, ctx):
        time.sleep(0.3)  # a sync handler doing blocking I/O: the mistake the monitor catches
        res.body = "slept"

    app.GET("/block", blocking)

    async def run():
        import httpx

        ls = Lifespan(app)
        await ls.startup()
        await asyncio.sleep(0.1)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            assert (await http.get("/block")).text == "slept"
        await asyncio.sleep(0.1)
        await ls.shutdown()

    with caplog.at_level(logging.WARNING, logger="heaven.monitor"):
        asyncio.run(run())
    assert app.monitor.stalls >= 1
    assert app.monitor.worst > 0.2
    assert "Event Loop Blocked! Lag:" in caplog.text  # the words of Heaven 2.4.3
    assert "time.sleep(0.3)" in caplog.text  # the log says where the loop was stuck


def test_monitor_options():
    assert App().monitor is None
    assert App(monitor=True).monitor.threshold == 0.1
    for bad in (0, -1, "fast"):
        with pytest.raises(ValueError):
            App(monitor=bad)
