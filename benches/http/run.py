#!/usr/bin/env python3
"""HTTP benchmark: heaven (ASGI and RSGI) against raw ASGI/RSGI floors,
Starlette, FastAPI, Litestar, BlackSheep and the original pure-Python Heaven
2.4.3, every one serving the same six endpoints under the same granian and
loaded by wrk. See benches/http/README.md.

    .venv/bin/python benches/http/run.py                               # full: 5 rounds x 6 s (~40 min)
    .venv/bin/python benches/http/run.py --rounds 1 --duration 2       # smoke run (~5 min)
    .venv/bin/python benches/http/run.py --only heaven,bare --endpoints params,params_1000
    .venv/bin/python benches/http/run.py --markdown /tmp/http-bench.md
    .venv/bin/python benches/http/run.py --against /tmp/before --only heaven,heaven_rsgi   # before/after

Needs the peers: `bash benches/http/setup_peers.sh` (Litestar and BlackSheep
into .venv, the original Heaven 2.4.3 into its own venv).

Every contender answers every endpoint with the same status, body and
content-type (checked before anything is measured, along with the 404 for a
non-integer id, the hooks' five headers and the refusal of broken bodies).
The server is pinned to one CPU and wrk to another; rounds are interleaved
(every contender and endpoint once per round, the contender order rotating;
each heaven contender served side by side with the bare app of its
interface, the two measured back to back on each endpoint)
and the median over rounds is reported, with heaven's ratio to its bare app
also taken round by round. Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
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
from dataclasses import dataclass, field, replace
from importlib import metadata, util
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
APPS = HERE / "apps"
REPO = HERE.parents[1]
RESULTS = HERE / "results"
LUA = HERE / "post.lua"
BODY_FILE = HERE / "validate_body.json"
HEAVEN243_VENV = HERE / ".venv-heaven243"
HOST = "127.0.0.1"
# apps/ holds the table of extra routes and the contract the preflight reads.
if str(APPS) not in sys.path:
    sys.path.append(str(APPS))

MAIN = "main"  # the app serving plaintext, json, params, hooks, validate
T1000 = "1000"  # the app with 1,000 routes registered before the params route
APP_ATTR = {MAIN: "app", T1000: "app_1000"}


@dataclass(frozen=True)
class Contender:
    module: str  # in apps/
    interface: str = "asgi"
    venv: Path | None = None  # None: the interpreter running this script
    needs: tuple[str, ...] = ()  # importable modules, checked up front
    # Statuses that count as refusing a body that does not validate.
    refuses: tuple[int, ...] = (422,)
    # endpoint -> a difference from the others, printed under the table
    notes: dict[str, str] = field(default_factory=dict)
    # Whether its `app_1000` really holds the 1,000 routes (the bare apps have no table).
    table: bool = True
    # Put first on the server's PYTHONPATH (an earlier copy of heaven, for --against).
    pythonpath: Path | None = None

    def target(self, app: str) -> str:
        return f"{self.module}:{APP_ATTR[app]}"

    def granian(self, default: str) -> str:
        return str(self.venv / "bin" / "granian") if self.venv else default


CONTENDERS: dict[str, Contender] = {
    "heaven": Contender("heaven_app", needs=("heaven", "msgspec")),
    "heaven_rsgi": Contender("heaven_app", "rsgi", needs=("heaven", "msgspec")),
    "bare": Contender(
        "bare_app",
        needs=("msgspec",),
        notes={"params_1000": "no route table: the same hand-matched app as `params` (a control run)"},
        table=False,
    ),
    "bare_rsgi": Contender(
        "bare_rsgi_app",
        "rsgi",
        needs=("msgspec",),
        notes={"params_1000": "no route table: the same hand-matched app as `params` (a control run)"},
        table=False,
    ),
    "starlette": Contender(
        "starlette_app",
        needs=("starlette", "msgspec"),
        notes={"validate": "Starlette has no body validation: msgspec `Decoder(Order)` by hand, as `bare`"},
    ),
    "fastapi": Contender("fastapi_bench_app", needs=("fastapi", "pydantic")),
    "litestar": Contender(
        "litestar_app",
        needs=("litestar", "msgspec"),
        refuses=(400,),
        notes={"validate": "refuses an invalid body with 400 (Litestar's default), not 422"},
    ),
    "blacksheep": Contender(
        "blacksheep_app",
        needs=("blacksheep", "pydantic"),
        refuses=(400,),
        notes={
            "validate": "refuses an invalid body with 400 (BlackSheep's default), not 422",
            "params_1000": "BlackSheep caches route matches per (method, path) (LRU, 1,200 entries): "
            "one URL requested over and over never pays its route scan",
        },
    ),
    "heaven_243": Contender(
        "heaven243_app",
        venv=HEAVEN243_VENV,
        notes={
            "validate": "2.4.3's `app.schema` validates with pytastic (TypedDicts, same constraints; "
            "`created_at` checked by heaven's date-time pattern, no datetime object built)",
        },
    ),
}


def load_body() -> bytes:
    # post.lua drops trailing whitespace the same way: these are the bytes wrk sends.
    return BODY_FILE.read_bytes().rstrip()


def broken_bodies(body: bytes) -> list[tuple[str, bytes]]:
    """Bodies every contract must refuse (422, or 400 where that is the framework's way)."""
    cases = []

    def variant(label, change):
        order = json.loads(body)
        change(order)
        cases.append((label, json.dumps(order, separators=(",", ":")).encode()))

    variant("items[3].quantity = 0", lambda o: o["items"][3].__setitem__("quantity", 0))
    variant("unknown top-level field", lambda o: o.__setitem__("coupon", "SPRING24"))
    variant("unknown field in items[0]", lambda o: o["items"][0].__setitem__("gift", True))
    variant("customer.email without @", lambda o: o["customer"].__setitem__("email", "ada.example.com"))
    variant("created_at not a date-time", lambda o: o.__setitem__("created_at", "yesterday"))
    return cases


@dataclass(frozen=True)
class Endpoint:
    path: str
    content_type: str
    body: bytes
    app: str = MAIN
    method: str = "GET"
    request_body: bytes | None = None
    # A GET every contender must answer with 404 (typed matching is real).
    refused: str | None = None
    # Headers the response must carry (the AFTER hooks').
    headers: tuple[tuple[str, str], ...] = ()
    # Bodies every contender must refuse (validate).
    broken: tuple[tuple[str, bytes], ...] = ()
    label: str = ""


_BODY = load_body()
_ANSWER = b'{"ok":true,"items":8,"total":214.04}'
ENDPOINTS = {
    "plaintext": Endpoint("/plaintext", "text/plain; charset=utf-8", b"Hello, World!", label="GET /plaintext"),
    "json": Endpoint("/json", "application/json", b'{"message":"Hello, World!"}', label="GET /json"),
    "params": Endpoint(
        "/users/42/posts/7",
        "application/json",
        b'{"user":42,"post":7}',
        refused="/users/x42/posts/7",
        label="GET /users/:id:int/posts/:post:int",
    ),
    "params_1000": Endpoint(
        "/users/42/posts/7",
        "application/json",
        b'{"user":42,"post":7}',
        app=T1000,
        refused="/users/x42/posts/7",
        label="the same route, registered after 1,000 others (apps/extra_routes.py)",
    ),
    "hooks": Endpoint(
        "/hooks",
        "application/json",
        b'{"before":15}',
        headers=tuple((f"x-after-{i}", str(i)) for i in range(1, 6)),
        label="GET /hooks behind 5 BEFORE + 5 AFTER hooks",
    ),
    "validate": Endpoint(
        "/validate",
        "application/json",
        _ANSWER,
        method="POST",
        request_body=_BODY,
        broken=tuple(broken_bodies(_BODY)),
        label=f"POST /validate, {len(_BODY):,}-byte JSON order validated against a contract",
    ),
}

# Targets of the summary: heaven's best interface / the peer, per endpoint.
GOALS = (("starlette", 1.6, False), ("fastapi", 5.0, False), ("heaven_243", 3.0, False),
         ("litestar", 1.0, True), ("blacksheep", 1.0, True))  # fmt: skip  (peer, ratio, strictly above)
TABLE_GOAL = 0.95  # heaven params_1000 / params


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
    """One granian process group (main process + worker), pinned to a CPU,
    polled with `ready` (method, path, body) until it answers 200."""

    def __init__(
        self, name, granian, cpu, logdir, target, interface="asgi", ready=("GET", "/plaintext", None), pythonpath=None
    ):
        self.name = name
        self.env = None
        if pythonpath is not None:
            self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(pythonpath), os.environ.get("PYTHONPATH")]))}
        self.port = free_port()
        self.cmd = granian_cmd(granian, target, self.port, cpu, interface)
        self.ready = ready
        self.log_path = logdir / f"{name}-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        log = open(self.log_path, "wb")
        # Own session: Ctrl-C in the terminal does not reach it, we stop it.
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=APPS,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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

    def wait_ready(self, timeout: float = 60.0) -> None:
        method, path, body = self.ready
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name}: granian exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                status, _, _ = request(self.port, method, path, body, timeout=1.0)
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


