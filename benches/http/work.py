#!/usr/bin/env python3
"""Throughput on real work: heaven (ASGI and RSGI) against Starlette, FastAPI,
Litestar and BlackSheep under the same granian, on a 10 MB multipart upload
streamed to disk, a 1 KB urlencoded form, a 100 KB static file (a full fetch
and an ETag revalidation answered 304) and a jinja2 page. See
benches/http/README.md ("Real work").

    .venv/bin/python benches/http/work.py                               # 5 rounds x (2 + 6) s (~25 min)
    .venv/bin/python benches/http/work.py --rounds 1 --duration 2       # smoke run (~4 min)
    .venv/bin/python benches/http/work.py --check                       # answers only, no load
    .venv/bin/python benches/http/work.py --in-process --rounds 5       # CPU per request, no server
    .venv/bin/python benches/http/work.py --only heaven,starlette --scenarios page --markdown /tmp/work.md

Uses run.py's servers, CPU pinning (granian on one CPU, wrk on the other),
wrk parsing and environment report. Every contender's answers are checked
before anything is measured and again after each server start: the upload's
size and CRC-32 as stored on disk, the form's computed answer, the static
file's bytes and a real 304 for its ETag, the page's exact HTML.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import json
import os
import shlex
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (benches/http/run.py: Server, wrk, parsing, environment)
import work_fixtures as fx  # noqa: E402  (apps/, on sys.path through run.py)
from run import BenchError, Contender  # noqa: E402

UPLOAD_CONNECTIONS = 8  # 64 x 10 MB in flight would measure the kernel's socket buffers, not the apps

_SYNC_TEMPLATES = (
    "`app.TEMPLATES(..., asynchronous=False)`: synchronous templates, as every peer's are by default; "
    "heaven's default (Jinja2's async mode, templates may await) takes about 1.7x the render time"
)
CONTENDERS: dict[str, Contender] = {
    "heaven": Contender("work_heaven", needs=("heaven", "jinja2"), notes={"page": _SYNC_TEMPLATES}),
    "heaven_rsgi": Contender("work_heaven", "rsgi", needs=("heaven", "jinja2"), notes={"page": _SYNC_TEMPLATES}),
    "starlette": Contender("work_starlette", needs=("starlette", "python_multipart", "jinja2")),
    "fastapi": Contender(
        "work_fastapi",
        needs=("fastapi", "python_multipart", "jinja2"),
        notes={"form": "a pydantic form model (`Annotated[Order, Form()]`): the ten quantities validated as `int`"},
    ),
    "litestar": Contender(
        "work_litestar",
        needs=("litestar", "jinja2"),
        notes={
            "form": "a msgspec Struct read with `Body(media_type=URL_ENCODED)`: the ten quantities validated as `int`",
            "static_304": "not measured: Litestar's static files send an ETag but never answer 304 "
            "(If-None-Match is ignored; the preflight checks it still gets the whole file)",
        },
    ),
    "blacksheep": Contender(
        "work_blacksheep",
        needs=("blacksheep", "jinja2"),
        notes={
            "upload": "`multipart_stream()` writes the part straight to its file; the others store it in a "
            "temporary file first (memory up to 256 KiB in heaven, 1 MB in the others) and copy it, except "
            "heaven, whose `asave` names the temporary file instead (`linkat`, same file system)",
            "page": "`view()` also sends `Cache-Control: no-cache`",
        },
    ),
}
PEERS = ("starlette", "fastapi", "litestar", "blacksheep")
HEAVENS = ("heaven", "heaven_rsgi")
# (contender, scenario) pairs left out of the load, with the preflight's check that they still must be.
UNSUPPORTED = {("litestar", "static_304")}


@dataclass(frozen=True)
class Scenario:
    method: str
    path: str
    label: str
    content_type: str  # of the answer
    status: int = 200
    request_type: str | None = None  # Content-Type of the request body
    megabytes: float = 0.0  # MB moved per request, for MB/s (0: not reported)
    conditional: bool = False  # sends If-None-Match with the ETag of the full fetch
    connections: int | None = None  # wrk connections, if not --connections


SCENARIOS = {
    "upload": Scenario(
        "POST",
        fx.UPLOAD_PATH,
        f"POST {fx.UPLOAD_PATH}: one {fx.UPLOAD_SIZE / 1e6:g} MB file part (multipart/form-data) stored on disk; "
        "the answer is its size and CRC-32 read back from the disk",
        "application/json",
        request_type=fx.UPLOAD_CONTENT_TYPE,
        megabytes=fx.UPLOAD_SIZE / 1e6,
        connections=UPLOAD_CONNECTIONS,
    ),
    "form": Scenario(
        "POST",
        fx.FORM_PATH,
        f"POST {fx.FORM_PATH}: a {len(fx.form_body()):,}-byte urlencoded form of {len(fx.FORM_NAMES)} fields, "
        "answered with a small JSON computed from them",
        "application/json",
        request_type=fx.FORM_CONTENT_TYPE,
    ),
    "static": Scenario(
        "GET",
        fx.STATIC_PATH,
        f"GET {fx.STATIC_PATH}: a {fx.STATIC_SIZE // 1024} KB file from the framework's static-files facility",
        fx.STATIC_CONTENT_TYPE,
        megabytes=fx.STATIC_SIZE / 1e6,
    ),
    "static_304": Scenario(
        "GET",
        fx.STATIC_PATH,
        "the same with If-None-Match: the ETag of the full fetch, answered 304 with no body",
        fx.STATIC_CONTENT_TYPE,
        status=304,
        conditional=True,
    ),
    "page": Scenario(
        "GET",
        fx.PAGE_PATH,
        f"GET {fx.PAGE_PATH}: a jinja2 template extending a layout, a loop over "
        f"{len(fx.PAGE_CONTEXT['rows'])} rows, autoescaped, through the framework's template integration",
        fx.PAGE_CONTENT_TYPE,
    ),
}


def expected_bodies() -> dict[str, bytes]:
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    return {
        "upload": json.dumps(fx.expected_upload(), **compact).encode(),
        "form": json.dumps(fx.expected_form(), **compact).encode(),
        "static": fx.static_content(),
        "static_304": b"",
        "page": fx.expected_page().encode(),
    }


def request_bodies() -> dict[str, bytes]:
    return {"upload": fx.upload_body(), "form": fx.form_body()}


# -- checking -------------------------------------------------------------------


def send(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection(run.HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def verify(name: str, port: int, scenarios: list[str], bodies: dict[str, bytes], want: dict[str, bytes]) -> dict:
    """Check every scenario's status, content-type and exact body; returns
    the ETag to revalidate with (static_304) and the header names per
    scenario. A pair in UNSUPPORTED must still lack the feature."""
    seen: dict = {"etag": None, "headers": {}}
    for sc_name in scenarios:
        sc = SCENARIOS[sc_name]
        headers = {"Content-Type": sc.request_type} if sc.request_type else {}
        if sc.conditional:
            if seen["etag"] is None:
                _, first, _ = send(port, "GET", sc.path)
                seen["etag"] = first.get("etag")
            if not seen["etag"]:
                raise BenchError(f"{name} GET {sc.path}: no ETag to revalidate with")
            headers["If-None-Match"] = seen["etag"]
        status, got, body = send(port, sc.method, sc.path, bodies.get(sc_name), headers)
        where = f"{name} {sc.method} {sc.path} ({sc_name})"
        if (name, sc_name) in UNSUPPORTED:
            if status == sc.status:
                raise BenchError(f"{where}: now answers {status}; take it out of work.py's UNSUPPORTED")
            continue
        if status != sc.status:
            raise BenchError(f"{where}: status {status}, expected {sc.status}, body {body[:300]!r}")
        if body != want[sc_name]:
            raise BenchError(f"{where}: body {body[:300]!r}, expected {want[sc_name][:300]!r}")
        if sc.status == 200:
            if got.get("content-type") != sc.content_type:
                raise BenchError(f"{where}: content-type {got.get('content-type')!r}, expected {sc.content_type!r}")
            if got.get("content-length") != str(len(body)):
                raise BenchError(f"{where}: content-length {got.get('content-length')!r}, expected {len(body)}")
        if sc_name == "static":
            if not got.get("etag"):
                raise BenchError(f"{where}: no ETag")
            seen["etag"] = got["etag"]
        seen["headers"][sc_name] = sorted(got)
    return seen


# -- running --------------------------------------------------------------------


def wrk_for(args, sc_name: str, seconds: int, url: str, body_files: dict[str, Path], etag: str | None) -> list[str]:
    sc = SCENARIOS[sc_name]
    cmd = run.wrk_cmd(args.client_cpu, args.threads, sc.connections or args.connections, seconds, url)
    extra = ["--timeout", "30s"]
    if sc.method == "POST":
        extra += ["-s", str(run.LUA)]
    if sc.conditional:
        extra += ["-H", f"If-None-Match: {etag}"]
    tail = [url]
    if sc.method == "POST":
        tail += ["--", str(body_files[sc_name]), sc.request_type]
    return cmd[:-1] + extra + tail


def render(results: dict, contenders: list[str], scenarios: list[str], env: dict, args, commands: list[str]) -> str:
    rps = {k: statistics.median(r.rps for r in runs) for k, runs in results.items() if runs}
    p99 = {k: statistics.median(r.p99_ms for r in runs) for k, runs in results.items() if runs}
    out = [
        "## Real work",
        "",
        f"{args.rounds} interleaved round(s) of {args.duration:g} s per contender and scenario (after a "
        f"{args.warmup:g} s warm-up), wrk with {args.threads} thread(s) and {args.connections} connections "
        f"({UPLOAD_CONNECTIONS} for `upload`, the same for every contender); median over rounds. Every "
        "contender runs under the same granian (one worker, uvloop), pinned to its own CPU.",
        "",
    ]
    notes: dict[tuple[str, str], list[str]] = {}  # (scenario, text) -> contenders, in order of appearance
    for sc_name in scenarios:
        sc = SCENARIOS[sc_name]
        peers = [rps[(p, sc_name)] for p in PEERS if (p, sc_name) in rps]
        best_peer = max(peers) if peers else None
        out += [f"### `{sc_name}`", "", sc.label, ""]
        mb = sc.megabytes > 0
        out += [
            "| contender | req/s | " + ("MB/s | " if mb else "") + "min – max req/s | p99 | vs best peer |",
            "|---|---:|" + ("---:|" if mb else "") + "---:|---:|---:|",
        ]
        for c in contenders:
            note = CONTENDERS[c].notes.get(sc_name)
            mark = ""
            if note:
                notes.setdefault((sc_name, note), []).append(c)
                mark = f" [{list(notes).index((sc_name, note)) + 1}]"
            if (c, sc_name) not in rps:
                if (c, sc_name) in UNSUPPORTED:
                    out.append(f"| {c}{mark} | – |" + (" – |" if mb else "") + " – | – | – |")
                continue
            runs = results[(c, sc_name)]
            lo, hi = min(r.rps for r in runs), max(r.rps for r in runs)
            value = rps[(c, sc_name)]
            cells = [f"{value:,.1f}" if value < 100 else f"{value:,.0f}"]
            if mb:
                cells.append(f"{value * sc.megabytes:,.0f}")
            cells += [f"{lo:,.1f} – {hi:,.1f}" if hi < 100 else f"{lo:,.0f} – {hi:,.0f}", run.fmt_ms(p99[(c, sc_name)])]
            cells.append(f"{value / best_peer:.2f}" if best_peer else "–")
            out.append(f"| {c}{mark} | " + " | ".join(cells) + " |")
        out.append("")
    if notes:
        out += [f"[{i}] {', '.join(who)}, {sc}: {text}  " for i, ((sc, text), who) in enumerate(notes.items(), 1)] + [""]

    heavens = [h for h in HEAVENS if h in contenders]
    peers = [p for p in PEERS if p in contenders]
    if heavens and peers:
        out += [
            "heaven's best interface against each peer (median req/s, heaven / peer; above 1.00 heaven is ahead):",
            "",
            "| scenario | heaven (best) | " + " | ".join(f"vs {p}" for p in peers) + " |",
            "|---|---|" + "---:|" * len(peers),
        ]
        for sc_name in scenarios:
            top = run.best_of(rps, heavens, sc_name)
            if top is None:
                continue
            best, who = top
            cells = []
            for p in peers:
                if (p, sc_name) not in rps:
                    cells.append("n/a")
                    continue
                ratio = best / rps[(p, sc_name)]
                cells.append(f"{ratio:.2f}" + ("" if ratio >= 1 else " behind"))
            shown = f"{best:,.1f}" if best < 100 else f"{best:,.0f}"
            out.append(f"| {sc_name} | {who} {shown} | " + " | ".join(cells) + " |")
        out.append("")

    errors = {
        f"{c} {sc}": sum(sum(r.socket_errors.values()) for r in runs)
        for (c, sc), runs in results.items()
        if any(any(r.socket_errors.values()) for r in runs)
    }
    if errors:
        out += ["wrk socket errors: " + ", ".join(f"{k}: {v}" for k, v in errors.items()), ""]
    out += ["Environment:", ""] + [f"- {k}: {v}" for k, v in env.items()]
    out += ["", "Commands (PORT is a free port, TARGET and IFACE the contender's):", "", "```"] + commands + ["```", ""]
    return "\n".join(out)


# -- in-process: CPU per request without a server -------------------------------

IN_PROCESS_CALLS = {"upload": 3, "form": 200, "static": 200, "static_304": 200, "page": 30}


async def _asgi_call(app, sc: Scenario, body: bytes, headers: list[tuple[bytes, bytes]], chunk: int = 65536):
    """One request through the app's ASGI entry, the body in `chunk`-byte
    messages as a server hands them over; returns (status, ETag)."""
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": sc.method, "scheme": "http",
        "path": sc.path, "raw_path": sc.path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode()), *headers],
        "client": (run.HOST, 50000), "server": (run.HOST, 80), "extensions": {"http.response.pathsend": {}},
    }  # fmt: skip
    seen = {"status": 0, "etag": None}

    async def receive():
        if not pieces:
            await asyncio.Event().wait()  # the body is over: wait, as for a client that stays
        return {"type": "http.request", "body": pieces.pop(0), "more_body": bool(pieces)}

    async def send(message):
        if message["type"] == "http.response.start":
            seen["status"] = message["status"]
            seen["etag"] = dict((k.lower(), v) for k, v in message["headers"]).get(b"etag", seen["etag"])

    await app(scope, receive, send)
    return seen["status"], seen["etag"]


async def _in_process(contenders: list[str], scenarios: list[str], repeats: int) -> dict[tuple[str, str], float]:
    import importlib

    bodies = request_bodies()
    apps = {}
    for c in dict.fromkeys(CONTENDERS[c].module for c in contenders if CONTENDERS[c].interface == "asgi"):
        app = importlib.import_module(c).app
        if hasattr(app, "start") and c == "work_blacksheep":
            await app.start()  # BlackSheep builds its routes at start-up (its lifespan under a server)
        apps[c] = app
    best: dict[tuple[str, str], float] = {}
    etags: dict[str, bytes] = {}
    for _ in range(repeats):  # interleaved: every app once per repeat, the minimum kept
        for module, app in apps.items():
            for sc_name in scenarios:
                if (module, sc_name) in {(CONTENDERS[c].module, s) for c, s in UNSUPPORTED}:
                    continue
                sc = SCENARIOS[sc_name]
                headers = [(b"content-type", sc.request_type.encode())] if sc.request_type else []
                if sc.conditional:
                    if module not in etags:
                        _, etags[module] = await _asgi_call(app, SCENARIOS["static"], b"", [])
                    headers.append((b"if-none-match", etags[module]))
                calls = IN_PROCESS_CALLS[sc_name]
                started = time.process_time()  # the worker threads' CPU too (uploads copied in threads)
                for _ in range(calls):
                    status, _ = await _asgi_call(app, sc, bodies.get(sc_name, b""), headers)
                    if status != sc.status:
                        raise BenchError(f"{module} {sc_name} in-process: status {status}, expected {sc.status}")
                spent = (time.process_time() - started) / calls
                best[(module, sc_name)] = min(best.get((module, sc_name), spent), spent)
            shutil.rmtree(fx.UPLOAD_DIR, ignore_errors=True)
    return best


def render_in_process(best: dict[tuple[str, str], float], contenders: list[str], scenarios: list[str], repeats: int) -> str:
    modules = {CONTENDERS[c].module: c for c in reversed(contenders) if CONTENDERS[c].interface == "asgi"}
    names = list(modules.values())[::-1]
    out = [
        "## Real work in-process: CPU per request, no server",
        "",
        f"Each app called through its ASGI entry in this process (the body in 64 KiB messages, the "
        f"static file handed to the server by pathsend where the framework uses it), CPU time of the "
        f"process (worker threads included), the minimum of {repeats} interleaved repeats. No socket, "
        "no HTTP parsing: what the framework and the work cost, steadier than HTTP on a busy machine.",
        "",
        "| scenario | " + " | ".join(names) + " | " + " | ".join(f"heaven / {n}" for n in names if n in PEERS) + " |",
        "|---|" + "---:|" * (len(names) + sum(n in PEERS for n in names)),
    ]
    for sc_name in scenarios:
        cells, ratios = [], []
        mine = best.get(("work_heaven", sc_name))
        for n in names:
            t = best.get((CONTENDERS[n].module, sc_name))
            cells.append("–" if t is None else f"{t * 1e6:,.0f} µs")
            if n in PEERS:
                # heaven's CPU / the peer's: below 1.00 heaven is cheaper
                ratios.append("–" if t is None or mine is None else f"{mine / t:.2f}")
        out.append(f"| {sc_name} | " + " | ".join(cells + ratios) + " |")
    out += ["", "heaven / peer is CPU time: below 1.00 heaven does the same work with less CPU.", ""]
    return "\n".join(out)


def main() -> int:
    p = run.load_options(__doc__, CONTENDERS)
    p.add_argument("--scenarios", help=f"scenarios, comma-separated (default all: {','.join(SCENARIOS)})")
    p.add_argument("--check", action="store_true", help="start each server and check its answers; no load")
    p.add_argument(
        "--in-process",
        action="store_true",
        help="CPU per request of each app called in this process over ASGI (no server, no wrk); "
        "--rounds repeats, minimum kept",
    )
    args = run.parse_load_options(p)
    contenders = run.choose(args.only, CONTENDERS, "contender")
    scenarios = [s for s in SCENARIOS if s in run.choose(args.scenarios, SCENARIOS, "scenario")]
    if "static_304" in scenarios and "static" not in scenarios:
        scenarios.insert(scenarios.index("static_304"), "static")  # its ETag comes from the full fetch
    if args.in_process:
        run.check_contenders(contenders, CONTENDERS)
        os.chdir(run.APPS)  # where granian runs the apps (--working-dir)
        repeats = max(args.rounds, 3)
        best = asyncio.run(_in_process(contenders, scenarios, repeats))
        run.publish(render_in_process(best, contenders, scenarios, repeats), args)
        return 0

    granian = run.find_tools(wrk=not args.check)
    run.check_contenders(contenders, CONTENDERS)
    cpus = os.sched_getaffinity(0)
    for flag, cpu in (("--server-cpu", args.server_cpu), ("--client-cpu", args.client_cpu)):
        if cpu not in cpus:
            raise SystemExit(f"{flag} {cpu}: not an available CPU ({sorted(cpus)})")

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, run._on_signal)
    signal.signal(signal.SIGHUP, run._on_signal)
    env = run.environment(granian, contenders)
    for dist in ("python-multipart", "multipart", "jinja2"):
        env[dist] = run.dist_version(dist)
    bodies = request_bodies()
    want = expected_bodies()
    logdir = Path(tempfile.mkdtemp(prefix="heaven-work-bench-"))
    body_files = {}
    for sc_name, body in bodies.items():
        body_files[sc_name] = logdir / f"{sc_name}.body"
        body_files[sc_name].write_bytes(body)

    def shown(cmd: list[str]) -> str:
        return shlex.join(cmd).replace(str(HERE), str(HERE.relative_to(run.REPO))).replace(str(logdir), "BODIES")

    commands = [
        shown(run.granian_cmd("granian", "TARGET", 0, args.server_cpu, "IFACE")).replace("--port 0", "--port PORT")
    ]
    for sc_name in scenarios:
        url = f"http://{run.HOST}:PORT{SCENARIOS[sc_name].path}"
        commands.append(shown(wrk_for(args, sc_name, args.duration, url, body_files, "ETAG")) + f"   # {sc_name}")
    commands += [f"# {c}: IFACE={CONTENDERS[c].interface} TARGET={CONTENDERS[c].target(run.MAIN)}" for c in contenders]
    for k, v in env.items():
        print(f"{k:>16}: {v}")
    print("\n".join(["", "commands:"] + [f"  {c}" for c in commands] + [""]))
    if not args.check:
        runs = sum((c, s) not in UNSUPPORTED for c in contenders for s in scenarios)
        total = (runs * (args.duration + args.warmup) + len(contenders) * 5) * args.rounds + len(contenders) * 5
        print(
            f"{len(contenders)} contender(s) x {len(scenarios)} scenario(s) x {args.rounds} round(s) of "
            f"{args.warmup:g} + {args.duration:g} s: about {total / 60:.0f} min in all "
            f"(finishes near {(dt.datetime.now() + dt.timedelta(seconds=total)).strftime('%H:%M')})\n",
            flush=True,
        )

    results: dict[tuple[str, str], list[run.Run]] = {
        (c, s): [] for c in contenders for s in scenarios if (c, s) not in UNSUPPORTED
    }

    def serve(c: str) -> run.Server:
        spec = CONTENDERS[c]
        return run.Server(c, granian, args.server_cpu, logdir, spec.target(run.MAIN), spec.interface, ("GET", fx.PAGE_PATH, None))

    def bench() -> None:
        seen = {}
        for c in contenders:
            with serve(c) as srv:
                seen[c] = verify(c, srv.port, scenarios, bodies, want)
            shutil.rmtree(fx.UPLOAD_DIR, ignore_errors=True)
        print(
            f"preflight ok: {len(contenders)} contender(s) x {len(scenarios)} scenario(s) answer with the expected "
            "status, content-type and bytes (upload stored whole, static_304 a real 304)",
            flush=True,
        )
        reference = contenders[0]
        differing = [
            f"{c} {s}: {', '.join(sorted(set(seen[c]['headers'][s]) ^ set(seen[reference]['headers'][s])))}"
            for c in contenders[1:]
            for s in scenarios
            if s in seen[c]["headers"] and s in seen[reference]["headers"]
            and seen[c]["headers"][s] != seen[reference]["headers"][s]
        ]  # fmt: skip
        if differing:
            print("note: header names differing from " + reference + ": " + "; ".join(differing), flush=True)
        if args.check:
            return
        print(flush=True)
        for rnd in range(args.rounds):
            shift = rnd % len(contenders)
            for c in contenders[shift:] + contenders[:shift]:
                with serve(c) as srv:
                    etag = verify(c, srv.port, scenarios, bodies, want)["etag"]
                    for sc_name in scenarios:
                        if (c, sc_name) in UNSUPPORTED:
                            continue
                        url = f"http://{run.HOST}:{srv.port}{SCENARIOS[sc_name].path}"
                        size = len(bodies[sc_name]) if sc_name in bodies else None
                        if args.warmup > 0:
                            run.run_wrk(wrk_for(args, sc_name, args.warmup, url, body_files, etag), args.warmup, size)
                        result = run.run_wrk(wrk_for(args, sc_name, args.duration, url, body_files, etag), args.duration, size)
                        results[(c, sc_name)].append(result)
                        errs = f"  socket errors {result.socket_errors}" if any(result.socket_errors.values()) else ""
                        print(f"round {rnd + 1}/{args.rounds}  {c:<12} {sc_name:<11} {result.rps:>10,.1f} req/s"
                              f"  p99 {run.fmt_ms(result.p99_ms):>9}{errs}", flush=True)  # fmt: skip
                shutil.rmtree(fx.UPLOAD_DIR, ignore_errors=True)  # what a cut-off upload left behind

    failed = run.guarded(bench, logdir)
    if failed is not None or args.check:
        return failed or 0
    runs = [{"contender": c, "scenario": s, "round": i + 1, **vars(r)} for (c, s), rs in results.items() for i, r in enumerate(rs)]
    run.publish(render(results, contenders, scenarios, env, args, commands), args, env, commands, runs, prefix="work-")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        run.stop_all()
