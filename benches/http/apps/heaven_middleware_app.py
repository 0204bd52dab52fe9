"""The app benches/http/middleware.py serves (as `heaven` over ASGI and
`heaven_rsgi` over RSGI): the same answers with and without middleware, so
each scenario's cost is the difference from its baseline.

- `/plaintext`: no middleware (the baseline for the AROUND scenarios).
- `/around/plaintext`: one async AROUND hook that awaits `call_next()`.
- `/around-sync/plaintext`: one sync AROUND hook that returns `call_next()`.
- `/report`: a 2,000-odd-byte JSON body, no middleware (the baseline for
  compression).
- `/gzip/report`: the same body under `Compression()` (requested with and
  without `Accept-Encoding: gzip`).
- `/gzip/plaintext`: `Hello, World!` under `Compression()`: below its
  minimum, the cost of deciding not to compress.
"""

from heaven import App
from heaven.middleware import Compression

REPORT = {"rows": [{"id": i, "name": f"item {i}", "price": round(i * 1.25, 2), "tags": ["a", "b"]} for i in range(40)]}


async def plaintext(req, res, ctx):
    res.body = "Hello, World!"


async def report(req, res, ctx):
    res.body = REPORT


async def passing(req, res, ctx, call_next):
    await call_next()


def passing_sync(req, res, ctx, call_next):
    return call_next()


def build() -> App:
    app = App()
    app.GET("/plaintext", plaintext)
    app.GET("/around/plaintext", plaintext)
    app.AROUND("/around/*", passing)
    app.GET("/around-sync/plaintext", plaintext)
    app.AROUND("/around-sync/*", passing_sync)
    app.GET("/report", report)
    app.GET("/gzip/report", report)
    app.GET("/gzip/plaintext", plaintext)
    app.AROUND("/gzip/*", Compression())
    return app


app = build()
