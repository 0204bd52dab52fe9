"""In-process cost of one request: the app's ASGI call with a scope shaped
like granian's, a no-op send, and no server. Shows what heaven itself adds
on top of a bare ASGI app, without the server's share of the work.

    .venv/bin/python benches/dispatch.py
    .venv/bin/python benches/dispatch.py --against /tmp/venv-old/bin/python   # before/after
    .venv/bin/python benches/dispatch.py --against /tmp/before   # a copy of an earlier python/ tree

With `--against`, this script and the other copy of heaven (another
interpreter's, or the `heaven` package in a directory, put first on
PYTHONPATH) are run alternately (`--rounds` times each) and the medians
compared side by side. Every case calls the HTTP bench's heaven app
(benches/http/apps/heaven_app.py) at the endpoint of the same name.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CASES = (
    "bare", "plaintext", "json", "params", "hooks", "validate", "resolve_params",
    "bare_rsgi", "rsgi_plaintext", "rsgi_json", "rsgi_params", "rsgi_hooks", "rsgi_validate",
)  # fmt: skip
APPS = Path(__file__).resolve().parent / "http" / "apps"
ORDER = (Path(__file__).resolve().parent / "http" / "validate_body.json").read_bytes().rstrip()


def scope(path: str, method: str = "GET", body: bytes = b"") -> dict:
    headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), (b"accept", b"*/*")]
    if method == "POST":
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", "8000"),
        "client": ("127.0.0.1", "50000"),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }


class _RsgiHeaders(dict):
    """Stands in for granian's RSGIHeaders, a native object whose `get` and
    `items` are C calls: dict's own methods are, where a Python `get` would
    charge heaven a frame per header read that granian never costs."""

    __slots__ = ()


class _RsgiScope:
    """Stands in for granian's RSGI scope (attributes only)."""

    __slots__ = ("proto", "method", "path", "query_string", "headers", "server", "client", "scheme")

    def __init__(self, path: str, method: str = "GET", body: bytes = b"") -> None:
        self.proto, self.method, self.path, self.query_string, self.scheme = "http", method, path, "", "http"
        headers = {"host": "127.0.0.1:8000", "user-agent": "wrk", "accept": "*/*"}
        if method == "POST":
            headers.update({"content-type": "application/json", "content-length": str(len(body))})
        self.headers = _RsgiHeaders(headers)
        self.server, self.client = "127.0.0.1:8000", "127.0.0.1:50000"


class _RsgiProto:
    def __init__(self, body: bytes = b"") -> None:
        self.body = body

    async def __call__(self) -> bytes:
        return self.body

    def __aiter__(self):
        return self._chunks()

    async def _chunks(self):
        yield self.body

    def response_str(self, status, headers, body):
        pass

    def response_bytes(self, status, headers, body):
        pass


async def bare_rsgi(scope, proto):
    proto.response_bytes(200, [("content-type", "text/plain")], b"Hello, World!")