def wrk_post_cmd(cpu: int, threads: int, connections: int, seconds: float, url: str) -> list[str]:
    cmd = wrk_cmd(cpu, threads, connections, seconds, url)
    return cmd[:-1] + ["-s", str(LUA), url, "--", str(BODY_FILE)]


# -- checking -------------------------------------------------------------------


def request(port, method, path, body=None, timeout=5.0) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def fetch(port: int, path: str, timeout: float = 5.0):
    return request(port, "GET", path, timeout=timeout)


def verify(server: Server, contender: Contender, ep_names: list[str], full: bool = True) -> dict[str, list[str]]:
    """Check status, body, content-type, content-length and the endpoint's
    extra headers; with `full`, also the 404 for a non-integer id, the
    refusal of every broken body, and a sample of the 1,000 extra routes.
    Returns the response header names per endpoint."""
    names: dict[str, list[str]] = {}
    for ep_name in ep_names:
        ep = ENDPOINTS[ep_name]
        status, headers, body = request(server.port, ep.method, ep.path, ep.request_body)
        where = f"{server.name} {ep.method} {ep.path} ({ep_name})"
        if status != 200:
            raise BenchError(f"{where}: status {status}, body {body[:300]!r}")
        if body != ep.body:
            raise BenchError(f"{where}: body {body[:300]!r}, expected {ep.body!r}")
        lower = {k.lower(): v for k, v in headers}
        if lower.get("content-type") != ep.content_type:
            raise BenchError(f"{where}: content-type {lower.get('content-type')!r}, expected {ep.content_type!r}")
        if lower.get("content-length") != str(len(ep.body)):
            raise BenchError(f"{where}: content-length {lower.get('content-length')!r}, expected {len(ep.body)}")
        for k, v in ep.headers:
            if lower.get(k) != v:
                raise BenchError(f"{where}: header {k}: {lower.get(k)!r}, expected {v!r}")
        names[ep_name] = sorted(lower)
        if not full:
            continue
        if ep.refused:
            status, _, text = fetch(server.port, ep.refused)
            if status != 404:
                raise BenchError(f"{server.name} GET {ep.refused}: status {status}, expected 404 ({text[:100]!r})")
        for label, bad in ep.broken:
            status, _, text = request(server.port, ep.method, ep.path, bad)
            if status not in contender.refuses:
                want = " or ".join(map(str, contender.refuses))
                raise BenchError(f"{where} ({label}): status {status}, expected {want} ({text[:200]!r})")
        if ep.app == T1000 and contender.table:
            from extra_routes import patterns, sample_path  # noqa: E402  (apps/, on sys.path)

            table = patterns()
            for pattern in table[:: len(table) // 7]:
                path = sample_path(pattern)
                status, _, text = fetch(server.port, path)
                if status != 200:
                    raise BenchError(f"{server.name}: extra route {pattern} (GET {path}): status {status} {text[:100]!r}")
    return names


def check_contracts() -> None:
    """The format patterns the contracts copy are still heaven's."""
    import contract  # apps/, on sys.path
    from heaven._contracts.constraints import FORMATS

    for fmt, mine in (("email", contract.EMAIL), ("uuid", contract.UUID), ("date-time", contract.DATETIME)):
        if FORMATS[fmt] != mine:
            raise BenchError(f"apps/contract.py's {fmt} pattern differs from heaven's format={fmt}")


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


_BODY_LINE = re.compile(r"^post\.lua: body (\d+) bytes$", re.M)


def run_wrk(cmd: list[str], seconds: float, body_len: int | None = None) -> Run:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if proc.returncode != 0:
        raise BenchError(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    if body_len is not None:
        sizes = {int(n) for n in _BODY_LINE.findall(proc.stdout)}
        if sizes != {body_len}:
            raise BenchError(f"post.lua sent a body of {sizes or 'unknown'} bytes, expected {body_len}:\n{proc.stdout}")
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


def venv_versions(venv: Path, dists: tuple[str, ...]) -> str:
    code = (
        "from importlib import metadata\n"
        f"for d in {dists!r}:\n"
        "    try: print(d, metadata.version(d))\n"
        "    except metadata.PackageNotFoundError: print(d, 'missing')\n"
    )
    try:
        out = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=30)
    except OSError as exc:
        return f"unavailable ({exc})"
    return ", ".join(out.stdout.splitlines()) or "unavailable"


def environment(granian: str, contenders: list[str] | None = None) -> dict[str, str]:
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
    env = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu} ({os.cpu_count()} logical CPUs)",
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "granian": version_of([granian, "--version"]),
        "wrk": version_of(["wrk", "-v"]),
        "heaven": f"{dist_version('heaven')} at {commit}",
    }
    for dist in ("starlette", "fastapi", "pydantic", "litestar", "blacksheep", "msgspec", "uvloop"):
        env[dist] = dist_version(dist)
    if contenders and "heaven_243" in contenders:
        env["heaven_243"] = venv_versions(
            HEAVEN243_VENV, ("heaven", "pytastic", "orjson", "granian", "uvloop")
        ) + f" (in {HEAVEN243_VENV.relative_to(REPO)})"
    return env


