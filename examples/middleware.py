"""Middleware in heaven's style (docs/middleware.md): request ids in every
response and log line, trusted hosts, gzip for large answers, and an AROUND
hook that times every request into a Server-Timing header.

    .venv/bin/heaven run middleware:app --working-dir examples
    curl -si --compressed localhost:8000/catalog -H 'X-Request-ID: demo-1'
"""

import logging
import time

from heaven import App
from heaven.middleware import Compression, RequestId, RequestIdFilter, TrustedHosts

log = logging.getLogger("heaven")
if not log.handlers:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(request_id)s %(levelname)s %(message)s"))
    log.addHandler(handler)

app = App()
app.use(RequestId())
app.use(TrustedHosts(["localhost", "127.0.0.1", "testserver", "*.example.com"]))
app.use(Compression(minimum=500))


@app.AROUND("/*")
async def timed(req, res, ctx, call_next):
    started = time.perf_counter()
    try:
        await call_next()
    finally:
        res.header("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.2f}")


CATALOG = [{"sku": f"sku-{n:04d}", "name": f"Item {n}", "price": n * 3 + 0.99} for n in range(1, 101)]


@app.GET("/catalog")
async def catalog(req, res, ctx):
    log.info("listing %d items", len(CATALOG))
    res.body = CATALOG


@app.GET("/health")
async def health(req, res, ctx):
    res.body = {"ok": True, "request": req.id}
