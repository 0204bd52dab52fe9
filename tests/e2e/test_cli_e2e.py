"""The `heaven` command starting a real granian: `run` serves, `fly` serves
and reloads, and SIGINT shuts both down cleanly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import HERE, Server, free_port

pytestmark = pytest.mark.e2e


class Heaven(Server):
    """`python -m heaven ARGS --port <free port>` in `cwd`, waited for and
    stopped like conftest's granian servers."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "heaven", *args, "--port", str(self.port)],
            cwd=cwd, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )


@pytest.fixture
def heaven():
    started: list[Heaven] = []

    def start(args: list[str], cwd: Path) -> Heaven:
        server = Heaven(args, cwd)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


def test_run_serves_and_stops_on_sigint(heaven):
    server = heaven(["run", "cli_app.main", "--working-dir", str(HERE)], cwd=HERE.parent)
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/").text == "hello from cli_app"
        assert http.get("/items/7").json() == {"id": 7}
    output = server.stop()
    assert server.proc.returncode == 0, output
    assert f"heaven: serving cli_app.main:app (2 routes) from {HERE}" in output
    # The command became granian (exec): granian's main process is the one we started.
    assert f"Starting granian (main PID: {server.proc.pid})" in output


def test_fly_serves_the_app_in_the_current_directory_and_reloads(heaven, tmp_path):
    app_py = tmp_path / "app.py"
    app_py.write_text(
        "from heaven import App\n\napp = App()\napp.GET('/', lambda req, res, ctx: setattr(res, 'body', 'first'))\n"
    )
    server = heaven(["fly"], cwd=tmp_path)
    assert httpx.get(server.url + "/").text == "first"

    app_py.write_text(app_py.read_text().replace("'first'", "'second'"))
    assert _eventually(lambda: httpx.get(server.url + "/", timeout=1).text == "second"), "no reload"

    output = server.stop()
    assert server.proc.returncode == 0, output
    assert re.search(r"heaven: serving app:app \(1 route\) from .* reloading on changes", output)


def _eventually(check, timeout: float = 20.0) -> bool:
    """True once `check()` holds; the reloader restarts the worker in the meantime."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False


def test_run_reports_a_broken_app_without_starting_granian(tmp_path):
    (tmp_path / "broken.py").write_text("from heaven import App\napp = App(\n")
    done = subprocess.run(
        [sys.executable, "-m", "heaven", "run", "broken", "--port", str(free_port())],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert f'File "{tmp_path / "broken.py"}", line 2' in done.stderr
    assert "granian" not in done.stdout + done.stderr