# -- report --------------------------------------------------------------------


def fmt_ms(ms: float) -> str:
    return f"{ms * 1e3:.0f} µs" if ms < 1 else f"{ms:.2f} ms"


def _verdict(value: float, goal: float, strict: bool) -> str:
    ok = value > goal if strict else value >= goal
    return "PASS" if ok else "MISS"


def best_of(rps: dict[tuple[str, str], float], names: list[str], key: str) -> tuple[float, str] | None:
    """The highest req/s among `names` for an endpoint or scenario, and whose."""
    have = [(rps[(n, key)], n) for n in names if (n, key) in rps]
    return max(have) if have else None

def footnotes(contenders: list[str], table: dict[str, Contender], endpoints: list[str]):
    """The contenders' notes on the endpoints shown, numbered once per text:
    ({(contender, endpoint): "[n]"}, ["[n] who, endpoint: text", ...])."""
    marks: dict[tuple[str, str], str] = {}
    noted: dict[tuple[str, str], list[str]] = {}  # (endpoint, text) -> contenders
    for c in contenders:
        for ep, text in table[c].notes.items():
            if ep in endpoints:
                noted.setdefault((ep, text), []).append(c)
    notes: list[str] = []
    for (ep, text), who in noted.items():
        mark = f"[{len(notes) + 1}]"
        notes.append(f"{mark} {', '.join(who)}, {ep}: {text}")
        for c in who:
            marks[(c, ep)] = mark
    return marks, notes


