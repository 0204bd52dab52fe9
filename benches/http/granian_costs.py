#!/usr/bin/env python3
"""What granian's own request objects cost heaven, measured inside a granian
worker: the reads of the scope heaven's request path makes on a plain GET,
timed per call on the real objects, next to the same reads on the stand-ins
benches/dispatch.py uses in-process. Where they differ, the in-process
figures understate heaven's share over HTTP (docs/performance.md).

    .venv/bin/python benches/http/granian_costs.py              # markdown table
    .venv/bin/python benches/http/granian_costs.py --json       # raw figures

Each figure is the best of seven `timeit` loops of 50,000 runs, less the
loop's own cost, and the lowest of three such probes. One granian worker per interface, pinned to CPU 0
(benches/http/apps/granian_probe.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import run  # noqa: E402  (Server, request, find_tools; puts apps/ on sys.path)
import granian_probe  # noqa: E402  (benches/http/apps)

import dispatch  # noqa: E402  (the in-process stand-ins)

# The reads a plain GET costs each app (heaven: `Matcher.enter` and the
# lifecycle's `scope.proto`; the bare apps: their type/proto and path).
HEAVEN_READS = {
    "rsgi": ("scope.proto", "scope.method", "scope.headers", "'content-length' in headers",
             "'content-length' in headers", "scope.path"),
    "asgi": ("scope['type']", "scope['method']", "scope['headers']", "scope['raw_path']"),
}  # fmt: skip
BARE_READS = {"rsgi": ("scope.proto", "scope.path"), "asgi": ("scope['type']", "scope['raw_path']")}


PROBES = 3  # requests probed per interface; each figure is the lowest of them


def lowest(runs: list[dict]) -> dict:
    """Each figure's lowest over `runs` (the least disturbed by the machine)."""
    return {name: min(run[name] for run in runs) for name in runs[0]}


def served(interface: str, granian: str, logdir: Path) -> dict:
    """The probe's figures from inside a granian worker."""
    target = "granian_probe:rsgi_app" if interface == "rsgi" else "granian_probe:app"
    runs = []
    with run.Server(f"probe-{interface}", granian, 0, logdir, target, interface) as server:
        for _ in range(PROBES):
            status, _, body = run.request(server.port, "GET", "/probe", timeout=60.0)
            if status != 200:
                raise SystemExit(f"the {interface} probe answered {status}: {body[:200]!r}")
            runs.append(json.loads(body))
    return lowest(runs)


def in_process(interface: str) -> dict:
    """The same reads on benches/dispatch.py's stand-ins."""
    if interface == "rsgi":
        return lowest([granian_probe.rsgi_reads(dispatch._RsgiScope("/plaintext")) for _ in range(PROBES)])
    return lowest([granian_probe.asgi_reads(dispatch.scope("/plaintext")) for _ in range(PROBES)])


def table(interface: str, real: dict, stand_in: dict) -> str:
    rows = [f"| {interface} read | in granian (ns) | in-process stand-in (ns) |", "|---|---:|---:|"]
    for name in dict.fromkeys(HEAVEN_READS[interface] + BARE_READS[interface]):
        rows.append(f"| `{name}` | {real[name]:,.0f} | {stand_in[name]:,.0f} |")
    for who, reads in (("heaven", HEAVEN_READS), ("bare app", BARE_READS)):
        total_real = sum(real[name] for name in reads[interface])
        total_stand_in = sum(stand_in[name] for name in reads[interface])
        rows.append(f"| **{who}, a plain GET** | **{total_real:,.0f}** | **{total_stand_in:,.0f}** |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the raw figures")
    args = parser.parse_args()
    granian = run.find_tools(wrk=False)
    figures: dict[str, dict] = {}
    logdir = Path(tempfile.mkdtemp(prefix="heaven-granian-costs-"))  # removed by `guarded`

    def probe() -> None:
        for interface in ("rsgi", "asgi"):
            figures[interface] = {"granian": served(interface, granian, logdir), "in_process": in_process(interface)}

    failed = run.guarded(probe, logdir)  # a server that fails says why, and none is left running
    if failed is not None:
        return failed
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    for interface, both in figures.items():
        print(table(interface, both["granian"], both["in_process"]), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
