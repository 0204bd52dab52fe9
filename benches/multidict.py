"""How reading `req.queries` grows with the number of names: every view
(items, keys, len, values, iteration, dict conversion) of a query string of
1,000 and of 16,000 names, read inside a handler through the ASGI callable.
Linear views cost about 16x for 16x the names; the quadratic ones this
replaced cost about 250x (16,000 names took seconds).

    .venv/bin/python benches/multidict.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from heaven import App

SIZES = (1_000, 16_000)


def read_every_view(queries) -> None:
    list(queries.items()), list(queries.keys()), len(queries), list(queries.values())
    dict(queries), queries.to_dict(), [name for name in queries]


def best_seconds(names: int, rounds: int) -> tuple[float, float]:
    """(best, worst) seconds over `rounds` requests, each building its view anew."""
    timings: list[float] = []

    def handler(req, res, ctx):
        started = time.perf_counter()
        read_every_view(req.queries)
        timings.append(time.perf_counter() - started)

    app = App()
    app.GET("/q", handler)
    query = "&".join(f"n{i}={i}" for i in range(names)).encode()
    scope = {
        "type": "http", "method": "GET", "path": "/q", "raw_path": b"/q", "query_string": query,
        "headers": [(b"host", b"bench")], "scheme": "http", "client": ("127.0.0.1", 1), "server": ("bench", 80),
    }  # fmt: skip

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    async def run():
        for _ in range(rounds):
            await app(scope, receive, send)

    asyncio.run(run())
    return min(timings), max(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    results = {n: best_seconds(n, args.rounds) for n in SIZES}
    print("| names | best ms | worst ms |")
    print("|---:|---:|---:|")
    for n, (best, worst) in results.items():
        print(f"| {n:,} | {best * 1e3:.2f} | {worst * 1e3:.2f} |")
    small, large = results[SIZES[0]][0], results[SIZES[1]][0]
    print(f"\n16x the names: {large / small:.1f}x the time (best of {args.rounds})")


if __name__ == "__main__":
    main()
