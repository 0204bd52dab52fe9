"""The floors of benches/startup.py's memory table: the least an app can be
under granian, a raw ASGI app (`asgi()`) and a raw RSGI app (`rsgi()`)
answering GET /plaintext, importing nothing. Factories, as the other
startup_* modules."""

TEXT = "text/plain; charset=utf-8"
BODY = b"Hello, World!"


def asgi():
    start = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", TEXT.encode())]}
    body = {"type": "http.response.body", "body": BODY}

    async def app(scope, receive, send):
        if scope["type"] == "http":
            await send(start)
            await send(body)
        elif scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})

    return app


def rsgi():
    headers = [("content-type", TEXT)]

    async def app(scope, proto):
        if scope.proto == "http":
            proto.response_bytes(200, headers, BODY)

    return app