#: Each heaven contender's floor: the bare app on the same interface.
TWINS = {"heaven": "bare", "heaven_rsgi": "bare_rsgi"}
_HEAVEN_OF = {bare: heaven for heaven, bare in TWINS.items()}


def run_units(contenders: list[str], rnd: int) -> list[list[str]]:
    """Round `rnd`'s units in order: a heaven contender and its bare twin
    form one unit, measured endpoint by endpoint back to back (see
    `schedule`), so that whatever else loads the machine (a neighbour on a
    shared host) weighs on both sides of their ratio alike; the twins swap
    places every other round, and the units rotate by one a round."""
    units: list[list[str]] = []
    for c in contenders:
        if c in _HEAVEN_OF and _HEAVEN_OF[c] in contenders:
            continue  # runs next to its heaven contender
        twin = TWINS.get(c)
        units.append([c, twin] if twin in contenders else [c])
    shift = rnd % len(units)
    return [unit if rnd % 2 == 0 else unit[::-1] for unit in units[shift:] + units[:shift]]


def run_order(contenders: list[str], rnd: int) -> list[str]:
    """Round `rnd`'s contenders in the order each first runs."""
    return [c for unit in run_units(contenders, rnd) for c in unit]


def schedule(contenders: list[str], endpoints: list[str], rnd: int) -> list[tuple[list[str], str, list[tuple[str, str]]]]:
    """Round `rnd`'s measurements: for each unit and app, the servers to
    start together (the unit's, one each) and the `(contender, endpoint)`
    runs in order. A twin pair's servers run side by side, pinned to the
    same CPU, the idle one waiting on its socket, and each endpoint is
    measured on both back to back: seconds apart, where one server after
    the other put every endpoint of the first between the two. The
    endpoints rotate by one a round, so no endpoint is always the first
    measured after its servers start."""
    return [
        (unit, app, [(c, ep) for ep in eps[rnd % len(eps):] + eps[: rnd % len(eps)] for c in unit])
        for unit in run_units(contenders, rnd)
        for app, eps in groups(endpoints)
    ]


def paired(results: dict, endpoints: list[str], contenders: list[str]) -> list[str]:
    """heaven against its bare app round by round: each round's heaven over
    the same round's bare app (measured back to back), as a median and its
    min – max, next to the ratio of the two medians the main table shows."""
    rows = []
    for heaven, bare in TWINS.items():
        if heaven not in contenders or bare not in contenders:
            continue
        for ep in endpoints:
            ours, floor = results.get((heaven, ep)), results.get((bare, ep))
            if not ours or not floor or len(ours) != len(floor):
                continue
            ratios = [a.rps / b.rps for a, b in zip(ours, floor)]
            of_medians = statistics.median(r.rps for r in ours) / statistics.median(r.rps for r in floor)
            rows.append(
                f"| {ep} | {heaven} / {bare} | {of_medians:.2f} | {statistics.median(ratios):.2f} | "
                f"{min(ratios):.2f} – {max(ratios):.2f} |"
            )
    if not rows:
        return []
    return [
        "",
        "heaven against the bare app of its interface, round by round (each round's pair measured back to back; "
        "the main table's ratio is of the two medians):",
        "",
        "| endpoint | contenders | ratio of medians | median of round ratios | min – max of round ratios |",
        "|---|---|---:|---:|---:|",
        *rows,
    ]


