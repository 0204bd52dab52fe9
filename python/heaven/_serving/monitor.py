"""`App(monitor=...)`: a watchdog that notices when the event loop is
blocked (a sync handler doing I/O, a CPU-heavy loop) while it is blocked,
and logs how long and where the loop thread was stuck."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import traceback
from typing import Any

logger = logging.getLogger("heaven.monitor")


class Monitor:
    """Ticks on the event loop; a thread checks the ticks keep coming. A
    stall longer than `threshold` seconds is logged once, with the loop
    thread's stack, and counted in `stalls`; `worst` is the longest lag seen."""

    def __init__(self, threshold: float = 0.1) -> None:
        if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or threshold <= 0:
            raise ValueError(f"monitor threshold must be a positive number of seconds, got {threshold!r}")
        self.threshold = float(threshold)
        self.stalls = 0
        self.worst = 0.0
        self._last_tick = time.monotonic()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._stop.clear()
        self._tick()
        self._thread = threading.Thread(target=self._watch, name="heaven-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._handle is not None:
            self._handle.cancel()
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None

    def _tick(self) -> None:
        now = time.monotonic()
        lag = now - self._last_tick - self.threshold / 4
        if lag > self.worst:
            self.worst = lag
        self._last_tick = now
        if self._loop is not None and not self._stop.is_set():
            self._handle = self._loop.call_later(self.threshold / 4, self._tick)

    def _watch(self) -> None:
        reported_for = None
        while not self._stop.wait(self.threshold / 2):
            stalled_since = self._last_tick
            stalled = time.monotonic() - stalled_since - self.threshold / 4
            if stalled > self.threshold and reported_for != stalled_since:
                reported_for = stalled_since
                self.stalls += 1
                frame = sys._current_frames().get(self._loop_thread or -1)
                where = "".join(traceback.format_stack(frame)) if frame is not None else "(stack unavailable)\n"
                logger.warning(
                    "Event Loop Blocked! Lag: %.4fs (threshold %.3fs); the loop thread is at:\n%s", stalled, self.threshold, where
                )

    def __repr__(self) -> str:
        return f"<Monitor threshold={self.threshold}s stalls={self.stalls} worst={self.worst:.3f}s>"


def monitor_from(option: Any) -> Monitor | None:
    """`monitor=True` watches with a 0.1 s threshold; a number sets it."""
    if option is None or option is False:
        return None
    if option is True:
        return Monitor()
    if isinstance(option, Monitor):
        return option
    return Monitor(option)