async def measure_rsgi(call, scope, n: int, body: bytes = b"") -> float:
    proto = _RsgiProto(body)
    for _ in range(n // 10):
        await call(scope, proto)
    start = time.perf_counter()
    for _ in range(n):
        await call(scope, proto)
    return (time.perf_counter() - start) / n * 1e9


def build():
    """The HTTP bench's heaven app (benches/http/apps/heaven_app.py), so both
    benches time the same handlers, hooks and contract."""
    sys.path.insert(0, str(APPS))
    from heaven_app import build as build_bench_app

    return build_bench_app()


# The path each case requests (`params_1000`: the params route, behind 1,000 others).
PATHS = {
    "plaintext": "/plaintext", "json": "/json", "params": "/users/42/posts/7",
    "params_1000": "/users/42/posts/7", "hooks": "/hooks", "validate": "/validate",
}  # fmt: skip


def build_1000():
    """The HTTP bench's `params_1000` app: its params route behind 1,000 others."""
    sys.path.insert(0, str(APPS))
    from heaven_app import build_1000 as build_bench_table

    return build_bench_table()


async def bare(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain"), (b"content-length", b"13")]})
    await send({"type": "http.response.body", "body": b"Hello, World!"})


async def measure(call, target, n: int, body: bytes = b"") -> float:
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        return None

    for _ in range(n // 10):
        await call(target, receive, send)
    start = time.perf_counter()
    for _ in range(n):
        await call(target, receive, send)
    return (time.perf_counter() - start) / n * 1e9


def run_once(n: int) -> dict[str, float]:
    app = build()
    matcher = app._compile()
    out = {
        "bare": asyncio.run(measure(bare, scope("/plaintext"), n)),
        "plaintext": asyncio.run(measure(app, scope("/plaintext"), n)),
        "json": asyncio.run(measure(app, scope("/json"), n)),
        "params": asyncio.run(measure(app, scope("/users/42/posts/7"), n)),
        "hooks": asyncio.run(measure(app, scope("/hooks"), n)),
        "validate": asyncio.run(measure(app, scope("/validate", "POST", ORDER), n, ORDER)),
    }
    s = scope("/users/42/posts/7")
    route = getattr(matcher, "route", None) or matcher.resolve  # `resolve` before the one-lifecycle change
    start = time.perf_counter()
    for _ in range(n):
        route(s).params
    out["resolve_params"] = (time.perf_counter() - start) / n * 1e9
    if hasattr(app, "__rsgi__"):
        rsgi = app.__rsgi__
        out["bare_rsgi"] = asyncio.run(measure_rsgi(bare_rsgi, _RsgiScope("/plaintext"), n))
        out["rsgi_plaintext"] = asyncio.run(measure_rsgi(rsgi, _RsgiScope("/plaintext"), n))
        out["rsgi_json"] = asyncio.run(measure_rsgi(rsgi, _RsgiScope("/json"), n))
        out["rsgi_params"] = asyncio.run(measure_rsgi(rsgi, _RsgiScope("/users/42/posts/7"), n))
        out["rsgi_hooks"] = asyncio.run(measure_rsgi(rsgi, _RsgiScope("/hooks"), n))
        out["rsgi_validate"] = asyncio.run(measure_rsgi(rsgi, _RsgiScope("/validate", "POST", ORDER), n, ORDER))
    return out


def profile(case: str, n: int, top: int) -> None:
    """cProfile of one case: where a request's time goes, function by function."""
    import cProfile
    import pstats

    app = build()
    app._compile()
    rsgi = case.startswith("rsgi_")
    path = PATHS[case.removeprefix("rsgi_")]
    method, body = ("POST", ORDER) if path == "/validate" else ("GET", b"")

    async def run() -> None:
        if rsgi:
            await measure_rsgi(app.__rsgi__, _RsgiScope(path, method, body), n, body)
        else:
            await measure(app, scope(path, method, body), n, body)

    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run())
    profiler.disable()
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(top)


def table(columns: dict[str, list[dict[str, float]]]) -> str:
    names = list(columns)
    lines = ["| case | " + " | ".join(f"{n} (ns)" for n in names) + (" | ratio |" if len(names) == 2 else " |")]
    lines.append("|---|" + "---:|" * (len(names) + (1 if len(names) == 2 else 0)))
    for case in CASES:
        if not all(case in r for n in names for r in columns[n]):
            continue  # an older heaven without RSGI
        medians = [statistics.median(r[case] for r in columns[n]) for n in names]
        cells = " | ".join(f"{m:,.0f}" for m in medians)
        ratio = f" | {medians[0] / medians[1]:.2f}× |" if len(names) == 2 else " |"
        lines.append(f"| {case} | {cells}{ratio}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100_000, help="calls per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", help="another python whose heaven is the 'before'")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", metavar="CASE", help="print a cProfile of a case: plaintext|json|params|hooks|validate, or rsgi_ + one of them")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    if args.profile:
        profile(args.profile, args.n, args.top)
        return 0
    if args.once:
        print(json.dumps(run_once(args.n)))
        return 0
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []} if args.against else {"heaven": []}
    for _ in range(args.rounds):
        pythons = [("before", args.against), ("after", sys.executable)] if args.against else [("heaven", sys.executable)]
        for label, python in pythons:
            env = None
            if os.path.isdir(python):  # a directory holding an earlier `heaven` package
                env = {**os.environ, "PYTHONPATH": python}
                python = sys.executable
            done = subprocess.run(
                [python, __file__, "--once", "-n", str(args.n)], capture_output=True, text=True, check=True, env=env
            )
            runs[label].append(json.loads(done.stdout))
    print(f"median of {args.rounds} rounds, {args.n:,} calls each (ratio: before / after, >1 is faster now)\n")
    print(table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
