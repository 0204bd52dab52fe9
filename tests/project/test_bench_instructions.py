"""benches/instructions.py: a smoke run under valgrind of the case `make
bench` added (the params route behind 1,000 others, on RSGI) and its bare
app, a few requests each (~1 min). The counts must be a request's worth,
heaven's own share (the case less the bare app) positive and below the
whole, and the markdown file must hold the row printed."""

import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benches" / "instructions.py"


def test_a_smoke_run_counts_the_1000_route_case_and_heavens_own_share(tmp_path):
    assert shutil.which("valgrind") is not None, "valgrind is missing: `make system-deps` installs Debian's valgrind"
    out = tmp_path / "counts.md"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--cases", "bare_rsgi,rsgi_params_1000", "--requests", "20", "120", "--markdown", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    bare_row = next(line for line in done.stdout.splitlines() if line.startswith("| bare_rsgi |"))
    row = next(line for line in done.stdout.splitlines() if line.startswith("| rsgi_params_1000 |"))
    bare = float(bare_row.split("|")[2].replace(",", ""))
    heaven, own = (float(cell.strip().replace(",", "")) for cell in row.split("|")[2:4])
    assert 1_000 < bare < heaven < 1_000_000, (bare_row, row)
    assert abs(heaven - bare - own) <= 1 and 0 < own < heaven, row
    assert row in out.read_text().splitlines()
