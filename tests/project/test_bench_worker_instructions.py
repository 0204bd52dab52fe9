"""benches/http/worker_instructions.py: a smoke run under real granian and
valgrind, both apps of one interface, a few requests each (~1 min). The
counts must be a request's worth (tens of thousands of instructions), and
heaven's own share (heaven less the bare app) positive and a fraction of
the whole: the worker measured was the one that served."""

import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benches" / "http" / "worker_instructions.py"


def test_a_smoke_run_counts_heaven_and_the_bare_app_in_the_worker():
    assert shutil.which("valgrind") is not None, "valgrind is missing: `make system-deps` installs Debian's valgrind"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--endpoints", "plaintext", "--interfaces", "asgi", "--requests", "20", "120"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    row = next(line for line in done.stdout.splitlines() if line.startswith("| plaintext | asgi |"))
    bare, heaven, own = (float(cell.strip().replace(",", "")) for cell in row.split("|")[3:6])
    assert 10_000 < bare < 1_000_000, row
    assert abs(heaven - bare - own) <= 1 and 0 < own < heaven / 2, row
