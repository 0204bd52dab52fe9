#!/usr/bin/env python3
"""What middleware costs heaven: one AROUND hook, and compression, each
against the same answer without it, over ASGI and RSGI. Uses run.py's
server, wrk and parsing; see benches/http/README.md ("Middleware").

    .venv/bin/python benches/http/middleware.py                          # 5 rounds x (2 + 6) s (~10 min)
    .venv/bin/python benches/http/middleware.py --rounds 1 --duration 1 --warmup 1   # smoke run
    .venv/bin/python benches/http/middleware.py --check                  # answers only, no load
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import shutil
import signal
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (benches/http/run.py: Server, wrk, parsing)

TARGET = "heaven_middleware_app:app"
INTERFACES = {"heaven": "asgi", "heaven_rsgi": "rsgi"}
GZIP = (("Accept-Encoding", "gzip"),)


@dataclass(frozen=True)
class Scenario:
    path: str
    baseline: str | None  # the scenario it is compared with
    headers: tuple[tuple[str, str], ...] = ()
    encoded: bool = False  # the answer must come gzipped
    label: str = ""


SCENARIOS = {
    "plaintext": Scenario("/plaintext", None, label="GET /plaintext, no middleware"),
    "around": Scenario("/around/plaintext", "plaintext", label="the same behind one async AROUND hook"),
    "around_sync": Scenario("/around-sync/plaintext", "plaintext", label="the same behind one sync AROUND hook"),
    "report": Scenario("/report", None, label="GET /report, a 2 KB JSON body, no middleware"),
    "gzip": Scenario("/gzip/report", "report", GZIP, True, label="the same under Compression(), gzip accepted"),
    "gzip_refused": Scenario("/gzip/report", "report", label="the same under Compression(), no Accept-Encoding"),
    "gzip_small": Scenario("/gzip/plaintext", "plaintext", GZIP, label="GET /plaintext under Compression(): below the minimum"),
}


def verify(port: int) -> None:
    """Every scenario answers 200 with the expected body and encoding."""
    from heaven_middleware_app import REPORT  # apps/, on sys.path through run.py

    want = {"/plaintext": b"Hello, World!", "/report": json.dumps(REPORT, separators=(",", ":")).encode()}
    for name, sc in SCENARIOS.items():
        conn = http.client.HTTPConnection(run.HOST, port, timeout=5)
        try:
            conn.request("GET", sc.path, headers=dict(sc.headers))
            resp = conn.getresponse()
            body = resp.read()
            encoding = resp.getheader("content-encoding")
        finally:
            conn.close()
        if resp.status != 200:
            raise run.BenchError(f"{name}: GET {sc.path}: status {resp.status}")
        if sc.encoded != (encoding == "gzip"):
            raise run.BenchError(f"{name}: GET {sc.path}: content-encoding {encoding!r}")
        plain = gzip.decompress(body) if sc.encoded else body
        expected = want["/report" if sc.path.endswith("report") else "/plaintext"]
        if plain != expected:
            raise run.BenchError(f"{name}: GET {sc.path}: body {plain[:100]!r}")


def wrk(args: argparse.Namespace, seconds: float, url: str, headers: tuple[tuple[str, str], ...]) -> list[str]:
    cmd = run.wrk_cmd(args.client_cpu, args.threads, args.connections, seconds, url)
    extra = [part for name, value in headers for part in ("-H", f"{name}: {value}")]
    return cmd[:-1] + extra + cmd[-1:]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--duration", type=int, default=6)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--server-cpu", type=int, default=0)
    p.add_argument("--client-cpu", type=int, default=1)
    p.add_argument("--only", help="heaven, heaven_rsgi (default both)")
    p.add_argument("--check", action="store_true", help="start each server and check the answers; no load")
    args = p.parse_args()
    contenders = run.choose(args.only, INTERFACES, "contender")
    granian = str(Path(sys.executable).parent / "granian")
    if shutil.which(granian) is None:
        granian = shutil.which("granian") or ""
    needed = [("granian", granian), ("taskset", shutil.which("taskset"))]
    if not args.check:
        needed.append(("wrk", shutil.which("wrk")))
    missing = [name for name, path in needed if not path]
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)} (wrk: `apt-get install wrk`)")
    signal.signal(signal.SIGTERM, run._on_signal)
    logdir = Path(tempfile.mkdtemp(prefix="heaven-middleware-bench-"))
    results: dict[tuple[str, str], list[run.Run]] = {(c, s): [] for c in contenders for s in SCENARIOS}

    def serve(c: str) -> run.Server:
        return run.Server(c, granian, args.server_cpu, logdir, TARGET, INTERFACES[c])

    try:
        for c in contenders:
            with serve(c) as srv:
                verify(srv.port)
        print(f"preflight ok: {', '.join(contenders)} x {len(SCENARIOS)} scenario(s)", flush=True)
        if args.check:
            return 0
        for r in range(args.rounds):
            for c in contenders[r % len(contenders):] + contenders[: r % len(contenders)]:
                with serve(c) as srv:
                    for name, sc in SCENARIOS.items():
                        url = f"http://{run.HOST}:{srv.port}{sc.path}"
                        run.run_wrk(wrk(args, args.warmup, url, sc.headers), args.warmup)
                        results[(c, name)].append(run.run_wrk(wrk(args, args.duration, url, sc.headers), args.duration))
            print(f"round {r + 1}/{args.rounds} done", flush=True)
    finally:
        run.stop_all()
    print(render(results, contenders))
    return 0


def render(results: dict[tuple[str, str], list[run.Run]], contenders: list[str]) -> str:
    out = ["| contender | scenario | req/s (median) | p99 | vs baseline |", "|---|---|---:|---:|---:|"]
    for c in contenders:
        medians = {s: statistics.median(r.rps for r in results[(c, s)]) for s in SCENARIOS}
        for name, sc in SCENARIOS.items():
            p99 = statistics.median(r.p99_ms for r in results[(c, name)])
            ratio = f"{medians[name] / medians[sc.baseline]:.3f} of `{sc.baseline}`" if sc.baseline else "baseline"
            out.append(f"| {c} | `{name}`: {sc.label} | {medians[name]:,.0f} | {run.fmt_ms(p99)} | {ratio} |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
