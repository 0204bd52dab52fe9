#!/usr/bin/env python3
"""Body validation benchmark: a ~1 KB JSON order POSTed to heaven (`app.schema`,
msgspec) and to FastAPI (pydantic), both served by granian and loaded by wrk.
See benches/http/README.md.

    .venv/bin/python benches/http/validate.py                             # full: 5 rounds x 10 s
    .venv/bin/python benches/http/validate.py --rounds 1 --duration 2     # smoke run
    .venv/bin/python benches/http/validate.py --micro-only                # in-process timing only

Both apps (apps/heaven_schema_app.py, apps/fastapi_app.py) declare the same
contract with the same constraints, refuse unknown fields, and answer the same
small JSON computed from the validated object. Before anything is measured a
preflight checks, over real HTTP, that both answer the valid body with 200 and
byte-identical JSON, and refuse broken bodies with 422. The server runs on one
CPU and wrk (`-s post.lua`) on another; rounds are interleaved; medians are
reported. An in-process measurement (no server) times the validation alone.
Reuses run.py (servers, pinning, wrk parsing, environment).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shlex
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (benches/http/run.py)
from run import HOST, BenchError, fmt_ms  # noqa: E402

HERE = run.HERE
REPO = run.REPO
BODY_FILE = run.BODY_FILE
PATH = "/orders"

# name -> granian target
CONTENDERS = {"heaven_schema": "heaven_schema_app:app", "fastapi": "fastapi_app:app"}
LABELS = {"heaven_schema": "heaven (app.schema, msgspec)", "fastapi": "FastAPI (pydantic)"}


def expected_answer(body: bytes) -> dict:
    order = json.loads(body)
    total = sum(item["quantity"] * item["unit_price"] for item in order["items"])
    return {"ok": True, "items": len(order["items"]), "total": round(total, 2)}


# -- HTTP ----------------------------------------------------------------------


def post(port: int, body: bytes, timeout: float = 5.0) -> tuple[int, list[tuple[str, str]], bytes]:
    return run.request(port, "POST", PATH, body, timeout)


class Server(run.Server):
    """run.Server, polled with the POST this benchmark sends (the apps serve
    no GET /plaintext)."""

    body = b""

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name}: granian exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                status, _, _ = post(self.port, self.body, timeout=1.0)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"{self.name}: no 200 on port {self.port} after {timeout:.0f} s\n{self.log_tail()}")


def verify(server: Server, body: bytes, broken: list[tuple[str, bytes]]) -> tuple[bytes, dict[str, str]]:
    """The valid body answers 200 with the expected JSON; every broken one 422.
    Returns the 200 body and headers, compared across contenders by the caller."""
    where = f"{server.name} POST {PATH}"
    status, headers, answer = post(server.port, body)
    if status != 200:
        raise BenchError(f"{where} (valid body): status {status}, body {answer[:300]!r}")
    try:
        got = json.loads(answer)
    except ValueError:
        raise BenchError(f"{where} (valid body): not JSON: {answer[:300]!r}") from None
    if got != expected_answer(body):
        raise BenchError(f"{where} (valid body): {got!r}, expected {expected_answer(body)!r}")
    for label, bad in broken:
        status, _, text = post(server.port, bad)
        if status != 422:
            raise BenchError(f"{where} ({label}): status {status}, expected 422 ({text[:200]!r})")
    return answer, {k.lower(): v for k, v in headers}


# -- in-process ------------------------------------------------------------------


def micro(body: bytes, broken: list[tuple[str, bytes]], calls: int, runs: int) -> list[tuple[str, float]]:
    """Median seconds per call of each validator over `runs` interleaved runs
    of `calls` calls. Checks first that they agree on the valid and the
    broken bodies."""
    sys.path.insert(0, str(run.APPS))
    import fastapi_app
    import heaven_schema_app
    import pydantic
    from heaven.errors import ValidationFailed
    from heaven._contracts.constraints import FORMATS

    if (FORMATS["email"], FORMATS["uuid"]) != (fastapi_app.EMAIL, fastapi_app.UUID):
        raise BenchError("fastapi_app.py's EMAIL/UUID patterns differ from heaven's format=email/uuid")
    contract = heaven_schema_app.contract
    model = fastapi_app.Order
    validators = [
        ("heaven: contract.decode(body)", contract.decode),
        ("pydantic: Order.model_validate_json(body)", model.model_validate_json),
        (
            # What FastAPI 0.16x does: json.loads in Request.json(), then the body
            # field's TypeAdapter (fastapi/_compat/v2.py ModelField.validate).
            "pydantic as FastAPI calls it: TypeAdapter(Order).validate_python(json.loads(body), from_attributes=True)",
            lambda b, _loads=json.loads, _v=pydantic.TypeAdapter(model).validate_python: _v(_loads(b), from_attributes=True),
        ),
        (
            "pydantic: Order.model_validate_json(body, strict=True)",
            lambda b, _v=model.model_validate_json: _v(b, strict=True),
        ),
    ]
    want = expected_answer(body)
    for name, fn in validators:
        order = fn(body)
        total = round(sum(i.quantity * i.unit_price for i in order.items), 2)
        if (len(order.items), total) != (want["items"], want["total"]):
            raise BenchError(f"{name}: validated body gives {len(order.items)} items, total {total}; expected {want}")
        for label, bad in broken:
            try:
                fn(bad)
            except (ValidationFailed, pydantic.ValidationError):
                continue
            raise BenchError(f"{name}: accepted the broken body ({label})")

    def timed(fn) -> float:
        start = time.perf_counter()
        for _ in range(calls):
            fn(body)
        return (time.perf_counter() - start) / calls

    for _, fn in validators:  # warm-up
        for _ in range(min(calls, 2000)):
            fn(body)
    samples: dict[str, list[float]] = {name: [] for name, _ in validators}
    gc.collect()
    for i in range(runs):
        shift = i % len(validators)
        for name, fn in validators[shift:] + validators[:shift]:
            samples[name].append(timed(fn))
    return [(name, statistics.median(samples[name])) for name, _ in validators]


# -- report ----------------------------------------------------------------------


def fmt_us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs"


def render(results, micro_rows, body, env, args, commands) -> str:
    out = [f"## Validating a {len(body):,}-byte JSON body: heaven `app.schema` vs FastAPI + pydantic", ""]
    if results:
        med = {c: statistics.median(r.rps for r in runs) for c, runs in results.items()}
        out += [
            f"`POST {PATH}` with `{BODY_FILE.relative_to(REPO)}` ({len(body):,} bytes), "
            f"{args.rounds} interleaved round(s) of {args.duration:g} s per contender (after a "
            f"{args.warmup:g} s warm-up), wrk with {args.threads} thread(s) and {args.connections} "
            "connections; median over rounds.",
            "",
            "| contender | req/s | min – max | p50 latency | p99 latency |",
            "|---|---:|---:|---:|---:|",
        ]
        for c, runs in results.items():
            lo, hi = min(r.rps for r in runs), max(r.rps for r in runs)
            p50 = statistics.median(r.p50_ms for r in runs)
            p99 = statistics.median(r.p99_ms for r in runs)
            out.append(f"| {LABELS[c]} | {med[c]:,.0f} | {lo:,.0f} – {hi:,.0f} | {fmt_ms(p50)} | {fmt_ms(p99)} |")
        if "heaven_schema" in med and "fastapi" in med:
            out += ["", f"heaven / FastAPI (median req/s): **{med['heaven_schema'] / med['fastapi']:.2f}**"]
        errors = {c: sum(sum(r.socket_errors.values()) for r in runs) for c, runs in results.items()}
        if any(errors.values()):
            out += ["", "wrk socket errors: " + ", ".join(f"{c}: {n}" for c, n in errors.items() if n)]
        out.append("")
    if micro_rows:
        base = micro_rows[0][1]
        out += [
            f"In-process validation of the same bytes (no server, no HTTP): median over {args.micro_runs} "
            f"interleaved runs of {args.micro_calls:,} calls, on CPU {args.server_cpu}.",
            "",
            "| validator | per call | calls/s | time vs heaven |",
            "|---|---:|---:|---:|",
        ]
        for name, sec in micro_rows:
            out.append(f"| {name} | {fmt_us(sec)} | {1 / sec:,.0f} | {sec / base:.2f} |")
        out.append("")
    out += ["Environment:", ""]
    out += [f"- {k}: {v}" for k, v in env.items()]
    if results:
        out += ["", "Commands (PORT is a free port, TARGET the contender's module in benches/http/apps/):", "", "```"]
        out += commands
        out += ["```"]
    out.append("")
    return "\n".join(out)


# -- main ------------------------------------------------------------------------


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument("--duration", type=float, default=10, help="seconds per measured wrk run (default 10)")
    p.add_argument(
        "--warmup", type=float, default=None, help="seconds of warm-up before each measured run (default min(3, duration))"
    )
    p.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    p.add_argument("--server-cpu", type=int, default=0, help="CPU granian (and the in-process timing) is pinned to (default 0)")
    p.add_argument("--client-cpu", type=int, default=1, help="CPU wrk is pinned to (default 1)")
    p.add_argument("--micro-calls", type=int, default=20_000, help="calls per in-process run (default 20000)")
    p.add_argument("--micro-runs", type=int, default=7, help="in-process runs (default 7)")
    p.add_argument("--no-micro", action="store_true", help="skip the in-process measurement")
    p.add_argument("--micro-only", action="store_true", help="only the in-process measurement (no server, no wrk)")
    p.add_argument("--markdown", type=Path, help="also write the result tables as markdown to this file")
    p.add_argument("--no-save", action="store_true", help=f"do not write raw results to {run.RESULTS.relative_to(REPO)}/")
    args = p.parse_args()
    if args.warmup is None:
        args.warmup = min(3.0, args.duration)
    if args.rounds < 1 or args.duration <= 0 or args.warmup < 0 or args.connections < 1 or args.threads < 1:
        raise SystemExit("--rounds, --duration, --connections and --threads must be positive")
    if args.micro_calls < 1 or args.micro_runs < 1:
        raise SystemExit("--micro-calls and --micro-runs must be positive")
    if args.no_micro and args.micro_only:
        raise SystemExit("--no-micro and --micro-only exclude each other")

    granian = str(Path(sys.executable).parent / "granian")
    if not os.access(granian, os.X_OK):
        granian = shutil.which("granian") or ""
    tools = (("granian", granian), ("wrk", shutil.which("wrk")), ("taskset", shutil.which("taskset")))
    missing = [name for name, path in tools if not path and not args.micro_only]
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)} (wrk: `apt-get install wrk`; granian: in the venv)")
    cpus = os.sched_getaffinity(0)
    for flag, cpu in (("--server-cpu", args.server_cpu), ("--client-cpu", args.client_cpu)):
        if cpu not in cpus:
            raise SystemExit(f"{flag} {cpu}: not an available CPU ({sorted(cpus)})")
    if args.server_cpu == args.client_cpu:
        print("warning: server and wrk share a CPU; numbers will be lower and noisier", file=sys.stderr)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, run._on_signal)
    signal.signal(signal.SIGHUP, run._on_signal)

    body = run.load_body()
    broken = run.broken_bodies(body)
    Server.body = body
    env = run.environment(granian)
    for dist in ("fastapi", "pydantic", "pydantic-core"):
        env[dist] = run.dist_version(dist)
    env["body"] = f"{BODY_FILE.relative_to(REPO)}, {len(body):,} bytes"

    def wrk_for(seconds: float, url: str) -> list[str]:
        return run.wrk_post_cmd(args.client_cpu, args.threads, args.connections, seconds, url)

    def shown(cmd: list[str]) -> str:
        return shlex.join(cmd).replace(str(HERE), str(HERE.relative_to(REPO)))

    url = f"http://{HOST}:PORT{PATH}"
    commands = [
        shown(run.granian_cmd(Path(granian).name, "TARGET", 0, args.server_cpu)).replace("--port 0", "--port PORT"),
        shown(wrk_for(args.warmup, url)) + "   # warm-up",
        shown(wrk_for(args.duration, url)) + "   # measured",
    ]
    commands += [f"# {c}: TARGET={t}" for c, t in CONTENDERS.items()]
    for k, v in env.items():
        print(f"{k:>13}: {v}")
    if not args.micro_only:
        print("\n".join(["", "commands:"] + [f"  {c}" for c in commands] + [""]))
        per_round = len(CONTENDERS) * (args.duration + args.warmup)
        print(f"about {per_round * args.rounds / 60:.1f} min of load ({args.rounds} rounds)\n", flush=True)

    results: dict[str, list[run.Run]] = {} if args.micro_only else {c: [] for c in CONTENDERS}
    micro_rows: list[tuple[str, float]] = []
    logdir = Path(tempfile.mkdtemp(prefix="heaven-validate-bench-"))
    try:
        if not args.no_micro:
            saved = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {args.server_cpu})
            try:
                micro_rows = micro(body, broken, args.micro_calls, args.micro_runs)
            finally:
                os.sched_setaffinity(0, saved)
            for name, sec in micro_rows:
                print(f"in-process  {fmt_us(sec):>10}  {name}")
            print(flush=True)

        if not args.micro_only:
            answers = {}
            for c in CONTENDERS:
                with Server(c, granian, args.server_cpu, logdir, CONTENDERS[c]) as srv:
                    answers[c] = verify(srv, body, broken)
            (a_body, a_head), (b_body, b_head) = answers.values()
            if a_body != b_body:
                raise BenchError(f"the contenders answer differently: {a_body!r} vs {b_body!r}")
            for h in ("content-type", "content-length"):
                if a_head.get(h) != b_head.get(h):
                    raise BenchError(f"{h}: {a_head.get(h)!r} vs {b_head.get(h)!r}")
            if sorted(a_head) != sorted(b_head):
                print(f"note: header names differ: {sorted(a_head)} vs {sorted(b_head)}", file=sys.stderr)
            print(f"preflight ok: both answer {a_body.decode()} ({a_head.get('content-type')}) to the valid body "
                  f"and 422 to: {'; '.join(label for label, _ in broken)}\n", flush=True)

            names = list(CONTENDERS)
            for rnd in range(args.rounds):
                shift = rnd % len(names)
                for c in names[shift:] + names[:shift]:
                    with Server(c, granian, args.server_cpu, logdir, CONTENDERS[c]) as srv:
                        verify(srv, body, broken[:1])
                        real = f"http://{HOST}:{srv.port}{PATH}"
                        if args.warmup > 0:
                            run.run_wrk(wrk_for(args.warmup, real), args.warmup, len(body))
                        r = run.run_wrk(wrk_for(args.duration, real), args.duration, len(body))
                        results[c].append(r)
                        errs = f"  socket errors {r.socket_errors}" if any(r.socket_errors.values()) else ""
                        print(f"round {rnd + 1}/{args.rounds}  {c:<14} {r.rps:>10,.0f} req/s"
                              f"  p50 {fmt_ms(r.p50_ms):>9}  p99 {fmt_ms(r.p99_ms):>9}{errs}", flush=True)
    except BenchError as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        run.stop_all()
        shutil.rmtree(logdir, ignore_errors=True)

    report = render(results, micro_rows, body, env, args, commands)
    print()
    print(report)
    if args.markdown:
        args.markdown.write_text(report)
        print(f"wrote {args.markdown}")
    if not args.no_save:
        run.RESULTS.mkdir(exist_ok=True)
        raw = run.RESULTS / f"validate-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
        raw.write_text(
            json.dumps(
                {
                    "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                    "environment": env,
                    "commands": commands,
                    "runs": [
                        {"contender": c, "round": i + 1, **vars(r)} for c, runs in results.items() for i, r in enumerate(runs)
                    ],
                    "micro_seconds_per_call": dict(micro_rows),
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
        run.stop_all()
