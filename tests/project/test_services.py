"""The test services clean up after themselves: a test run stopped by
SIGTERM (a CI timeout) still stops its throwaway PostgreSQL."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from services.plugin import unavailable
from services.postgres import NOT_INSTALLED, bindir

ROOT = Path(__file__).resolve().parents[2]
SLOW_TEST = '''
import time
def test_waits(postgres_server):
    print("admin", postgres_server.admin_dsn, flush=True)
    time.sleep(60)
'''


def test_sigterm_still_stops_the_throwaway_server(tmp_path):
    if os.environ.get("HEAVEN_TEST_PG_DSN"):
        unavailable("HEAVEN_TEST_PG_DSN is set: this run starts no throwaway server to check")
    if bindir() is None:
        unavailable(NOT_INSTALLED)
    (tmp_path / "test_slow.py").write_text(SLOW_TEST)
    # The inner run loads the fixtures as a plugin (its test file lies outside the repository).
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "services.plugin",
         "-c", str(ROOT / "pyproject.toml"), f"--rootdir={ROOT}", str(tmp_path / "test_slow.py")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tests")},
    )
    line = ""
    deadline = time.monotonic() + 60
    while "admin" not in line and time.monotonic() < deadline:
        line = run.stdout.readline()
        if not line and run.poll() is not None:
            break
    found = re.search(r"127\.0\.0\.1:(\d+)/", line)
    assert found, f"the inner run never reported its server: {line!r} {run.stdout.read() if run.poll() is not None else ''}"
    port = found.group(1)
    run.send_signal(signal.SIGTERM)
    output, _ = run.communicate(timeout=60)
    still = subprocess.run(["pgrep", "-f", f"postgres -D .* -p {port} "], capture_output=True, text=True)
    assert still.stdout == "", f"the server on port {port} outlived the run:\n{output}"
