#!/usr/bin/env python3
"""Long-lived connections: a websocket echo over 64 connections and an SSE
fan-out to 200 clients, heaven (ASGI and RSGI) against raw ASGI/RSGI floors,
Starlette, FastAPI, Litestar and BlackSheep, every one under the same
granian. See benches/http/README.md ("Long-lived connections: live.py").

    .venv/bin/python benches/http/live.py                                # 5 rounds x 2 scenarios x (2 + 6) s (~12 min)
    .venv/bin/python benches/http/live.py --rounds 1 --duration 2        # smoke run (~2 min)
    .venv/bin/python benches/http/live.py --check                        # answers and a 1 s load per scenario, no table
    .venv/bin/python benches/http/live.py --only heaven,heaven_rsgi,bare --scenarios sse_fanout

wrk cannot drive either scenario: the load comes from benches/http/loadgen
(Rust, tokio, one thread), built with cargo into target/loadgen on first
use. It is pinned to its own CPU and reports its CPU time over the measured
window next to the server worker's, so the table shows which side was busy.
Uses run.py's servers, pinning and reporting helpers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import procs  # noqa: E402  (benches/http/procs.py)
import run  # noqa: E402  (benches/http/run.py: Server, CPU pinning, environment, helpers)
from run import BenchError, Contender  # noqa: E402

LOADGEN_DIR = HERE / "loadgen"
LOADGEN_TARGET = run.REPO / "target" / "loadgen"
LOADGEN = LOADGEN_TARGET / "release" / "heaven-loadgen"


@dataclass(frozen=True)
class Scenario:
    mode: str  # the load generator's mode
    path: str
    connections: int
    unit: str
    label: str


SCENARIOS = {
    "ws_echo": Scenario(
        "ws", "/ws", 64, "messages/s",
        "64 websockets, each sending a small text message and waiting for its echo, in a loop (round trips/s)",
    ),
    "sse_fanout": Scenario(
        "sse", "/events", 200, "events/s",
        "200 SSE clients of one publisher paced by the slowest (apps/fanout.py); events received/s, summed over the clients",
    ),
}  # fmt: skip

_SSE_STARLETTE = "no SSE response of its own: `StreamingResponse(media_type='text/event-stream')`, events framed by hand"
CONTENDERS: dict[str, Contender] = {
    "heaven": Contender("live_heaven", needs=("heaven",)),
    "heaven_rsgi": Contender("live_heaven", "rsgi", needs=("heaven",)),
    "bare": Contender(
        "live_bare",
        needs=("msgspec",),
        notes={"sse_fanout": "raw ASGI: events framed by hand, msgspec JSON, a task waiting for `http.disconnect`"},
    ),
    "bare_rsgi": Contender(
        "live_bare_rsgi",
        "rsgi",
        needs=("msgspec",),
        notes={"sse_fanout": "raw RSGI: `response_stream`, events framed by hand, msgspec JSON"},
    ),
    "starlette": Contender("live_starlette", needs=("starlette",), notes={"sse_fanout": _SSE_STARLETTE}),
    "fastapi": Contender(
        "live_fastapi",
        needs=("fastapi",),
        notes={
            "sse_fanout": "`response_class=EventSourceResponse` (fastapi.sse): FastAPI runs the generator in a producer "
            "task feeding a memory stream and a keep-alive task, and JSON-encodes each event with `jsonable_encoder`"
        },
    ),
    "litestar": Contender(
        "live_litestar",
        needs=("litestar",),
        notes={
            "ws_echo": "`websocket_listener` (Litestar's high-level handler: what the handler returns is sent back)",
            "sse_fanout": "`ServerSentEvent` over a generator yielding `encode_json(event)`: Litestar reads a yielded "
            "dict as the event's fields, not as JSON data",
        },
    ),
    "blacksheep": Contender("live_blacksheep", needs=("blacksheep",)),
}
FLOORS = ("bare", "bare_rsgi")
HEAVENS = ("heaven", "heaven_rsgi")
PEERS = ("starlette", "fastapi", "litestar", "blacksheep")


# -- the load generator ------------------------------------------------------------


def build_loadgen() -> Path:
    """cargo build (a no-op when up to date); without cargo, an existing binary."""
    cargo = shutil.which("cargo")
    if cargo is None:
        if LOADGEN.is_file():
            return LOADGEN
        raise SystemExit("the load generator is not built and cargo is missing (https://rustup.rs)")
    cmd = [cargo, "build", "--release", "--quiet", "--manifest-path", str(LOADGEN_DIR / "Cargo.toml"),
           "--target-dir", str(LOADGEN_TARGET)]  # fmt: skip
    if not LOADGEN.is_file():
        print("building the load generator (benches/http/loadgen, once) ...", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} failed:\n{proc.stderr}")
    return LOADGEN


def loadgen_cmd(cpu: int, sc: Scenario, port: int | str, warmup: float, duration: float) -> list[str]:
    scheme = "ws" if sc.mode == "ws" else "http"
    return [
        "taskset", "-c", str(cpu), str(LOADGEN), sc.mode, "--url", f"{scheme}://{run.HOST}:{port}{sc.path}",
        "--connections", str(sc.connections), "--warmup", f"{warmup:g}", "--duration", f"{duration:g}",
    ]  # fmt: skip


@dataclass
class LiveRun:
    rate: float
    count: int
    seconds: float
    client_cpu: float  # share of one CPU over the measured window
    server_cpu: float
    p50_us: int = 0
    p99_us: int = 0
    per_client: tuple[int, int] = (0, 0)  # SSE: fewest and most events one client got
    head: list[str] = field(default_factory=list)


def load(cmd: list[str], server: run.Server, seconds: float) -> LiveRun:
    """Run the load generator; sample the server worker's CPU time between
    its `measure` and `done` lines."""
    wpid = procs.worker(server.proc.pid)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks: dict[str, tuple[float, float]] = {}
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.strip()
            lines.append(line)
            if line in ("measure", "done"):
                marks[line] = (time.monotonic(), procs.cpu_seconds(wpid))
        proc.wait(timeout=seconds + 60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read() if proc.stderr else ""
    try:
        out = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise BenchError(f"{shlex.join(cmd)}: no result ({proc.returncode}):\n{chr(10).join(lines)}{stderr}") from None
    if proc.returncode != 0 or out["errors"]:
        samples = "\n  ".join(out.get("error_samples", []))
        raise BenchError(f"{server.name}: {out['errors']} error(s) under load:\n  {samples}\n{server.log_tail(10)}")
    server_cpu = 0.0
    if "measure" in marks and "done" in marks:
        (t0, c0), (t1, c1) = marks["measure"], marks["done"]
        server_cpu = (c1 - c0) / (t1 - t0)
    return LiveRun(
        rate=out["rate"],
        count=out["count"],
        seconds=out["seconds"],
        client_cpu=out["client_cpu_s"] / out["seconds"],
        server_cpu=server_cpu,
        p50_us=out.get("p50_us", 0),
        p99_us=out.get("p99_us", 0),
        per_client=(out.get("per_client_min", 0), out.get("per_client_max", 0)),
        head=out.get("head", []),
    )


# -- checking, independently of the load generator -------------------------------------


def check_ws(port: int) -> None:
    from websockets.sync.client import connect  # a test tool of the project venv

    with connect(f"ws://{run.HOST}:{port}/ws", open_timeout=5, close_timeout=2) as ws:
        for text in ("hello", "héllo ✓ " * 10):
            ws.send(text)
            echo = ws.recv(timeout=5)
            if echo != text:
                raise BenchError(f"/ws: sent {text!r}, got {echo!r}")


def check_sse(port: int, events: int = 3) -> list[str]:
    """The first events of GET /events: status, content type, JSON data with
    consecutive `seq`. Returns the response header names."""
    conn = http.client.HTTPConnection(run.HOST, port, timeout=5)
    try:
        conn.request("GET", "/events", headers={"Accept": "text/event-stream"})
        resp = conn.getresponse()
        ctype = resp.getheader("content-type") or ""
        if resp.status != 200 or not ctype.startswith("text/event-stream"):
            raise BenchError(f"/events: status {resp.status}, content-type {ctype!r}")
        seqs, data = [], []
        while len(seqs) < events:
            line = resp.readline().decode().rstrip("\r\n")
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line and data:
                event = json.loads("\n".join(data))
                if set(event) != {"seq", "topic"} or event["topic"] != "ticks":
                    raise BenchError(f"/events: event {event!r}")
                seqs.append(event["seq"])
                data = []
        if seqs != list(range(seqs[0], seqs[0] + events)):
            raise BenchError(f"/events: sequence {seqs}")
        return sorted(k.lower() for k, _ in resp.getheaders())
    finally:
        conn.close()


# -- report --------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def render(results: dict[tuple[str, str], list[LiveRun]], contenders, scenarios, env, args, commands) -> str:
    med = {k: statistics.median(r.rate for r in v) for k, v in results.items() if v}
    marks, notes = run.footnotes(contenders, CONTENDERS, scenarios)
    out = [
        "## Long-lived connections (live.py)",
        "",
        f"{args.rounds} interleaved round(s) of {args.duration:g} s per contender and scenario (after a "
        f"{args.warmup:g} s warm-up on the same connections); median over rounds. Every contender runs under the "
        f"same granian (one worker, uvloop) pinned to CPU {args.server_cpu}; the load generator "
        f"(benches/http/loadgen, one thread) to CPU {args.client_cpu}. CPU columns: the share of one CPU the "
        "server worker and the load generator used over the measured window; `per server CPU-second` is the rate "
        "divided by the server's share: on a machine where other work takes turns on the server's CPU, the steadier "
        "figure to compare.",
        "",
        "Scenarios:",
        "",
    ]
    out += [f"- `{s}`: {SCENARIOS[s].label}" for s in scenarios]
    for s in scenarios:
        sc = SCENARIOS[s]
        latency = sc.mode == "ws"
        out += [
            "",
            f"### {s}",
            "",
            f"| contender | {sc.unit} | min – max | " + ("p99 latency | " if latency else "per client (fewest – most) | ")
            + "server CPU | per server CPU-second | client CPU | vs bare | vs bare_rsgi |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]  # fmt: skip
        for c in contenders:
            runs = results.get((c, s))
            if not runs:
                continue
            rate = med[(c, s)]
            lo, hi = min(r.rate for r in runs), max(r.rate for r in runs)
            if latency:
                extra = run.fmt_ms(statistics.median(r.p99_us for r in runs) / 1e3)
            else:
                extra = f"{min(r.per_client[0] for r in runs):,} – {max(r.per_client[1] for r in runs):,}"
            scpu = statistics.median(r.server_cpu for r in runs)
            ccpu = statistics.median(r.client_cpu for r in runs)
            vs = f"{rate / med[('bare', s)]:.2f}" if ("bare", s) in med else "–"
            rs = f"{rate / med[('bare_rsgi', s)]:.2f}" if ("bare_rsgi", s) in med and CONTENDERS[c].interface == "rsgi" else "–"
            name = f"{c} {marks[(c, s)]}" if (c, s) in marks else c
            per_cpu = f"{statistics.median(r.rate / r.server_cpu for r in runs if r.server_cpu):,.0f}" if scpu else "–"
            out.append(
                f"| {name} | {rate:,.0f} | {lo:,.0f} – {hi:,.0f} | {extra} | {_pct(scpu)} | {per_cpu} | {_pct(ccpu)} | {vs} | {rs} |"
            )
    if notes:
        out += [""] + [f"{n}  " for n in notes]

    heavens = [h for h in HEAVENS if h in contenders]
    peers = [p for p in PEERS if p in contenders]
    if heavens and peers:
        out += [
            "",
            "heaven's best interface against each peer (median rate ratio; > 1: heaven ahead):",
            "",
            "| scenario | heaven (best) | " + " | ".join(f"vs {p}" for p in peers) + " |",
            "|---|---|" + "---:|" * len(peers),
        ]
        for s in scenarios:
            have = [(med[(h, s)], h) for h in heavens if (h, s) in med]
            if not have:
                continue
            best, who = max(have)
            cells = [f"{best / med[(p, s)]:.2f}" if (p, s) in med else "n/a" for p in peers]
            out.append(f"| {s} | {who} {best:,.0f} | " + " | ".join(cells) + " |")
    out += ["", "Environment:", ""]
    out += [f"- {k}: {v}" for k, v in env.items()]
    out += ["", "Commands (PORT is a free port, TARGET and IFACE the contender's):", "", "```"]
    out += commands
    out += ["```", ""]
    return "\n".join(out)


# -- main ------------------------------------------------------------------------------


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument("--duration", type=float, default=6, help="seconds per measured run (default 6)")
    p.add_argument("--warmup", type=float, default=None, help="seconds of warm-up first (default min(2, duration))")
    p.add_argument("--only", help=f"contenders, comma-separated (default all: {','.join(CONTENDERS)})")
    p.add_argument("--scenarios", help=f"scenarios, comma-separated (default all: {','.join(SCENARIOS)})")
    p.add_argument("--server-cpu", type=int, default=0, help="CPU granian is pinned to (default 0)")
    p.add_argument("--client-cpu", type=int, default=1, help="CPU the load generator is pinned to (default 1)")
    p.add_argument("--markdown", type=Path, help="also write the result tables as markdown to this file")
    p.add_argument("--no-save", action="store_true", help=f"do not write raw results to {run.RESULTS.relative_to(run.REPO)}/")
    p.add_argument("--check", action="store_true", help="check every answer and run each scenario's load for 1 s; no table")
    args = p.parse_args()
    if args.warmup is None:
        args.warmup = min(2.0, args.duration)
    if args.rounds < 1 or args.duration <= 0 or args.warmup < 0:
        raise SystemExit("--rounds and --duration must be positive")
    contenders = run.choose(args.only, CONTENDERS, "contender")
    scenarios = [s for s in SCENARIOS if s in run.choose(args.scenarios, SCENARIOS, "scenario")]
    if args.check:
        args.rounds, args.warmup, args.duration = 1, 0.0, 1.0

    granian = str(Path(sys.executable).parent / "granian")
    if shutil.which(granian) is None:
        granian = shutil.which("granian") or ""
    if not granian or not shutil.which("taskset"):
        raise SystemExit("missing: granian (in the venv) or taskset (util-linux)")
    run.check_contenders(contenders, CONTENDERS)
    loadgen = build_loadgen()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, run._on_signal)
    signal.signal(signal.SIGHUP, run._on_signal)

    env = run.environment(granian)
    del env["wrk"]
    env["load generator"] = f"{loadgen.relative_to(run.REPO)} (benches/http/loadgen: tokio 1.54.1, tokio-tungstenite 0.30.0)"
    for dist in ("starlette", "fastapi", "pydantic", "litestar", "blacksheep", "msgspec", "uvloop"):
        if dist not in env:
            env[dist] = run.dist_version(dist)

    def shown(cmd: list[str]) -> str:
        return shlex.join(cmd).replace(str(run.REPO) + "/", "")

    commands = [shown(run.granian_cmd("granian", "TARGET", 0, args.server_cpu, "IFACE")).replace("--port 0", "--port PORT")]
    commands += [shown(loadgen_cmd(args.client_cpu, SCENARIOS[s], "PORT", args.warmup, args.duration)) for s in scenarios]
    commands += [f"# {c}: IFACE={CONTENDERS[c].interface} TARGET={CONTENDERS[c].target(run.MAIN)}" for c in contenders]
    for k, v in env.items():
        print(f"{k:>15}: {v}")
    print("\n".join(["", "commands:"] + [f"  {c}" for c in commands] + [""]))
    total = args.rounds * len(contenders) * (len(scenarios) * (args.warmup + args.duration + 1.5) + 3) + len(contenders) * 3
    print(f"{len(contenders)} contender(s) x {len(scenarios)} scenario(s) x {args.rounds} round(s): about "
          f"{total / 60:.0f} min (finishes near {(dt.datetime.now() + dt.timedelta(seconds=total)).strftime('%H:%M')})\n",
          flush=True)  # fmt: skip

    results: dict[tuple[str, str], list[LiveRun]] = {(c, s): [] for c in contenders for s in scenarios}
    logdir = Path(tempfile.mkdtemp(prefix="heaven-live-bench-"))
    headers: dict[str, list[str]] = {}

    def serve(c: str) -> run.Server:
        spec = CONTENDERS[c]
        return run.Server(c, granian, args.server_cpu, logdir, spec.target(run.MAIN), spec.interface)

    def verify(srv: run.Server, c: str) -> None:
        try:
            if "ws_echo" in scenarios:
                check_ws(srv.port)
            if "sse_fanout" in scenarios:
                headers[c] = check_sse(srv.port)
        except (OSError, ValueError) as exc:
            raise BenchError(f"{c}: {type(exc).__name__}: {exc}\n{srv.log_tail(10)}") from exc

    try:
        for c in contenders:
            with serve(c) as srv:
                verify(srv, c)
        print(f"preflight ok: {', '.join(contenders)} echo websocket messages and send consecutive SSE events", flush=True)
        if "sse_fanout" in scenarios:
            ref = contenders[0]
            differing = [
                f"{c}: {', '.join(sorted(set(headers[c]) ^ set(headers[ref])))}"
                for c in contenders[1:]
                if headers[c] != headers[ref]
            ]
            if differing:
                print(f"note: SSE response header names differing from {ref}'s: " + "; ".join(differing), flush=True)
        print(flush=True)
        for rnd in range(args.rounds):
            shift = rnd % len(contenders)
            for c in contenders[shift:] + contenders[:shift]:
                with serve(c) as srv:
                    verify(srv, c)
                    for s in scenarios:
                        sc = SCENARIOS[s]
                        result = load(loadgen_cmd(args.client_cpu, sc, srv.port, args.warmup, args.duration), srv,
                                      args.warmup + args.duration)  # fmt: skip
                        results[(c, s)].append(result)
                        extra = (
                            f"p99 {run.fmt_ms(result.p99_us / 1e3):>9}"
                            if sc.mode == "ws"
                            else (f"per client {result.per_client[0]:,}-{result.per_client[1]:,}")
                        )
                        print(f"round {rnd + 1}/{args.rounds}  {c:<12} {s:<11} {result.rate:>10,.0f} {sc.unit:<10} "
                              f"{extra}  server CPU {_pct(result.server_cpu)}  client CPU {_pct(result.client_cpu)}",
                              flush=True)  # fmt: skip
    except (BenchError, KeyboardInterrupt) as exc:
        return run.failed(exc)
    finally:
        run.stop_all()
        shutil.rmtree(logdir, ignore_errors=True)
    if args.check:
        print("check ok: every contender held the load of every scenario for 1 s without an error")
        return 0

    report = render(results, contenders, scenarios, env, args, commands)
    runs = [
        {"contender": c, "scenario": s, "round": i + 1, **vars(r)} for (c, s), runs in results.items() for i, r in enumerate(runs)
    ]
    run.publish(report, args, env, commands, runs, prefix="live-")
    return 0


if __name__ == "__main__":
    sys.exit(main())  # main() stops every server it started, whatever happens
