#!/usr/bin/env python3
"""Cold start and memory: heaven against Starlette, FastAPI, Litestar,
BlackSheep and the original Heaven 2.4.3. See benches/http/README.md
("Cold start and memory: startup.py").

    .venv/bin/python benches/startup.py                     # 15 runs per timing, 3 server starts per app (~4 min)
    .venv/bin/python benches/startup.py --runs 5 --rss-rounds 1   # smoke run (~1 min)
    .venv/bin/python benches/startup.py --markdown /tmp/startup.md

Per framework, in fresh interpreters pinned to one CPU, median of --runs
(interleaved, the order rotating), timed inside the interpreter as CPU time
(`time.process_time()`: on a machine shared with other work, the time the
process waited for the CPU is left out, and so are the interpreter's own
start-up and shutdown, the same for everyone), one program per run:

1. import: `import startup_X` (benches/http/apps/startup_X.py), i.e. the
   framework imports a small app needs (e.g. `from heaven import App`);
2. build: then `startup_X.table()`, the app with 1,000 routes (those of
   extra_routes.py and the two-parameter route: the `app_1000` of the HTTP
   bench), minus one `extra_routes.patterns()` call timed just before
   (reading the route list is the bench's work, not the framework's);
   the table shows import + build and the build alone;
3. memory: granian (`--workers 1`, uvloop, `--factory startup_X:small` or
   `:table`) is started, polled until the app answers, left idle 1 s, and
   the VmRSS of its worker process is read from /proc (granian's main
   process is a supervisor that imports no app: its RSS is shown apart).

Uses run.py's server handling; standard library only.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HTTP = Path(__file__).resolve().parent / "http"
sys.path.insert(0, str(HTTP))

import procs  # noqa: E402  (benches/http/procs.py: worker pid, VmRSS)
import run  # noqa: E402  (benches/http/run.py: Server, environment, helpers)
from run import APPS, HEAVEN243_VENV, BenchError  # noqa: E402

PARAMS_PATH = "/users/42/posts/7"


@dataclass(frozen=True)
class Contender:
    module: str | None  # apps/startup_X.py; None: no import timing (the floors)
    interface: str = "asgi"
    venv: Path | None = None  # None: this interpreter's
    small: str = "small"  # the factories granian serves
    table: str | None = "table"
    same_as: str | None = None  # import timings are another contender's (same code)
    needs: tuple[str, ...] = ()
    floor: str = "bare"  # the raw app in the same venv and interface: the memory baseline

    def python(self) -> str:
        return str(self.venv / "bin" / "python") if self.venv else sys.executable


CONTENDERS = {
    "heaven": Contender("startup_heaven", needs=("heaven",)),
    "heaven_rsgi": Contender("startup_heaven", "rsgi", same_as="heaven", needs=("heaven",), floor="bare_rsgi"),
    "heaven_243": Contender("startup_heaven", venv=HEAVEN243_VENV, floor="bare_243"),
    "starlette": Contender("startup_starlette", needs=("starlette",)),
    "fastapi": Contender("startup_fastapi", needs=("fastapi",)),
    "litestar": Contender("startup_litestar", needs=("litestar",)),
    "blacksheep": Contender("startup_blacksheep", needs=("blacksheep",)),
    "bare": Contender(None, small="asgi", table=None),
    "bare_rsgi": Contender(None, "rsgi", small="rsgi", table=None, floor="bare_rsgi"),
    # The same raw app served from Heaven 2.4.3's venv (its own granian and
    # site-packages): heaven_243's baseline.
    "bare_243": Contender(None, venv=HEAVEN243_VENV, small="asgi", table=None, floor="bare_243"),
}
FLOOR_MODULE = "startup_bare"


def imports_of(module: str) -> str:
    """The module's top-level import statements, as one line of code."""
    tree = ast.parse((APPS / f"{module}.py").read_text())
    return "; ".join(ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom))


def program_for(c: Contender) -> str:
    """The -c program timed for a contender: it prints the seconds its
    startup module's import took, then those building the 1,000-route app
    took (reading the route list, timed just before, taken out)."""
    assert c.module is not None
    return (
        "from time import process_time as now\n"
        f"t = now()\nimport {c.module}\nimported = now() - t\n"
        "import extra_routes\nt = now()\nextra_routes.patterns()\nread = now() - t\n"
        f"t = now()\n{c.module}.table()\nbuilt = now() - t - read\n"
        "print(imported, built)"
    )


