"""Starting and stopping an app, for both interfaces (the ASGI lifespan,
RSGI's init/del): startup callbacks in registration order (a failure fails
startup instead of serving a broken app), daemons after startup, daemons
cancelled and shutdown callbacks run on the way out."""

from __future__ import annotations

import asyncio
import logging
from inspect import isawaitable
from typing import Any, Callable

logger = logging.getLogger("heaven")


async def run_callbacks(callbacks: list[tuple[Callable[[Any], Any], Any]]) -> None:
    for fn, app in callbacks:
        result = fn(app)
        if isawaitable(result):
            await result


async def _daemon_loop(fn: Callable[[Any], Any], is_async: bool, app: Any) -> None:
    """Run `fn(app)`; its return value is the seconds until the next run:
    a number above 0 runs it again, None, False, 0 or less stop it (0 would
    run it back to back, hogging the loop), anything else is logged and
    stops it. Sync daemons run in a worker thread."""
    name = getattr(fn, "__qualname__", repr(fn))
    while True:
        try:
            if is_async:
                delay = await fn(app)
            else:
                delay = await asyncio.to_thread(fn, app)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("daemon %s failed and will not run again", name)
            return
        if delay is None or delay is False:
            return
        if isinstance(delay, bool) or not isinstance(delay, (int, float)):
            logger.error("daemon %s returned %r, not the seconds until its next run; it will not run again", name, delay)
            return
        if not delay > 0:  # 0, a negative number or NaN: stop, rather than spin
            return
        await asyncio.sleep(delay)


def start_daemons(app: Any) -> None:
    for fn, is_async, owner in app._daemons:
        task = asyncio.get_running_loop().create_task(_daemon_loop(fn, is_async, owner))
        app._daemon_tasks.append(task)


async def stop_daemons(app: Any) -> None:
    tasks, app._daemon_tasks = app._daemon_tasks, []
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


async def start_app(app: Any) -> None:
    """Startup on either interface: run the startup callbacks (a failure
    raises: the app must not serve), compile the routes (with any the
    callbacks added), then start the daemons and the watchdog."""
    await run_callbacks(_swapped(app, app._startup))
    app._compile()
    start_daemons(app)
    if app.monitor is not None:
        app.monitor.start()


async def stop_app(app: Any) -> None:
    """Shutdown on either interface: the watchdog and daemons stop first,
    then the shutdown callbacks run."""
    if app.monitor is not None:
        app.monitor.stop()
    await stop_daemons(app)
    await run_callbacks(_swapped(app, app._shutdown))


def _swapped(app: Any, callbacks: list[tuple[Callable[[Any], Any], Any]]) -> list[tuple[Callable[[Any], Any], Any]]:
    """Lifecycle callbacks as `earth.swap` left them (no swaps: as they are)."""
    probe = app._probe
    if probe is None or not probe._swaps:
        return callbacks
    return [(probe._swaps.get(id(fn), fn), owner) for fn, owner in callbacks]


async def ready(app: Any) -> Any:
    """The compiled matcher, once a startup that is still running (RSGI
    under a running loop) has finished; raises if that startup failed. Only
    requests that find no compiled matcher come here."""
    starting = app._starting
    if starting is not None:
        await asyncio.shield(starting)
        app._starting = None
    return app._compile()
