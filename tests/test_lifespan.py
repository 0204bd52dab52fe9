"""Lifespan (docs/lifecycle.md): callbacks in order, failing startup fails, daemons."""

import asyncio
import threading

import pytest

from heaven import App
from helpers import Lifespan

pytestmark = pytest.mark.interfaces


def test_startup_and_shutdown_callbacks_in_order_sync_and_async():
    log = []

    async def connect(app):
        await asyncio.sleep(0)
        log.append(("connect", app))

    def warm(app):
        log.append(("warm", app))

    async def disconnect(app):
        log.append(("disconnect", app))

    app = App()
    app.ON("startup", connect)
    app.ONCE(warm)
    app.ON("shutdown", disconnect)
    app.ON("startup", "handlers.on_start")

    async def run():
        ls = Lifespan(app)
        assert await ls.startup() == {"type": "lifespan.startup.complete"}
        assert await ls.shutdown() == {"type": "lifespan.shutdown.complete"}

    import handlers

    handlers.calls.clear()
    asyncio.run(run())
    assert log == [("connect", app), ("warm", app), ("disconnect", app)]
    assert handlers.calls == [("start", app)]


def test_failing_startup_fails_and_stops_there():
    log = []

    def broken(app):
        raise ConnectionError("database unreachable")

    app = App()
    app.ON("startup", lambda a: log.append("first"))
    app.ON("startup", broken)
    app.ON("startup", lambda a: log.append("never"))

    async def run():
        return await Lifespan(app).startup()

    message = asyncio.run(run())
    assert message["type"] == "lifespan.startup.failed"
    assert message["message"] == "ConnectionError: database unreachable"
    assert log == ["first"]


def test_failing_shutdown_reports_failure():
    app = App()
    app.ON("shutdown", lambda a: 1 / 0)

    async def run():
        ls = Lifespan(app)
        await ls.startup()
        return await ls.shutdown()

    message = asyncio.run(run())
    assert message["type"] == "lifespan.shutdown.failed"
    assert "ZeroDivisionError" in message["message"]


def test_bad_event_name():
    with pytest.raises(ValueError, match="'startup' or 'shutdown'"):
        App().ON("boot", lambda a: None)


def test_daemons_repeat_stop_and_are_cancelled_on_shutdown():
    ticks = []
    threads = []
    cancelled = []

    async def ticker(app):
        ticks.append("tick")
        return 0.01  # seconds until the next run

    def once_in_a_thread(app):
        threads.append(threading.current_thread() is not threading.main_thread())
        return None  # stop

    async def forever(app):
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    app = App()
    app.daemons = ticker
    app.daemons = once_in_a_thread
    app.daemons = forever
    assert app.daemons == [ticker, once_in_a_thread, forever]

    async def run():
        ls = Lifespan(app)
        await ls.startup()
        await asyncio.sleep(0.1)
        await ls.shutdown()
        return len(ticks)

    count = asyncio.run(run())
    assert count >= 3
    assert len(ticks) == count  # nothing ran after shutdown
    assert threads == [True]
    assert cancelled == [True]
    assert app._daemon_tasks == []


def test_a_failing_daemon_is_logged_and_others_continue(caplog):
    runs = []

    def bad(app):
        raise RuntimeError("daemon broke")

    async def good(app):
        runs.append(1)
        return False

    app = App()
    app.daemons = bad
    app.daemons = good

    async def run():
        ls = Lifespan(app)
        await ls.startup()
        await asyncio.sleep(0.05)
        await ls.shutdown()

    asyncio.run(run())
    assert runs == [1]
    assert "daemon" in caplog.text and "daemon broke" in caplog.text