def render(results, contenders, endpoints, env, args, commands) -> str:
    med = {
        key: (statistics.median(r.rps for r in runs), statistics.median(r.p99_ms for r in runs))
        for key, runs in results.items()
        if runs
    }
    rps = {k: v[0] for k, v in med.items()}
    p99 = {k: v[1] for k, v in med.items()}
    marks, notes = footnotes(contenders, CONTENDERS, endpoints)

    out = [
        "## HTTP benchmark",
        "",
        f"{args.rounds} interleaved round(s) of {args.duration:g} s per contender and endpoint "
        f"(after a {args.warmup:g} s warm-up), wrk with {args.threads} thread(s) and "
        f"{args.connections} connections; median over rounds. Every contender runs under the same "
        "granian (one worker, uvloop), pinned to its own CPU.",
        "",
        "Endpoints:",
        "",
    ]
    out += [f"- `{e}`: {ENDPOINTS[e].label}" for e in endpoints]
    out += [
        "",
        "| endpoint | contender | req/s | min – max | p99 latency | vs bare | vs bare_rsgi |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for ep in endpoints:
        for c in contenders:
            if (c, ep) not in rps:
                continue
            runs = results[(c, ep)]
            lo, hi = min(r.rps for r in runs), max(r.rps for r in runs)
            vs = f"{rps[(c, ep)] / rps[('bare', ep)]:.2f}" if ("bare", ep) in rps else "–"
            rs = "–"
            if CONTENDERS[c].interface == "rsgi" and ("bare_rsgi", ep) in rps:
                rs = f"{rps[(c, ep)] / rps[('bare_rsgi', ep)]:.2f}"
            name = f"{c} {marks[(c, ep)]}" if (c, ep) in marks else c
            out.append(
                f"| {ep} | {name} | {rps[(c, ep)]:,.0f} | {lo:,.0f} – {hi:,.0f} | {fmt_ms(p99[(c, ep)])} | {vs} | {rs} |"
            )
    if notes:
        out += [""] + [f"{n}  " for n in notes]

    heavens = [h for h in ("heaven", "heaven_rsgi") if h in contenders]
    peers = [g for g in GOALS if g[0] in contenders]
    floors = [f for f in ("bare", "bare_rsgi") if f in contenders]
    if heavens and peers:
        out += [
            "",
            "heaven's best interface against each peer (median req/s ratio; goal in the header"
            + (
                "; in brackets the best bare app's ratio to the same peer: the most any framework "
                "could show on this server)"
                if floors
                else ")"
            )
            + ":",
            "",
            "| endpoint | heaven (best) | " + " | ".join(f"vs {p} ({'>' if s else '≥'} {g:g}×)" for p, g, s in peers) + " |",
            "|---|---|" + "---:|" * len(peers),
        ]
        for ep in endpoints:
            top = best_of(rps, heavens, ep)
            if top is None:
                continue
            best, who = top
            cells = []
            for p, goal, strict in peers:
                if (p, ep) not in rps:
                    cells.append("n/a")
                    continue
                ratio = best / rps[(p, ep)]
                cell = f"{ratio:.2f} {_verdict(ratio, goal, strict)}"
                ceiling = [rps[(f, ep)] for f in floors if (f, ep) in rps]
                if ceiling:
                    cell += f" ({max(ceiling) / rps[(p, ep)]:.2f})"
                cells.append(cell)
            out.append(f"| {ep} | {who} {best:,.0f} | " + " | ".join(cells) + " |")

    if "bare" in contenders and heavens:
        out += [
            "",
            "p99 latency against the bare ASGI app's (lower is better; 1.00 = the floor):",
            "",
            "| endpoint | bare p99 | " + " | ".join(f"{h} p99 | {h} / bare" for h in heavens) + " |",
            "|---|---:|" + "---:|---:|" * len(heavens),
        ]
        for ep in endpoints:
            if ("bare", ep) not in p99:
                continue
            base = p99[("bare", ep)]
            cells = []
            for h in heavens:
                cells += [fmt_ms(p99[(h, ep)]), f"{p99[(h, ep)] / base:.2f}"] if (h, ep) in p99 else ["–", "–"]
            out.append(f"| {ep} | {fmt_ms(base)} | " + " | ".join(cells) + " |")

    out += paired(results, endpoints, contenders)

    if "params" in endpoints and "params_1000" in endpoints:
        out += [
            "",
            f"The route alone vs the route behind 1,000 others (params_1000 / params; heaven's goal ≥ {TABLE_GOAL:g}):",
            "",
            "| contender | params | params_1000 | ratio | |",
            "|---|---:|---:|---:|---|",
        ]
        for c in contenders:
            if (c, "params") in rps and (c, "params_1000") in rps:
                ratio = rps[(c, "params_1000")] / rps[(c, "params")]
                verdict = _verdict(ratio, TABLE_GOAL, False) if c in ("heaven", "heaven_rsgi") else ""
                out.append(
                    f"| {c} | {rps[(c, 'params')]:,.0f} | {rps[(c, 'params_1000')]:,.0f} | {ratio:.2f} | {verdict} |"
                )

    pairs = [(c[: -len("_before")], c) for c in contenders if c.endswith("_before") and c[: -len("_before")] in contenders]
    if pairs:
        out += [
            "",
            f"Before (--against {args.against}) and after, measured in the same run (after / before):",
            "",
            "| endpoint | contender | before req/s | after req/s | speed-up | before p99 | after p99 |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for ep in endpoints:
            for after, before in pairs:
                if (after, ep) in rps and (before, ep) in rps:
                    out.append(
                        f"| {ep} | {after} | {rps[(before, ep)]:,.0f} | {rps[(after, ep)]:,.0f} | "
                        f"{rps[(after, ep)] / rps[(before, ep)]:.2f}× | {fmt_ms(p99[(before, ep)])} | "
                        f"{fmt_ms(p99[(after, ep)])} |"
                    )

    errors = {
        f"{c} {ep}": sum(sum(r.socket_errors.values()) for r in runs)
        for (c, ep), runs in results.items()
        if any(any(r.socket_errors.values()) for r in runs)
    }
    if errors:
        out += ["", "wrk socket errors: " + ", ".join(f"{k}: {v}" for k, v in errors.items())]
    out += ["", "Environment:", ""]
    out += [f"- {k}: {v}" for k, v in env.items()]
    out += ["", "Commands (PORT is a free port, TARGET and IFACE the contender's, PATH the endpoint's):", "", "```"]
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


def groups(endpoints: list[str]) -> list[tuple[str, list[str]]]:
    """The endpoints split by the app that serves them, in run order."""
    out = []
    for app in (MAIN, T1000):
        eps = [e for e in endpoints if ENDPOINTS[e].app == app]
        if eps:
            out.append((app, eps))
    return out


def before_tree(against: Path | str) -> Path:
    """An `--against` tree as an absolute path, for a server's PYTHONPATH:
    servers run in `apps/`, where a relative one would name nothing and the
    installed heaven would be served as the 'before' without a word."""
    tree = Path(against).resolve()
    if not (tree / "heaven" / "__init__.py").is_file():
        raise SystemExit(f"--against {against}: no heaven/__init__.py there")
    return tree


def ready_for(app: str) -> tuple[str, str, None]:
    return ("GET", "/plaintext", None) if app == MAIN else ("GET", ENDPOINTS["params_1000"].path, None)


def failed(exc: BaseException) -> int:
    """The exit status of a bench stopped by a failed check (1) or Ctrl-C (130), said on stderr."""
    if isinstance(exc, KeyboardInterrupt):
        print("\ninterrupted", file=sys.stderr)
        return 130
    print(f"\nFAILED: {exc}", file=sys.stderr)
    return 1


def publish(report: str, args: argparse.Namespace, env: dict | None = None, commands: list[str] | None = None,
            runs: list[dict] | None = None, prefix: str = "") -> None:
    """Print the report, write it to --markdown (its folder made if need be),
    and save the raw runs (when given) as results/PREFIX<date-time>.json
    unless --no-save."""
    print()
    print(report)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(report)
        print(f"wrote {args.markdown}")
    if runs is not None and not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        raw = RESULTS / f"{prefix}{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
        options = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        raw.write_text(json.dumps({"args": options, "environment": env, "commands": commands, "runs": runs}, indent=2))
        print(f"raw results: {raw.relative_to(REPO)}")


def check_contenders(contenders: list[str], known: dict[str, Contender] | None = None) -> None:
    """Every contender's modules import (or its venv has granian); `known`: another bench's table."""
    problems = []
    for c in contenders:
        spec = (known or CONTENDERS)[c]
        if spec.venv is not None:
            if not os.access(spec.venv / "bin" / "granian", os.X_OK):
                problems.append(f"{c}: no {spec.venv.relative_to(REPO)}/bin/granian")
            continue
        missing = [m for m in spec.needs if util.find_spec(m) is None]
        if missing:
            problems.append(f"{c}: cannot import {', '.join(missing)}")
    if problems:
        raise SystemExit(
            "missing peers: " + "; ".join(problems) + "\n(run `bash benches/http/setup_peers.sh`, or leave them out with --only)"
        )


def main() -> int:
    p = load_options(__doc__, CONTENDERS)
    p.add_argument("--endpoints", help=f"endpoints, comma-separated (default all: {','.join(ENDPOINTS)})")
    p.add_argument(
        "--against",
        type=Path,
        help="a directory holding an earlier `heaven` package (with its built _core), e.g. a copy of an "
        "earlier python/ tree: adds the contenders heaven_before and heaven_rsgi_before, served from it",
    )
    args = parse_load_options(p)
    if args.against is not None:
        before = before_tree(args.against)
        for name in ("heaven", "heaven_rsgi"):
            CONTENDERS[f"{name}_before"] = replace(CONTENDERS[name], pythonpath=before)
    contenders = choose(args.only, CONTENDERS, "contender")
    if args.against is not None:  # every heaven contender chosen gets its "before" twin
        twins = [f"{c}_before" for c in ("heaven", "heaven_rsgi") if c in contenders]
        contenders += [t for t in twins if t not in contenders]
    endpoints = [e for e in ENDPOINTS if e in choose(args.endpoints, ENDPOINTS, "endpoint")]

    granian = find_tools()
    check_contenders(contenders)
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
    env = environment(granian, contenders)
    body_len = len(_BODY)

    def wrk_for(ep: str, seconds: float, url: str) -> list[str]:
        make = wrk_post_cmd if ENDPOINTS[ep].method == "POST" else wrk_cmd
        return make(args.client_cpu, args.threads, args.connections, seconds, url)

    def shown(cmd: list[str]) -> str:
        return shlex.join(cmd).replace(str(HERE), str(HERE.relative_to(REPO)))

    server_line = shown(granian_cmd("granian", "TARGET", 0, args.server_cpu, "IFACE")).replace("--port 0", "--port PORT")
    url = f"http://{HOST}:PORT/PATH"
    commands = [
        server_line,
        shown(wrk_cmd(args.client_cpu, args.threads, args.connections, args.warmup, url)) + "   # warm-up",
        shown(wrk_cmd(args.client_cpu, args.threads, args.connections, args.duration, url)) + "   # measured",
        shown(wrk_post_cmd(args.client_cpu, args.threads, args.connections, args.duration, f"http://{HOST}:PORT/validate"))
        + "   # validate",
    ]
    for c in contenders:
        spec = CONTENDERS[c]
        where = f", granian from {spec.venv.relative_to(REPO)}" if spec.venv else ""
        targets = " or ".join(spec.target(app) for app, _ in groups(endpoints))
        commands.append(f"# {c}: IFACE={spec.interface} TARGET={targets}{where}")
    for k, v in env.items():
        print(f"{k:>10}: {v}")
    print("\n".join(["", "commands:"] + [f"  {c}" for c in commands] + [""]))

    # Estimate: load time, plus ~2.5 s per server start and stop, plus the preflight.
    starts = len(contenders) * len(groups(endpoints))
    per_round = len(contenders) * len(endpoints) * (args.duration + args.warmup) + starts * 2.5
    total = per_round * args.rounds + starts * 4
    print(
        f"{len(contenders)} contender(s) x {len(endpoints)} endpoint(s) x {args.rounds} round(s) of "
        f"{args.warmup:g} + {args.duration:g} s: about {total / 60:.0f} min in all "
        f"(finishes near {(dt.datetime.now() + dt.timedelta(seconds=total)).strftime('%H:%M')})\n",
        flush=True,
    )

    results: dict[tuple[str, str], list[Run]] = {(c, e): [] for c in contenders for e in endpoints}
    logdir = Path(tempfile.mkdtemp(prefix="heaven-http-bench-"))

    def serve(c: str, app: str) -> Server:
        spec = CONTENDERS[c]
        return Server(
            c, spec.granian(granian), args.server_cpu, logdir, spec.target(app), spec.interface, ready_for(app), spec.pythonpath
        )

    def bench() -> None:
        if "validate" in endpoints:
            check_contracts()
        # Preflight: every contender answers every endpoint identically.
        header_names: dict[str, dict[str, list[str]]] = {}
        for c in contenders:
            header_names[c] = {}
            for app, eps in groups(endpoints):
                with serve(c, app) as srv:
                    header_names[c].update(verify(srv, CONTENDERS[c], eps))
        reference = contenders[0]
        differing = [
            f"{c} {ep}: {', '.join(sorted(set(header_names[c][ep]) ^ set(header_names[reference][ep])))}"
            for c in contenders[1:]
            for ep in endpoints
            if header_names[c][ep] != header_names[reference][ep]
        ]
        print(
            f"preflight ok: {len(contenders)} contender(s) x {len(endpoints)} endpoint(s) answer with the same "
            "status, body, content-type and content-length; non-integer ids are 404; the hooks' headers are "
            "there; broken bodies are refused",
            flush=True,
        )
        if differing:
            print("note: header names differing from " + reference + ": " + "; ".join(differing), flush=True)
        print(flush=True)

        for rnd in range(args.rounds):
            for unit, app, runs in schedule(contenders, endpoints, rnd):
                with contextlib.ExitStack() as stack:
                    servers = {c: stack.enter_context(serve(c, app)) for c in unit}
                    for c, srv in servers.items():
                        verify(srv, CONTENDERS[c], [ep for d, ep in runs if d == c], full=False)
                    for c, ep in runs:
                        target_url = f"http://{HOST}:{servers[c].port}{ENDPOINTS[ep].path}"
                        size = body_len if ENDPOINTS[ep].method == "POST" else None
                        if args.warmup > 0:
                            run_wrk(wrk_for(ep, args.warmup, target_url), args.warmup, size)
                        run = run_wrk(wrk_for(ep, args.duration, target_url), args.duration, size)
                        results[(c, ep)].append(run)
                        errs = f"  socket errors {run.socket_errors}" if any(run.socket_errors.values()) else ""
                        print(f"round {rnd + 1}/{args.rounds}  {c:<12} {ep:<12} {run.rps:>10,.0f} req/s"
                              f"  p50 {fmt_ms(run.p50_ms):>9}  p99 {fmt_ms(run.p99_ms):>9}{errs}", flush=True)

    failed_status = guarded(bench, logdir)
    if failed_status is not None:
        return failed_status

    for k in results:
        for r in results[k]:
            if any(r.socket_errors.values()):
                print(f"warning: wrk socket errors for {k}: {r.socket_errors}", file=sys.stderr)
    runs = [
        {"contender": c, "endpoint": e, "round": i + 1, **vars(r)} for (c, e), runs in results.items() for i, r in enumerate(runs)
    ]
    publish(render(results, contenders, endpoints, env, args, commands), args, env, commands, runs)
    return 0



def load_options(doc: str | None, contenders: dict) -> argparse.ArgumentParser:
    """The options every wrk-driven bench here shares: rounds, durations,
    wrk's connections and threads, contenders, CPUs, markdown, raw results."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument("--duration", type=int, default=6, help="seconds per measured wrk run (default 6)")
    p.add_argument(
        "--warmup", type=int, default=None, help="seconds of warm-up before each measured run (default min(2, duration))"
    )
    p.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    p.add_argument("--only", help=f"contenders, comma-separated (default all: {','.join(contenders)})")
    p.add_argument("--server-cpu", type=int, default=0, help="CPU granian is pinned to (default 0)")
    p.add_argument("--client-cpu", type=int, default=1, help="CPU wrk is pinned to (default 1)")
    p.add_argument("--markdown", type=Path, help="also write the result tables as markdown to this file")
    p.add_argument("--no-save", action="store_true", help=f"do not write raw results to {RESULTS.relative_to(REPO)}/")
    return p


def parse_load_options(p: argparse.ArgumentParser) -> argparse.Namespace:
    args = p.parse_args()
    if args.warmup is None:
        args.warmup = min(2, args.duration)
    if args.rounds < 1 or args.duration <= 0 or args.warmup < 0 or args.connections < 1 or args.threads < 1:
        raise SystemExit("--rounds, --duration, --connections and --threads must be positive")
    return args


def find_tools(wrk: bool = True) -> str:
    """The granian next to this interpreter (else on PATH); exits naming
    what is missing of granian, taskset and (with `wrk`) wrk."""
    granian = str(Path(sys.executable).parent / "granian")
    if not os.access(granian, os.X_OK):
        granian = shutil.which("granian") or ""
    tools = [("granian", granian), ("taskset", shutil.which("taskset"))] + ([("wrk", shutil.which("wrk"))] if wrk else [])
    missing = [name for name, path in tools if not path]
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)} (wrk: `apt-get install wrk`; granian: in the venv)")
    return granian


def guarded(measure: Callable[[], None], logdir: Path) -> int | None:
    """Run `measure()`: a BenchError or Ctrl-C ends it with its message and
    exit status (1, 130); the servers are stopped and `logdir` removed
    either way. None when it ran to the end."""
    try:
        measure()
    except (BenchError, KeyboardInterrupt) as exc:
        return failed(exc)
    finally:
        stop_all()
        shutil.rmtree(logdir, ignore_errors=True)
    return None


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