# Every interpreter may write and use .pyc files (the warm-up run writes them):
# pip compiles the peers' at install time, while an editable heaven under
# PYTHONDONTWRITEBYTECODE=1 would be compiled from source at every start.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(python: str, code: str, cpu: int) -> list[float]:
    cmd = ["taskset", "-c", str(cpu), python, "-c", code]
    proc = subprocess.run(cmd, cwd=APPS, env=CHILD_ENV, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BenchError(f"{python} -c {code!r} failed:\n{proc.stderr}")
    return [float(x) for x in proc.stdout.split()]


def measure_times(names: list[str], runs: int, cpu: int) -> dict[str, dict[str, list[float]]]:
    """Per contender: "import", "build" and their sum "total", one value per run."""
    timed_names = [n for n in names if CONTENDERS[n].module and not CONTENDERS[n].same_as]
    out: dict[str, dict[str, list[float]]] = {n: {"import": [], "build": [], "total": []} for n in timed_names}
    for n in timed_names:  # warm-up: .pyc files written, the page cache filled
        timed(CONTENDERS[n].python(), program_for(CONTENDERS[n]), cpu)
    for r in range(runs):
        shift = r % max(1, len(timed_names))
        for n in timed_names[shift:] + timed_names[:shift]:
            imported, built = timed(CONTENDERS[n].python(), program_for(CONTENDERS[n]), cpu)
            out[n]["import"].append(imported)
            out[n]["build"].append(built)
            out[n]["total"].append(imported + built)
        print(f"timings: run {r + 1}/{runs} done", flush=True)
    return out


@dataclass
class Memory:
    worker_kib: int
    supervisor_kib: int


def measure_memory(name: str, factory: str, granian: str, cpu: int, logdir: Path) -> Memory:
    c = CONTENDERS[name]
    module = c.module or FLOOR_MODULE
    target = f"{module}:{factory}"
    ready = ("GET", "/plaintext" if factory != "table" else PARAMS_PATH, None)
    gran = str(c.venv / "bin" / "granian") if c.venv else granian
    srv = run.Server(f"{name}-{factory}", gran, cpu, logdir, target, c.interface, ready)
    srv.cmd.insert(srv.cmd.index(target), "--factory")  # the module builds nothing on import
    with srv:
        status, _, body = run.request(srv.port, *ready)
        if status != 200:
            raise BenchError(f"{name} {target}: GET {ready[1]} answered {status} {body[:100]!r}")
        time.sleep(1.0)  # idle: whatever the first requests allocated has settled
        assert srv.proc is not None
        supervisor = srv.proc.pid
        worker = procs.worker(supervisor)
        return Memory(procs.rss_kib(worker), procs.rss_kib(supervisor))


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def render(names, times, memory, args, env) -> str:
    def ms(n: str, kind: str) -> float | None:
        src = CONTENDERS[n].same_as or n
        return statistics.median(times[src][kind]) * 1e3 if src in times else None

    def span(values: list[int]) -> str:
        return mib(statistics.median(values)) + (f" ({mib(min(values))} – {mib(max(values))})" if len(values) > 1 else "")

    out = [
        "## Cold start and memory (startup.py)",
        "",
        f"Import and build times: median of {args.runs} fresh interpreters (pinned to CPU {args.cpu}), timed inside "
        "each as CPU time (`time.process_time()`): `import startup_X`, then building the 1,000-route app (`startup_X.table()`, reading the route list "
        "taken out). Memory: "
        f"VmRSS of granian's one worker process, idle after answering, median of {args.rss_rounds} start(s) "
        "(min – max); granian's supervisor process (which imports no app) apart.",
        "",
        "| contender | import (ms) | import + build, 1,000 routes (ms) | of which the build (ms) | worker RSS, small app (MiB) | "
        "worker RSS, 1,000 routes (MiB) | small app over the floor (MiB) | supervisor RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in names:
        imp, tab, build = ms(n, "import"), ms(n, "total"), ms(n, "build")
        small = memory.get((n, "small"), [])
        table = memory.get((n, "table"), [])
        sup = [m.supervisor_kib for m in small + table]
        same = f" (= {CONTENDERS[n].same_as})" if CONTENDERS[n].same_as and imp is not None else ""
        floor = memory.get((CONTENDERS[n].floor, "small"), [])
        over = "–"
        if small and floor and CONTENDERS[n].floor != n:
            extra = statistics.median(m.worker_kib for m in small) - statistics.median(m.worker_kib for m in floor)
            over = f"{extra / 1024:+.1f} ({CONTENDERS[n].floor})"
        out.append(
            f"| {n} | {f'{imp:.0f}{same}' if imp is not None else '–'} | {f'{tab:.0f}' if tab is not None else '–'} | "
            f"{f'{build:.1f}' if build is not None else '–'} | "
            f"{span([m.worker_kib for m in small]) if small else '–'} | "
            f"{span([m.worker_kib for m in table]) if table else '–'} | {over} | "
            f"{mib(statistics.median(sup)) if sup else '–'} |"
        )
    out += [
        "",
        "What each contender imports (the `import` column) and builds (benches/http/apps/startup_*.py):",
        "",
    ]
    out += [f"- {n}: `{imports_of(CONTENDERS[n].module)}`" for n in names if CONTENDERS[n].module and not CONTENDERS[n].same_as]
    out += [
        "- bare, bare_rsgi, bare_243: apps/startup_bare.py, a raw app importing nothing: the floor of the memory columns "
        "(bare_243: served from Heaven 2.4.3's venv, whose granian starts smaller than the project venv's), which the "
        "`over the floor` column subtracts from the small app's worker RSS (same venv, same interface)"
    ]
    out += ["", "Environment:", ""] + [f"- {k}: {v}" for k, v in env.items()] + [""]
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=15, help="fresh interpreters per timing (default 15)")
    p.add_argument("--rss-rounds", type=int, default=3, help="server starts per contender and app (default 3)")
    p.add_argument("--only", help=f"contenders, comma-separated (default all: {','.join(CONTENDERS)})")
    p.add_argument("--cpu", type=int, default=0, help="the CPU everything measured is pinned to (default 0)")
    p.add_argument("--markdown", type=Path, help="also write the table as markdown to this file")
    p.add_argument("--no-save", action="store_true", help=f"do not write raw results to {run.RESULTS.relative_to(run.REPO)}/")
    args = p.parse_args()
    if args.runs < 1 or args.rss_rounds < 1:
        raise SystemExit("--runs and --rss-rounds must be positive")
    names = run.choose(args.only, CONTENDERS, "contender")
    # heaven_rsgi's import timings are heaven's: time heaven whenever it is asked for.
    timing = sorted({CONTENDERS[n].same_as or n for n in names}, key=list(CONTENDERS).index)
    missing = [n for n in timing if CONTENDERS[n].venv and not (CONTENDERS[n].venv / "bin" / "granian").exists()]
    missing += [n for n in timing if any(importlib.util.find_spec(m) is None for m in CONTENDERS[n].needs)]
    if missing:
        raise SystemExit(f"missing peers: {', '.join(missing)} (run `bash benches/http/setup_peers.sh`, or use --only)")
    granian = str(Path(sys.executable).parent / "granian")
    if shutil.which(granian) is None or shutil.which("taskset") is None:
        raise SystemExit("missing: granian (in the venv) or taskset (util-linux)")
    signal.signal(signal.SIGTERM, run._on_signal)
    env = run.environment(granian, ["heaven_243"] if "heaven_243" in names else [])
    del env["wrk"]
    logdir = Path(tempfile.mkdtemp(prefix="heaven-startup-bench-"))
    memory: dict[tuple[str, str], list[Memory]] = {}
    try:
        times = measure_times(timing, args.runs, args.cpu)
        for r in range(args.rss_rounds):
            shift = r % len(names)
            for n in names[shift:] + names[:shift]:
                c = CONTENDERS[n]
                for kind, factory in (("small", c.small), ("table", c.table)):
                    if factory is None:
                        continue
                    m = measure_memory(n, factory, granian, args.cpu, logdir)
                    memory.setdefault((n, kind), []).append(m)
                    print(f"memory: round {r + 1}/{args.rss_rounds}  {n:<12} {kind:<6} worker {mib(m.worker_kib):>6} MiB  "
                          f"supervisor {mib(m.supervisor_kib):>6} MiB", flush=True)  # fmt: skip
    except (BenchError, KeyboardInterrupt) as exc:
        return run.failed(exc)
    finally:
        run.stop_all()
        shutil.rmtree(logdir, ignore_errors=True)
    report = render(names, times, memory, args, env)
    runs = [{"contender": n, **{kind: values for kind, values in t.items()}} for n, t in times.items()]
    runs += [{"contender": n, "app": app, "round": i + 1, **vars(m)} for (n, app), ms in memory.items() for i, m in enumerate(ms)]
    run.publish(report, args, env, [], runs, prefix="startup-")
    return 0


if __name__ == "__main__":
    sys.exit(main())  # main() stops every server it started, whatever happens
