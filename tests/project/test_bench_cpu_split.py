"""benches/http/cpu_split.py: perf's per-object samples are sorted into the
worker's parts and turned into µs a request, heaven's figures are taken
against the bare app's of the same round, and the whole script runs against
real granian, wrk and perf (a one-round smoke run, ~40 s)."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benches" / "http" / "cpu_split.py"

REPORT = """\
# Samples: 4K of event 'cpu-clock'
#
# Overhead       Samples  Shared Object
# ........  ............  ....................................
#
    33.80%          1352  [kernel.kallsyms]
    27.50%          1100  _granian.cpython-311-x86_64-linux-gnu.so
    26.50%          1060  libpython3.11.so.1.0
     5.00%           200  _core.abi3.so
     2.00%            80  _core.cpython-311-x86_64-linux-gnu.so
     3.00%           120  libc.so.6
     1.50%            60  loop.cpython-311-x86_64-linux-gnu.so
     0.50%            20  _asyncio.cpython-311-x86_64-linux-gnu.so
     0.20%             8  [vdso]
"""


@pytest.fixture(scope="module")
def split():
    spec = importlib.util.spec_from_file_location("bench_http_cpu_split", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_samples_are_sorted_into_the_workers_parts(split):
    samples = split.parse_report(REPORT)
    assert samples == {
        "kernel": 1352, "granian": 1100, "python": 1060, "heaven": 200, "msgspec": 80,
        "libc": 120, "loop": 80, "other": 8, "total": 4000,
    }  # fmt: skip


def test_samples_become_microseconds_a_request(split):
    # FREQUENCY samples are one second of CPU; over 10,000 requests that is 100 µs each.
    figures = split.per_request({"python": split.FREQUENCY, "total": 2 * split.FREQUENCY}, 10_000)
    assert figures == pytest.approx({"python": 100.0, "total": 200.0})


def test_heavens_figures_are_taken_against_the_bare_app_of_the_same_round(split):
    zero = dict.fromkeys(split.COLUMNS, 0.0)
    bare = [{**zero, "python": 5.0, "kernel": 8.0, "total": 13.0}, {**zero, "python": 6.0, "kernel": 9.0, "total": 15.0}]
    heaven = [
        {**zero, "python": 7.0, "heaven": 0.5, "kernel": 8.0, "total": 15.5},
        {**zero, "python": 7.0, "heaven": 0.5, "kernel": 10.0, "total": 17.5},
    ]
    table = split.report({("heaven", "json"): heaven, ("bare", "json"): bare}, ["json"])
    rows = {line.split("|")[2].strip(): [c.strip() for c in line.split("|")[3:-1]] for line in table.splitlines()[2:]}
    base, diff = rows["bare (µs)"], rows["heaven − bare (µs)"]
    at = {name: i for i, name in enumerate(split.COLUMNS)}
    assert base[at["python"]] == "5.50" and base[-1] == "5.50"
    assert diff[at["python"]] == "+1.50 (+1.00 – +2.00)"  # 7 − 5 and 7 − 6, round by round
    assert diff[at["kernel"]] == "+0.50 (+0.00 – +1.00)"
    assert diff[-1] == "+2.00 (+1.50 – +2.50)"  # heaven's code: Python, its extension, msgspec
    assert "bare_rsgi" not in table  # a pair not measured is left out


def test_a_smoke_run_splits_both_interfaces():
    assert shutil.which("perf") is not None, "perf is missing: `make system-deps` installs Debian's linux-perf"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--rounds", "1", "--duration", "2", "--warmup", "0", "--endpoints", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for contenders in ("bare (µs)", "heaven − bare (µs)", "bare_rsgi (µs)", "heaven_rsgi − bare_rsgi (µs)"):
        row = next((line for line in done.stdout.splitlines() if f"| json | {contenders} |" in line), None)
        assert row is not None, contenders
    bare = next(line for line in done.stdout.splitlines() if "| json | bare (µs) |" in line)
    python = float(bare.split("|")[3 + 2].strip())  # kernel, granian, then python
    assert python > 0  # the bare app's worker ran Python: the samples were the worker's
