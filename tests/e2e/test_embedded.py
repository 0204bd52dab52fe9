"""granian's embedded server calls `__rsgi_init__` while its loop is already
running; heaven must start (and stop) there too, on both interfaces."""

import json
import subprocess
import sys

import pytest

from .conftest import HERE, free_port

pytestmark = pytest.mark.e2e


def test_startup_and_shutdown_under_the_embedded_server(interface):
    out = subprocess.run(
        [sys.executable, str(HERE / "embedded_app.py"), interface, str(free_port())],
        capture_output=True, text=True, timeout=60, cwd=HERE,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # The first request waited for the startup callbacks to finish.
    assert result["first_answer"] == {"events": ["started"]}, out.stderr
    assert result["events"] == ["started", "stopped"], out.stderr
    assert "already running" not in out.stderr
