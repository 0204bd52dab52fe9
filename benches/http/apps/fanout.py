"""The SSE fan-out behind every `live_*` app's `GET /events` (benches/http/live.py).

Plain asyncio, no framework, so every contender runs the same publisher and
differs only in how its SSE response sends what a subscriber's queue holds:

- each subscriber gets its own `asyncio.Queue` of `QUEUE_SIZE` events
  (bounded), registered with the hub when its response starts;
- one publisher task (started by the first subscriber) makes events
  `{"seq": N, "topic": "ticks"}`, N counting up from 1, and puts each one into
  every subscriber's queue in turn with `await queue.put(event)`: a full
  queue makes it wait, so it runs exactly as fast as the slowest subscriber
  drains, and no event is ever dropped (a subscriber sees every N from its
  first one on, in order: the load client checks that);
- the same event object goes to every queue; each framework encodes it as it
  sends (JSON, one `data:` line);
- a subscriber that leaves is removed and its queue emptied, which frees
  the publisher if it was waiting on that queue.

This is what a user of any of these frameworks would write for a broadcast
without a broker (the frameworks have no fan-out of their own).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

QUEUE_SIZE = 64


class Hub:
    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self.subscribers: dict[asyncio.Queue, None] = {}  # insertion-ordered set
        self.published = 0
        self._publisher: asyncio.Task | None = None
        self._someone: asyncio.Event | None = None

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(self.queue_size)
        self.subscribers[queue] = None
        if self._publisher is None:
            self._someone = asyncio.Event()
            self._publisher = asyncio.get_running_loop().create_task(self._publish())
        assert self._someone is not None
        self._someone.set()
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.subscribers.pop(queue, None)
        while not queue.empty():  # the publisher may be waiting for room in it
            queue.get_nowait()

    async def events(self) -> AsyncIterator[dict]:
        """Every event from now on, in order, until the caller stops iterating."""
        queue = self.subscribe()
        try:
            while True:
                yield await queue.get()
        finally:
            self.unsubscribe(queue)

    async def _publish(self) -> None:
        assert self._someone is not None
        while True:
            if not self.subscribers:
                self._someone.clear()
                await self._someone.wait()
            self.published += 1
            event = {"seq": self.published, "topic": "ticks"}
            for queue in tuple(self.subscribers):
                await queue.put(event)
