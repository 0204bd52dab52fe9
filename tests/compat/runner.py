"""Runs the differential workload under whichever `heaven` this interpreter
imports and writes the records as JSON:

    <python> tests/compat/runner.py OUT.json [--tables N] [--seed S]

tests/compat/test_differential.py runs it twice, with heaven's venv and with
the venv of PyPI's heaven 2.4.3, and compares the two files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)  # both frameworks log handled 500s; the records keep what matters

import heaven  # noqa: E402

from apps import APPS, show  # noqa: E402
from drive import Lifespan, call_asgi, call_earth, error_names  # noqa: E402
from fuzz import PAIRS, PATTERNS, random_pattern, request_paths, route_table  # noqa: E402


def quiet():
    """2.4.3 prints its lifecycle and handled 500s (with tracebacks) to stdout
    and stderr; the records keep what matters, and go to a file."""
    sys.stdout = sys.stderr = open("/dev/null", "w")


async def run_apps(names: list[str]) -> dict:
    out = {}
    for name in names:
        try:
            app, requests = APPS[name]()
        except Exception as exc:
            out[name] = {"build": error_names(exc)}
            continue
        lifespan = Lifespan(app)
        started = await lifespan.startup()
        records = {}
        for request in requests:
            record = {"asgi": await call_asgi(app, request)}
            if request.get("earth"):
                async with app.earth.test():
                    record["earth"] = await call_earth(app, request)
            records[request["id"]] = record
        stopped = await lifespan.shutdown()
        out[name] = {"lifespan": [started, stopped], "requests": records}
    return out


def _route_handler(index: int):
    def handler(req, res, ctx):
        res.body = {"r": index, "p": show(req.params), "q": show(req.queries)}
    return handler


async def run_fuzz(tables: int, seed: int) -> list:
    out = []
    rng = random.Random(seed)
    for _ in range(tables):
        routes = route_table(rng)
        paths = request_paths(rng, routes)
        app = heaven.App()
        accepted = []
        for index, route in enumerate(routes):
            try:
                app.GET(route, _route_handler(index))
                accepted.append("ok")
            except Exception as exc:
                accepted.append(error_names(exc))
        answers = []
        for path in paths:
            record = await call_asgi(app, {"path": path})
            body = record.get("body", {}).get("text")
            answers.append([record.get("status"), json.loads(body) if record.get("status") == 200 else None,
                            record.get("raised")])
        out.append({"routes": routes, "accepted": accepted, "paths": paths, "answers": answers})
    return out


def register(pattern: str, kind: str, app=None) -> object:
    app = app or heaven.App()
    try:
        if kind == "GET":
            app.GET(pattern, lambda req, res, ctx: None)
        else:
            app.BEFORE(pattern, lambda req, res, ctx: None)
        return "ok"
    except Exception as exc:
        return error_names(exc)


def run_registrations(seed: int, count: int) -> dict:
    rng = random.Random(seed)
    patterns = PATTERNS + [random_pattern(rng) for _ in range(count)]
    singles = [[p, kind, register(p, kind)] for p in patterns for kind in ("GET", "BEFORE")]
    pairs = []
    for first, second in PAIRS:
        app = heaven.App()
        pairs.append([first, second, register(first, "GET", app), register(second, "GET", app)])
    return {"singles": singles, "pairs": pairs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--tables", type=int, default=120)
    parser.add_argument("--patterns", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20240229)
    parser.add_argument("--apps", default="")
    args = parser.parse_args()
    quiet()
    names = [n for n in args.apps.split(",") if n] or list(APPS)
    result = {
        "heaven": getattr(heaven, "__version__", "?"),
        "apps": asyncio.run(run_apps(names)),
        "fuzz": asyncio.run(run_fuzz(args.tables, args.seed)),
        "registrations": run_registrations(args.seed, args.patterns),
    }
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    stderr = sys.stderr
    try:
        main()
    except BaseException:
        import traceback

        traceback.print_exc(file=stderr)
        raise SystemExit(1)
