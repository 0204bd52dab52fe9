#!/usr/bin/env python3
"""Where a granian worker's CPU goes per request, heaven against the bare
app of its interface, split by what runs: the kernel, granian, the Python
interpreter, heaven's extension, msgspec, libc, the event loop. Sampled
with `perf record -e cpu-clock` (a software clock: it works in VMs without
hardware counters) on the worker while wrk loads it, as run.py serves it.

    .venv/bin/python benches/http/cpu_split.py                  # 5 rounds x (2 + 6) s, ~9 min
    .venv/bin/python benches/http/cpu_split.py --rounds 1 --duration 2 --warmup 0 --endpoints json   # smoke run

A row's figure is, round by round, the worker's sampled CPU in that part
divided by the requests wrk counted over the sampled window (its rate times
the window), in µs a request; the table gives heaven's figure less the bare
app's of the same round (median and min – max over the rounds). So it says
how much of heaven's gap over HTTP is heaven's own code running (Python,
its extension, msgspec) and how much is the server's and the kernel's side
doing more or less work a request. Needs `perf` (Debian's linux-perf).
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import procs  # noqa: E402
import run  # noqa: E402  (Server, wrk, parsing)

PAIRS = (("heaven", "bare"), ("heaven_rsgi", "bare_rsgi"))
ENDPOINTS = ("plaintext", "json", "params")
FREQUENCY = 997  # samples a second: a prime, so the clock does not beat with the loop's timers
# Parts of the worker, by the shared object a sample fell in (first match wins).
PARTS = (
    ("kernel", re.compile(r"^\[kernel")),
    ("granian", re.compile(r"_granian")),
    ("python", re.compile(r"^libpython")),
    ("heaven", re.compile(r"^_core\.abi3\.so$")),
    ("msgspec", re.compile(r"^_core\.cpython")),
    ("libc", re.compile(r"^libc\.so")),
    ("loop", re.compile(r"^loop\.cpython|^_asyncio")),
)
OWN = ("python", "heaven", "msgspec")  # what the app's code runs in
COLUMNS = tuple(name for name, _ in PARTS) + ("other", "total")


def part_of(dso: str) -> str:
    for name, pattern in PARTS:
        if pattern.search(dso):
            return name
    return "other"


def parse_report(text: str) -> dict[str, int]:
    """Samples per part from `perf report --stdio --sort dso --show-nr-samples`."""
    samples = {name: 0 for name in COLUMNS}
    for line in text.splitlines():
        match = re.match(r"\s*[\d.]+%\s+(\d+)\s+(\S+)", line)
        if match is None:
            continue
        count = int(match.group(1))
        samples[part_of(match.group(2))] += count
        samples["total"] += count
    return samples


def per_request(samples: dict[str, int], requests: float) -> dict[str, float]:
    """µs a request in each part: samples are 1/FREQUENCY s apart."""
    return {name: count / FREQUENCY * 1e6 / requests for name, count in samples.items()}


def sample(server: run.Server, url: str, args, data: Path) -> dict[str, float]:
    """Load `server` with wrk for `args.duration` s; sample its worker over
    the middle of that run; µs a request by part."""
    worker = procs.worker(server.proc.pid)
    cmd = run.wrk_cmd(args.client_cpu, args.threads, args.connections, args.duration, url)
    wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    window = max(args.duration - 2, 1) if args.duration > 2 else args.duration / 2
    time.sleep((args.duration - window) / 2)
    perf = subprocess.run(
        ["perf", "record", "-q", "-e", "cpu-clock", "-F", str(FREQUENCY), "-p", str(worker), "-o", str(data),
         "--", "sleep", str(window)],
        capture_output=True, text=True,
    )  # fmt: skip
    out, _ = wrk.communicate(timeout=args.duration + 30)
    if perf.returncode != 0:
        raise run.BenchError(f"perf record failed for {server.name}:\n{perf.stderr[-1500:]}")
    result = run.parse_wrk(out)
    report = subprocess.run(
        ["perf", "report", "-i", str(data), "--stdio", "--sort", "dso", "--show-nr-samples"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return per_request(parse_report(report.stdout), result.rps * window)


def measure(args, granian: str, logdir: Path) -> dict[tuple[str, str], list[dict[str, float]]]:
    split: dict[tuple[str, str], list[dict[str, float]]] = {}
    for rnd in range(args.rounds):
        for heaven, bare in PAIRS:
            pair = (heaven, bare) if rnd % 2 == 0 else (bare, heaven)
            for name in pair:
                contender = run.CONTENDERS[name]
                with run.Server(name, granian, args.server_cpu, logdir, contender.target(run.MAIN), contender.interface) as server:
                    for endpoint in args.endpoints:
                        url = f"http://{run.HOST}:{server.port}{run.ENDPOINTS[endpoint].path}"
                        if args.warmup:
                            run.run_wrk(run.wrk_cmd(args.client_cpu, args.threads, args.connections, args.warmup, url), args.warmup)
                        figures = sample(server, url, args, logdir / f"{name}-{endpoint}.data")
                        split.setdefault((name, endpoint), []).append(figures)
                        print(
                            f"round {rnd + 1}/{args.rounds}  {name:12} {endpoint:10} "
                            + "  ".join(f"{k} {figures[k]:.2f}" for k in COLUMNS),
                            flush=True,
                        )
    return split


def report(split: dict[tuple[str, str], list[dict[str, float]]], endpoints) -> str:
    """Per endpoint and interface: the bare app's µs a request by part, and
    heaven's more (median of the rounds' differences, with min – max)."""
    head = "| endpoint | contenders | " + " | ".join(COLUMNS) + " | heaven's code (python + heaven + msgspec) |"
    rows = [head, "|---|---|" + "---:|" * (len(COLUMNS) + 1)]
    for endpoint in endpoints:
        for heaven, bare in PAIRS:
            if (heaven, endpoint) not in split or (bare, endpoint) not in split:
                continue
            base = split[(bare, endpoint)]
            rows.append(
                f"| {endpoint} | {bare} (µs) | "
                + " | ".join(f"{statistics.median(r[k] for r in base):.2f}" for k in COLUMNS)
                + f" | {statistics.median(sum(r[k] for k in OWN) for r in base):.2f} |"
            )
            cells = []
            for key in COLUMNS + ("own",):
                diffs = [
                    (sum(h[k] for k in OWN) - sum(b[k] for k in OWN)) if key == "own" else h[key] - b[key]
                    for h, b in zip(split[(heaven, endpoint)], base)
                ]
                cells.append(f"{statistics.median(diffs):+.2f} ({min(diffs):+.2f} – {max(diffs):+.2f})")
            rows.append(f"| {endpoint} | {heaven} − {bare} (µs) | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> int:
    parser = run.load_options(__doc__, {})
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help=f"comma-separated (default {','.join(ENDPOINTS)})")
    args = run.parse_load_options(parser)
    args.endpoints = [e for e in args.endpoints.split(",") if e]
    unknown = [e for e in args.endpoints if e not in ENDPOINTS]
    if unknown:
        raise SystemExit(f"unknown endpoint(s): {', '.join(unknown)} (known: {', '.join(ENDPOINTS)})")
    granian = run.find_tools()
    if shutil.which("perf") is None:
        raise SystemExit("missing: perf (Debian's linux-perf: `apt-get install linux-perf`)")
    logdir = Path(tempfile.mkdtemp(prefix="heaven-cpu-split-"))  # removed by `guarded`
    split: dict[tuple[str, str], list[dict[str, float]]] = {}
    failed = run.guarded(lambda: split.update(measure(args, granian, logdir)), logdir)
    if failed is not None:
        return failed
    table = report(split, args.endpoints)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
