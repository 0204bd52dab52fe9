"""The event-loop monitor (`App(monitor=...)`): a blocked loop is logged
with where it was stuck, and the option's spellings."""

import asyncio
import logging
import time

import pytest

from heaven import App
from heaven._serving.monitor import Monitor
from helpers import Lifespan

pytestmark = pytest.mark.interfaces


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
