"""The app tests/e2e/test_middleware_e2e.py serves: heaven's own middleware
(request ids, trusted hosts, compression), an AROUND hook that times every
request, and an HTTPS redirect under /secure/. `stamped` is the same app
kind wrapped by a plain ASGI middleware (served on ASGI only)."""

import logging
import time

from heaven import App, HTTPError
from heaven.middleware import Compression, HttpsRedirect, RequestId, TrustedHosts

logging.basicConfig(format="%(levelname)s %(request_id)s %(message)s", level=logging.INFO)

TEXT = "heaven " * 300


async def timed(req, res, ctx, call_next):
    started = time.perf_counter()
    try:
        await call_next()
    finally:
        res.header("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.3f}")


def make() -> App:
    app = App()
    app.use(RequestId())
    app.use(TrustedHosts(["127.0.0.1", "localhost"]))
    app.use(Compression(minimum=500))
    app.AROUND("/*", timed)
    app.AROUND("/secure/*", HttpsRedirect(trust_forwarded=True))
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "up"))
    app.GET("/text", lambda req, res, ctx: setattr(res, "body", TEXT))
    app.GET("/id", lambda req, res, ctx: setattr(res, "body", {"id": req.id}))
    app.GET("/secure/page", lambda req, res, ctx: setattr(res, "body", "secret"))

    def fail(req, res, ctx):
        logging.getLogger("heaven").warning("failing on purpose")
        raise HTTPError("nope", status=409)

    app.GET("/fail", fail)
    return app


app = make()


class Stamp:
    """A plain ASGI middleware that marks every HTTP answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def stamped(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-stamp", b"asgi")]
            await send(message)

        await self.app(scope, receive, stamped if scope["type"] == "http" else send)


stamped = make()
stamped.use(Stamp)
