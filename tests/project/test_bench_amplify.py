"""benches/http/amplify.py: a burn's cost over HTTP is taken round by round
against the plain app, and set against its in-process cost; and the whole
script runs against real granian and wrk (a one-round smoke run, ~12 s)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benches" / "http" / "amplify.py"


@pytest.fixture(scope="module")
def amplify():
    spec = importlib.util.spec_from_file_location("bench_http_amplify", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_burn_costs_its_rounds_time_over_the_plain_app_of_the_same_round(amplify):
    plain = [50_000.0, 40_000.0, 50_000.0]  # 20, 25, 20 µs a request
    burned = [40_000.0, 40_000.0, 25_000.0]  # 25, 25, 40 µs: 5, 0 and 20 µs more
    rps = {(i, v): (plain if v == "none" else burned) for i in ("rsgi", "asgi") for v in amplify.VARIANTS}
    table = amplify.report(rps, {"loop": 2_500.0, "alloc": 5_000.0, "cycles": 10_000.0})
    rows = [line for line in table.splitlines() if line.startswith("| rsgi |")]
    assert rows[0] == "| rsgi | loop | 2.50 | 40,000 | 5.00 | 0.00 – 20.00 | 2.00 |"
    assert rows[1] == "| rsgi | alloc | 5.00 | 40,000 | 5.00 | 0.00 – 20.00 | 1.00 |"
    assert rows[-1] == "| rsgi | none | – | 50,000 | – | – | – |"


def test_the_burns_do_what_they_say():
    sys.path.insert(0, str(SCRIPT.parent / "apps"))
    try:
        import burn_app
        import gc

        assert set(burn_app.BURNS) == {"none", "loop", "alloc", "cycles"}
        gc.collect()
        gc.disable()
        try:
            burn_app.alloc()
            assert gc.collect() == 0  # freed by reference counting
            burn_app.cycles()
            assert gc.collect() > 0  # left to the collector
        finally:
            gc.enable()
    finally:
        sys.path.remove(str(SCRIPT.parent / "apps"))


def test_a_smoke_run_reports_every_burn_on_both_interfaces():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--rounds", "1", "--duration", "1", "--warmup", "0"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for interface in ("rsgi", "asgi"):
        for burn in ("loop", "alloc", "cycles", "none"):
            assert f"| {interface} | {burn} |" in done.stdout, (interface, burn)
