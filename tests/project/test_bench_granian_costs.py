"""benches/http/granian_costs.py measures, inside real granian workers, the
scope reads heaven's request path makes: run it end to end (both
interfaces, about two seconds) so its figures and the granian behaviour
docs/performance.md cites cannot drift unnoticed."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benches" / "http" / "granian_costs.py"


def _figures():
    done = subprocess.run([sys.executable, str(SCRIPT), "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_both_interfaces_are_probed_in_granian_and_in_process():
    figures = _figures()
    assert set(figures) == {"rsgi", "asgi"}
    for interface, both in figures.items():
        assert set(both) == {"granian", "in_process"}
        for where, reads in both.items():
            timed = {name: value for name, value in reads.items() if not isinstance(value, bool)}
            assert len(timed) >= 4, (interface, where, reads)
            assert all(isinstance(v, float) and 0.0 <= v < 100_000 for v in timed.values()), (interface, where, reads)
    # What the page says of granian 2.8.7: its ASGI scope is a plain dict
    # (as the stand-in is), and every read of an RSGI scope's `headers`
    # makes a new object (the stand-in's is one dict).
    assert figures["asgi"]["granian"]["scope is a dict"] is True
    assert figures["rsgi"]["granian"]["same headers object twice"] is False
    assert figures["rsgi"]["in_process"]["same headers object twice"] is True


def test_the_table_names_every_read_and_both_totals():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in (
        "scope.headers",
        "'content-length' in headers",
        "scope['raw_path']",
        "heaven, a plain GET",
        "bare app, a plain GET",
    ):
        assert name in done.stdout, name
    assert done.stdout.count("| in granian (ns) | in-process stand-in (ns) |") == 2
