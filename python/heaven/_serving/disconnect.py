"""Stop producing a body the client no longer reads. A streamed response
(SSE, an async generator, a file sent in pieces) runs beside a watcher that
waits for the client to leave; whichever ends first ends the other. Without
it, a server whose `send()` does not fail after a disconnect (granian's ASGI)
keeps an endless generator running for good, its `finally:` never reached,
and one that only notices at the next write (RSGI) waits as long as the
generator does between items."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable


async def until_disconnect(sending: Awaitable[None], disconnected: Callable[[], Awaitable[Any]]) -> bool:
    """Await `sending` unless `disconnected()` finishes first: then `sending` is
    cancelled where it waits (an async generator's `finally:` runs at once)
    and True comes back. `sending` runs in the caller's task, so a failure
    raises as usual; a watcher that fails (a server without disconnect
    reports) just stops watching."""
    current = asyncio.current_task()
    left = False

    async def watch() -> None:
        nonlocal left
        try:
            await disconnected()
        except Exception:
            return
        left = True
        current.cancel()  # type: ignore[union-attr]  # None only outside a task, and this runs in one

    watcher = asyncio.ensure_future(watch())
    try:
        await sending
    except asyncio.CancelledError:
        if not left:
            raise  # cancelled from outside (the server is stopping)
        uncancel = getattr(current, "uncancel", None)  # Python 3.11+
        if uncancel is not None:
            uncancel()
        return True
    finally:
        watcher.cancel()
    return False
