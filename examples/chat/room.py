"""The chat room: who is connected, the recent messages, and the watchers of
the live counter. One per process (kept on the app at startup), so pages
served by one granian worker see each other; see README for several."""

from __future__ import annotations

import asyncio
import collections
import datetime
import itertools
import json
from typing import Any, Awaitable, Callable

Send = Callable[[str], Awaitable[None]]


class Room:
    def __init__(self, history: int = 50) -> None:
        self.members: dict[int, tuple[str, Send]] = {}
        self.recent: collections.deque[str] = collections.deque(maxlen=history)
        self.sent = 0
        self._ids = itertools.count()
        self._watchers: set[asyncio.Queue[dict[str, int]]] = set()

    def counts(self) -> dict[str, int]:
        return {"online": len(self.members), "messages": self.sent}

    async def join(self, name: str, send: Send) -> int:
        member = next(self._ids)
        for line in self.recent:  # the page starts with the conversation so far
            await send(line)
        self.members[member] = (name, send)
        self._changed()
        return member

    def leave(self, member: int) -> None:
        if self.members.pop(member, None) is not None:
            self._changed()

    async def say(self, name: str, text: str) -> None:
        """Send a message to every page in the room, its author's included."""
        at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        line = json.dumps({"from": name, "text": text, "at": at})
        self.recent.append(line)
        self.sent += 1
        members = list(self.members.items())
        results = await asyncio.gather(*(send(line) for _, (_, send) in members), return_exceptions=True)
        for (member, _), result in zip(members, results):
            if isinstance(result, Exception):  # that page went away mid-send
                self.leave(member)
        self._changed()

    def watch(self) -> asyncio.Queue[dict[str, int]]:
        """A queue that receives the counts now and after every change."""
        queue: asyncio.Queue[dict[str, int]] = asyncio.Queue()
        queue.put_nowait(self.counts())
        self._watchers.add(queue)
        return queue

    def unwatch(self, queue: asyncio.Queue[Any]) -> None:
        self._watchers.discard(queue)

    def _changed(self) -> None:
        counts = self.counts()
        for queue in self._watchers:
            queue.put_nowait(counts)
