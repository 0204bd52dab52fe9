"""Run an example's documented command (`make example-chat`) as a user
would, and stop it as a user would: Ctrl-C, which reaches every process of
the command's group."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def make_example(name: str, port: int, interface: str, env: dict[str, str]) -> Documented:
    # -o build-dev: the test run has built the extension already; the rest
    # of the target's recipe is the documented command, unchanged.
    argv = ["make", "--no-print-directory", "-o", "build-dev", f"example-{name}", f"PORT={port}", f"INTERFACE={interface}"]
    return Documented(argv, f"http://127.0.0.1:{port}", env)


class Documented:
    def __init__(self, argv: list[str], url: str, env: dict[str, str]) -> None:
        self.url = url
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        self.output = ""
        self.killed = False  # True when Ctrl-C did not stop it within the time allowed

    def wait_ready(self, path: str = "/", timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the command exited early ({self.proc.returncode}):\n{self.interrupt()}")
            try:
                httpx.get(self.url + path, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"the command did not serve within {timeout}s:\n{self.interrupt()}")

    def interrupt(self) -> str:
        """Ctrl-C, then the command's whole output once it has exited."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.killed = True
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, _ = self.proc.communicate()
            out = (out or "") + "\n(killed: still running 30 s after Ctrl-C)"
        self.output += out or ""
        return self.output

    def throwaway_port(self) -> int | None:
        """The port of the throwaway PostgreSQL the command started, if it did."""
        found = re.search(r"throwaway PostgreSQL: DATABASE_URL=postgresql://postgres@127\.0\.0\.1:(\d+)/", self.output)
        return int(found.group(1)) if found else None
