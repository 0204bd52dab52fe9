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


def test_a_daemon_that_returns_0_stops_instead_of_spinning(caplog):
    runs = {"zero": 0, "negative": 0, "text": 0}

    async def zero(app):
        runs["zero"] += 1
        return 0

    def negative(app):
        runs["negative"] += 1
        return -5

    async def text(app):
        runs["text"] += 1
        return "soon"

    app = App()
    app.daemons = zero
    app.daemons = negative
    app.daemons = text

    async def run():
        ls = Lifespan(app)
        assert (await ls.startup())["type"] == "lifespan.startup.complete"
        # Each daemon's task must end by itself; a spinning one never would.
        done, pending = await asyncio.wait(list(app._daemon_tasks), timeout=5)
        await ls.shutdown()
        return len(done), len(pending)

    with caplog.at_level("ERROR", logger="heaven"):
        assert asyncio.run(run()) == (3, 0)
    assert runs == {"zero": 1, "negative": 1, "text": 1}
    messages = [r.getMessage() for r in caplog.records if r.name == "heaven"]
    assert any("returned 'soon', not the seconds until its next run" in m for m in messages), messages


def test_on_and_once_work_as_decorators_and_keep_the_function():
    log = []
    app = App()

    @app.ON("startup")
    def opened(a):
        log.append(("opened", a is app))

    @app.ON("SHUTDOWN")
    async def closed(a):
        log.append(("closed", a is app))

    @app.ONCE
    def warmed(a):
        log.append(("warmed", a is app))

    @app.ON
    async def primed(a):
        log.append(("primed", a is app))

    assert [f.__name__ for f in (opened, closed, warmed, primed)] == ["opened", "closed", "warmed", "primed"]
    assert app.ON("startup", lambda a: None) is app  # the two-argument form still returns the app

    async def run():
        ls = Lifespan(app)
        await ls.startup()
        await ls.shutdown()

    asyncio.run(run())
    assert log == [("opened", True), ("warmed", True), ("primed", True), ("closed", True)]
