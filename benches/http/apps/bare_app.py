"""The floor: a raw ASGI app doing the minimum. It matches the three paths by
hand, parses the two ints with a split, and sends prebuilt headers. No method
check, no 405, no error handling beyond a 404."""

PLAINTEXT = b"Hello, World!"
JSON = b'{"message":"Hello, World!"}'
TEXT_TYPE = (b"content-type", b"text/plain; charset=utf-8")
JSON_TYPE = (b"content-type", b"application/json")


def _start(content_type, body):
    return {
        "type": "http.response.start",
        "status": 200,
        "headers": [content_type, (b"content-length", b"%d" % len(body))],
    }


PLAINTEXT_START = _start(TEXT_TYPE, PLAINTEXT)
JSON_START = _start(JSON_TYPE, JSON)
PLAINTEXT_BODY = {"type": "http.response.body", "body": PLAINTEXT}
JSON_BODY = {"type": "http.response.body", "body": JSON}
NOT_FOUND = b"Not Found"


async def app(scope, receive, send):
    kind = scope["type"]
    if kind == "http":
        path = scope["path"]
        if path == "/plaintext":
            await send(PLAINTEXT_START)
            await send(PLAINTEXT_BODY)
            return
        if path == "/json":
            await send(JSON_START)
            await send(JSON_BODY)
            return
        parts = path.split("/")
        # ['', 'users', '42', 'posts', '7']
        if len(parts) == 5 and parts[1] == "users" and parts[3] == "posts":
            try:
                user, post = int(parts[2]), int(parts[4])
            except ValueError:
                pass
            else:
                body = b'{"user":%d,"post":%d}' % (user, post)
                await send(_start(JSON_TYPE, body))
                await send({"type": "http.response.body", "body": body})
                return
        await send(_start(TEXT_TYPE, NOT_FOUND) | {"status": 404})
        await send({"type": "http.response.body", "body": NOT_FOUND})
    elif kind == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
