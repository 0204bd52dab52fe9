#!/usr/bin/env python3
"""How much a microsecond of Python work in the worker costs over HTTP: the
bare plaintext app of each interface, with and without a fixed burn of
Python work per request (apps/burn_app.py), under granian and wrk as
run.py serves them, rounds alternated; next to each burn's in-process cost
(`timeit`, the garbage collector on). docs/performance.md uses it to read
heaven's in-process share against its share over HTTP.

    .venv/bin/python benches/http/amplify.py                     # 5 rounds x (2 + 6) s, ~4 min
    .venv/bin/python benches/http/amplify.py --rounds 1 --duration 1 --warmup 0   # smoke run

A burn's cost over HTTP is, round by round, 1/req_s of the burned app less
1/req_s of the plain one run right before or after it; the table gives the
median and min-max of those, and their ratio to the in-process cost.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (Server, wrk, parsing; puts apps/ on sys.path)
import burn_app  # noqa: E402  (benches/http/apps)

VARIANTS = ("none", "loop", "alloc", "cycles")


def in_process(burn) -> float:
    """Nanoseconds a call, best of seven loops of 20,000, collector on."""
    return min(timeit.repeat(burn, setup="gc.enable()", number=20_000, repeat=7)) / 20_000 * 1e9


def measure(args, granian: str, logdir: Path) -> dict[tuple[str, str], list[float]]:
    rps: dict[tuple[str, str], list[float]] = {}
    for rnd in range(args.rounds):
        for interface in ("rsgi", "asgi"):
            order = VARIANTS[rnd % len(VARIANTS) :] + VARIANTS[: rnd % len(VARIANTS)]
            for variant in order:
                target = f"burn_app:{interface}_{variant}"
                with run.Server(f"{interface}-{variant}", granian, args.server_cpu, logdir, target, interface) as server:
                    url = f"http://{run.HOST}:{server.port}/plaintext"
                    if args.warmup:
                        run.run_wrk(run.wrk_cmd(args.client_cpu, args.threads, args.connections, args.warmup, url), args.warmup)
                    cmd = run.wrk_cmd(args.client_cpu, args.threads, args.connections, args.duration, url)
                    result = run.run_wrk(cmd, args.duration)
                rps.setdefault((interface, variant), []).append(result.rps)
                print(f"round {rnd + 1}/{args.rounds}  {interface}  {variant:7} {result.rps:>10,.0f} req/s", flush=True)
    return rps


def report(rps: dict[tuple[str, str], list[float]], costs: dict[str, float]) -> str:
    rows = [
        "| interface | burn | in-process (µs) | req/s (median) | over HTTP (µs, median of rounds) | min – max | HTTP / in-process |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for interface in ("rsgi", "asgi"):
        plain = rps[(interface, "none")]
        for variant in VARIANTS[1:]:
            burned = rps[(interface, variant)]
            extra = [1e6 / b - 1e6 / p for b, p in zip(burned, plain)]
            own = costs[variant] / 1000
            median = statistics.median(extra)
            rows.append(
                f"| {interface} | {variant} | {own:.2f} | {statistics.median(burned):,.0f} | {median:.2f} "
                f"| {min(extra):.2f} – {max(extra):.2f} | {median / own:.2f} |"
            )
        rows.append(f"| {interface} | none | – | {statistics.median(plain):,.0f} | – | – | – |")
    return "\n".join(rows)


def main() -> int:
    args = run.parse_load_options(run.load_options(__doc__, {}))
    granian = run.find_tools()
    costs = {variant: in_process(burn_app.BURNS[variant]) for variant in VARIANTS[1:]}
    logdir = Path(tempfile.mkdtemp(prefix="heaven-amplify-"))  # removed by `guarded`
    rps: dict[tuple[str, str], list[float]] = {}
    failed = run.guarded(lambda: rps.update(measure(args, granian, logdir)), logdir)
    if failed is not None:
        return failed
    table = report(rps, costs)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
