"""Start granian on a free loopback port and wait until it answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(
        self, target: str, env: dict[str, str] | None = None, working_dir: Path = HERE, interface: str = "asgi",
        args: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        self.interface = interface
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            sys.executable, "-m", "granian", "--interface", interface, "--host", "127.0.0.1",
            "--port", str(self.port), "--workers", "1", "--working-dir", str(working_dir), *args, target,
        ]
        self.proc = subprocess.Popen(
            cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def wait_ready(self, timeout: float = 20.0, path: str = "/") -> None:
        self.wait_until_up(self.proc, self.url + path, timeout)

    @staticmethod
    def wait_until_up(proc: subprocess.Popen, url: str, timeout: float = 20.0) -> None:
        """Poll `url` until the server process answers anything."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{proc.stdout.read() if proc.stdout else ''}")
            try:
                httpx.get(url, timeout=0.5)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"the server at {url} did not start in time")

    def stop(self) -> str:
        """Ask granian to shut down (SIGINT), wait, and return its output."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            output, _ = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            output, _ = self.proc.communicate()
        return output or ""


@pytest.fixture(params=["asgi", "rsgi"])
def interface(request: pytest.FixtureRequest) -> str:
    """Every end-to-end test runs on both of granian's interfaces."""
    return request.param


@pytest.fixture
def serve(interface: str):
    started: list[Server] = []

    def start(target: str, env: dict[str, str] | None = None, ready: bool = True) -> Server:
        server = Server(target, env, interface=interface)
        started.append(server)
        if ready:
            server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()
