#!/usr/bin/env python3
"""HTTP benchmark: heaven against a raw ASGI floor and Starlette, all served by
granian and loaded by wrk. See benches/http/README.md.

    .venv/bin/python benches/http/run.py                      # full: 5 rounds x 10 s
    .venv/bin/python benches/http/run.py --rounds 1 --duration 2   # smoke run
    .venv/bin/python benches/http/run.py --only heaven,bare --endpoints params

Every contender serves the same three endpoints with the same body and the
same headers (checked before anything is measured). The server is pinned to
one CPU and wrk to another; rounds are interleaved (every contender and
endpoint once per round, the contender order rotating) and the median over
rounds is reported. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
APPS = HERE / "apps"
REPO = HERE.parents[1]
RESULTS = HERE / "results"

# name -> granian target (a module in apps/)
CONTENDERS = {
    "heaven": "heaven_app:app",
    "heaven_rsgi": "heaven_app:app",
    "heaven_100": "heaven_100:app",
    "bare": "bare_app:app",
    "bare_rsgi": "bare_rsgi_app:app",
    "starlette": "starlette_app:app",
    "starlette_100": "starlette_100:app",
}
# Contenders served over RSGI (granian --interface rsgi); the rest are ASGI.
RSGI = {"heaven_rsgi", "bare_rsgi"}


@dataclass(frozen=True)
class Endpoint:
    path: str
    content_type: bytes
    body: bytes
    # A request every contender must refuse with 404 (typed matching is real).
    refused: str | None = None


ENDPOINTS = {
    "plaintext": Endpoint("/plaintext", b"text/plain; charset=utf-8", b"Hello, World!"),
    "json": Endpoint("/json", b"application/json", b'{"message":"Hello, World!"}'),
    "params": Endpoint(
        "/users/42/posts/7", b"application/json", b'{"user":42,"post":7}', refused="/users/x42/posts/7"
    ),
}

HOST = "127.0.0.1"


class BenchError(RuntimeError):
    pass


# -- processes ----------------------------------------------------------------

_live: list[Server] = []


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """One granian process group (main process + worker), pinned to a CPU."""

    def __init__(self, name: str, granian: str, cpu: int, logdir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.cmd = granian_cmd(granian, CONTENDERS[name], self.port, cpu, "rsgi" if name in RSGI else "asgi")
        self.log_path = logdir / f"{name}-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        log = open(self.log_path, "wb")
        # Own session: Ctrl-C in the terminal does not reach it, we stop it.
        self.proc = subprocess.Popen(
            self.cmd, cwd=APPS, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        _live.append(self)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name}: granian exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                status, _, _ = fetch(self.port, "/plaintext", timeout=1.0)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"{self.name}: no answer on port {self.port} after {timeout:.0f} s\n{self.log_tail()}")

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        self.proc = None
        if self in _live:
            _live.remove(self)
        pgid = proc.pid  # start_new_session: the group is ours alone
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            # The main process is gone; make sure no worker outlived it.
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break


def stop_all() -> None:
    for server in list(_live):
        server.stop()


def granian_cmd(granian: str, target: str, port: int, cpu: int, interface: str = "asgi") -> list[str]:
    return [
        "taskset", "-c", str(cpu),
        granian, "--interface", interface, "--loop", "uvloop", "--workers", "1",
        "--host", HOST, "--port", str(port), "--working-dir", str(APPS), target,
    ]  # fmt: skip


def wrk_cmd(cpu: int, threads: int, connections: int, seconds: float, url: str) -> list[str]:
    return [
        "taskset", "-c", str(cpu), "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", url,
    ]  # fmt: skip


# -- checking -------------------------------------------------------------------


def fetch(port: int, path: str, timeout: float = 5.0) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def verify(server: Server, endpoints: list[str]) -> dict[str, list[str]]:
    """Check every endpoint's status, body and headers; return the header
    names per endpoint (compared across contenders by the caller)."""
    names: dict[str, list[str]] = {}
    for ep_name in endpoints:
        ep = ENDPOINTS[ep_name]
        status, headers, body = fetch(server.port, ep.path)
        where = f"{server.name} GET {ep.path}"
        if status != 200:
            raise BenchError(f"{where}: status {status}, body {body[:200]!r}")
        if body != ep.body:
            raise BenchError(f"{where}: body {body!r}, expected {ep.body!r}")
        lower = {k.lower(): v for k, v in headers}
        if lower.get("content-type", "").encode() != ep.content_type:
            got = lower.get("content-type")
            raise BenchError(f"{where}: content-type {got!r}, expected {ep.content_type.decode()!r}")
        if lower.get("content-length") != str(len(ep.body)):
            raise BenchError(f"{where}: content-length {lower.get('content-length')!r}, expected {len(ep.body)}")
        names[ep_name] = sorted(lower)
        if ep.refused:
            status, _, body = fetch(server.port, ep.refused)
            if status != 404:
                raise BenchError(f"{server.name} GET {ep.refused}: status {status}, expected 404 ({body[:100]!r})")
    return names


# -- wrk -----------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


@dataclass
class Run:
    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    socket_errors: dict[str, int] = field(default_factory=dict)


def parse_wrk(out: str) -> Run:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    total = re.search(r"^\s*(\d+) requests in ", out, re.M)
    pct = {p: _ms(v, u) for p, v, u in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.M)}
    if not rps or not total or "99" not in pct:
        raise BenchError(f"cannot parse wrk output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise BenchError(f"wrk saw {non2xx.group(1)} non-2xx/3xx responses:\n{out}")
    errors = {}
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors = dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups())))
    return Run(float(rps.group(1)), int(total.group(1)), pct["50"], pct["99"], errors)


def run_wrk(cmd: list[str], seconds: float) -> Run:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if proc.returncode != 0:
        raise BenchError(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return parse_wrk(proc.stdout)


# -- environment ---------------------------------------------------------------


def version_of(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    text = (proc.stdout or proc.stderr).strip().splitlines()
    return text[0].strip() if text else "unknown"


def dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(granian: str) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = version_of(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    if dirty.returncode == 0 and dirty.stdout.strip():
        commit += " (with uncommitted changes)"
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu} ({os.cpu_count()} logical CPUs)",
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "granian": version_of([granian, "--version"]),
        "wrk": version_of(["wrk", "-v"]),
        "heaven": f"{dist_version('heaven')} at {commit}",
        "starlette": dist_version("starlette"),
        "uvloop": dist_version("uvloop"),
        "msgspec": dist_version("msgspec"),
    }


# -- report --------------------------------------------------------------------


def fmt_ms(ms: float) -> str:
    return f"{ms * 1e3:.0f} µs" if ms < 1 else f"{ms:.2f} ms"


def render(results, contenders, endpoints, env, args, commands) -> str:
    med = {
        key: (statistics.median(r.rps for r in runs), statistics.median(r.p99_ms for r in runs))
        for key, runs in results.items()
        if runs
    }
    out = [
        "## HTTP benchmark",
        "",
        f"{args.rounds} interleaved round(s) of {args.duration:g} s per contender and endpoint "
        f"(after a {args.warmup:g} s warm-up), wrk with {args.threads} thread(s) and "
        f"{args.connections} connections; median over rounds.",
        "",
        "| endpoint | contender | req/s | min – max | p99 latency | vs bare |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for ep in endpoints:
        base = med.get(("bare", ep))
        for c in contenders:
            if (c, ep) not in med:
                continue
            rps, p99 = med[(c, ep)]
            runs = results[(c, ep)]
            lo, hi = min(r.rps for r in runs), max(r.rps for r in runs)
            vs = f"{rps / base[0]:.2f}" if base else "–"
            out.append(f"| {ep} | {c} | {rps:,.0f} | {lo:,.0f} – {hi:,.0f} | {fmt_ms(p99)} | {vs} |")
    pairs = [
        (a, b)
        for a, b in (
            ("heaven", "starlette"),
            ("heaven_100", "starlette_100"),
            ("heaven_100", "heaven"),
            ("starlette_100", "starlette"),
        )
        if a in contenders and b in contenders
    ]
    if pairs:
        out += [
            "",
            "Throughput ratios (median req/s):",
            "",
            "| endpoint | " + " | ".join(f"{a} / {b}" for a, b in pairs) + " |",
            "|---|" + "---:|" * len(pairs),
        ]
        for ep in endpoints:
            cells = [
                f"{med[(a, ep)][0] / med[(b, ep)][0]:.2f}" if (a, ep) in med and (b, ep) in med else "–"
                for a, b in pairs
            ]
            out.append(f"| {ep} | " + " | ".join(cells) + " |")
    errors = {
        f"{c} {ep}": sum(sum(r.socket_errors.values()) for r in runs)
        for (c, ep), runs in results.items()
        if any(r.socket_errors for r in runs)
    }
    if errors:
        out += ["", "wrk socket errors: " + ", ".join(f"{k}: {v}" for k, v in errors.items())]
    out += ["", "Environment:", ""]
    out += [f"- {k}: {v}" for k, v in env.items()]
    out += ["", "Commands (PORT is a free port, TARGET the contender's module in benches/http/apps/):", "", "```"]
    out += commands
    out += ["```", ""]
    return "\n".join(out)


# -- main ----------------------------------------------------------------------


def choose(value: str | None, known: dict, what: str) -> list[str]:
    if not value:
        return list(known)
    picked = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in picked if v not in known]
    if unknown or not picked:
        raise SystemExit(f"unknown {what}: {', '.join(unknown) or value!r}; choose from {', '.join(known)}")
    return picked


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument("--duration", type=float, default=10, help="seconds per measured wrk run (default 10)")
    p.add_argument(
        "--warmup", type=float, default=None, help="seconds of warm-up before each measured run (default min(3, duration))"
    )
    p.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    p.add_argument("--only", help=f"contenders, comma-separated (default all: {','.join(CONTENDERS)})")
    p.add_argument("--endpoints", help=f"endpoints, comma-separated (default all: {','.join(ENDPOINTS)})")
    p.add_argument("--server-cpu", type=int, default=0, help="CPU granian is pinned to (default 0)")
    p.add_argument("--client-cpu", type=int, default=1, help="CPU wrk is pinned to (default 1)")
    p.add_argument("--markdown", type=Path, help="also write the result table as markdown to this file")
    p.add_argument("--no-save", action="store_true", help=f"do not write raw results to {RESULTS.relative_to(REPO)}/")
    args = p.parse_args()
    if args.warmup is None:
        args.warmup = min(3.0, args.duration)
    if args.rounds < 1 or args.duration <= 0 or args.warmup < 0 or args.connections < 1 or args.threads < 1:
        raise SystemExit("--rounds, --duration, --connections and --threads must be positive")
    contenders = choose(args.only, CONTENDERS, "contender")
    endpoints = choose(args.endpoints, ENDPOINTS, "endpoint")

    granian = str(Path(sys.executable).parent / "granian")
    if not os.access(granian, os.X_OK):
        granian = shutil.which("granian") or ""
    tools = (("granian", granian), ("wrk", shutil.which("wrk")), ("taskset", shutil.which("taskset")))
    missing = [name for name, path in tools if not path]
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)} (wrk: `apt-get install wrk`; granian: in the venv)")
    cpus = os.sched_getaffinity(0)
    for flag, cpu in (("--server-cpu", args.server_cpu), ("--client-cpu", args.client_cpu)):
        if cpu not in cpus:
            raise SystemExit(f"{flag} {cpu}: not an available CPU ({sorted(cpus)})")
    if args.server_cpu == args.client_cpu:
        print("warning: server and wrk share a CPU; numbers will be lower and noisier", file=sys.stderr)

    # Ctrl-C raises KeyboardInterrupt even when started with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    env = environment(granian)
    def wrk_for(seconds: float, url: str) -> list[str]:
        return wrk_cmd(args.client_cpu, args.threads, args.connections, seconds, url)

    server_line = shlex.join(granian_cmd(Path(granian).name, "TARGET", 0, args.server_cpu))
    commands = [
        server_line.replace("--port 0", "--port PORT").replace(str(APPS), "benches/http/apps"),
        shlex.join(wrk_for(args.warmup, f"http://{HOST}:PORT/PATH")) + "   # warm-up",
        shlex.join(wrk_for(args.duration, f"http://{HOST}:PORT/PATH")) + "   # measured",
    ]
    commands += [f"# {c}: TARGET={CONTENDERS[c]}" for c in contenders]
    commands += [f"# {e}: PATH={ENDPOINTS[e].path}" for e in endpoints]
    for k, v in env.items():
        print(f"{k:>10}: {v}")
    print("\n".join(["", "commands:"] + [f"  {c}" for c in commands] + [""]))
    per_round = len(contenders) * len(endpoints) * (args.duration + args.warmup)
    print(f"about {per_round * args.rounds / 60:.1f} min of load ({args.rounds} rounds)\n", flush=True)

    results: dict[tuple[str, str], list[Run]] = {(c, e): [] for c in contenders for e in endpoints}
    logdir = Path(tempfile.mkdtemp(prefix="heaven-http-bench-"))
    try:
        # Preflight: every contender answers every endpoint identically.
        header_names: dict[str, dict[str, list[str]]] = {}
        for c in contenders:
            with Server(c, granian, args.server_cpu, logdir) as srv:
                header_names[c] = verify(srv, endpoints)
        reference = contenders[0]
        for c in contenders[1:]:
            for ep in endpoints:
                if header_names[c][ep] != header_names[reference][ep]:
                    mine, theirs = header_names[c][ep], header_names[reference][ep]
                    raise BenchError(f"{ep}: {c} sends headers {mine}, {reference} sends {theirs}")
        print(f"preflight ok: {len(contenders)} contender(s) x {len(endpoints)} endpoint(s) answer identically "
              f"(headers: {', '.join(header_names[reference][endpoints[0]])})\n", flush=True)

        for rnd in range(args.rounds):
            shift = rnd % len(contenders)
            for c in contenders[shift:] + contenders[:shift]:
                with Server(c, granian, args.server_cpu, logdir) as srv:
                    verify(srv, endpoints)
                    for ep in endpoints:
                        url = f"http://{HOST}:{srv.port}{ENDPOINTS[ep].path}"
                        if args.warmup > 0:
                            run_wrk(wrk_for(args.warmup, url), args.warmup)
                        run = run_wrk(wrk_for(args.duration, url), args.duration)
                        results[(c, ep)].append(run)
                        errs = f"  socket errors {run.socket_errors}" if any(run.socket_errors.values()) else ""
                        print(f"round {rnd + 1}/{args.rounds}  {c:<14} {ep:<10} {run.rps:>10,.0f} req/s"
                              f"  p50 {fmt_ms(run.p50_ms):>9}  p99 {fmt_ms(run.p99_ms):>9}{errs}", flush=True)
    except BenchError as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        stop_all()
        shutil.rmtree(logdir, ignore_errors=True)

    for k in results:
        for r in results[k]:
            if any(r.socket_errors.values()):
                print(f"warning: wrk socket errors for {k}: {r.socket_errors}", file=sys.stderr)
    report = render(results, contenders, endpoints, env, args, commands)
    print()
    print(report)
    if args.markdown:
        args.markdown.write_text(report)
        print(f"wrote {args.markdown}")
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        raw = RESULTS / f"{stamp}.json"
        raw.write_text(
            json.dumps(
                {
                    "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                    "environment": env,
                    "commands": commands,
                    "runs": [
                        {"contender": c, "endpoint": e, "round": i + 1, **vars(r)}
                        for (c, e), runs in results.items()
                        for i, r in enumerate(runs)
                    ],
                },
                indent=2,
            )
        )
        print(f"raw results: {raw.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
