"""The floor: a raw ASGI app doing the minimum. It matches the paths by hand,
parses the two ints with a split, and sends prebuilt headers. No method
check, no 405, no error handling beyond a 404 (and 422 for a refused body).

- hooks: five "before" and five "after" plain function calls inline (a dict
  as the request state, a header list);
- validate: reads the body and decodes it with the msgspec Struct of
  contract_msgspec.py (what heaven's `app.schema` checks, without heaven).

It has no route table, so `app_1000` is the same app: its `params_1000`
run is a control measurement of the same code.
"""

import msgspec

from contract import answer
from contract_msgspec import decoder

PLAINTEXT = b"Hello, World!"
JSON = b'{"message":"Hello, World!"}'
TEXT_TYPE = (b"content-type", b"text/plain; charset=utf-8")
JSON_TYPE = (b"content-type", b"application/json")
encode = msgspec.json.encode


def _start(content_type, body, status=200):
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [content_type, (b"content-length", b"%d" % len(body))],
    }


PLAINTEXT_START = _start(TEXT_TYPE, PLAINTEXT)
JSON_START = _start(JSON_TYPE, JSON)
PLAINTEXT_BODY = {"type": "http.response.body", "body": PLAINTEXT}
JSON_BODY = {"type": "http.response.body", "body": JSON}
NOT_FOUND = b"Not Found"


def before_1(state):
    state["b1"] = 1


def before_2(state):
    state["b2"] = 2


def before_3(state):
    state["b3"] = 3


def before_4(state):
    state["b4"] = 4


def before_5(state):
    state["b5"] = 5


def after_1(headers):
    headers.append((b"x-after-1", b"1"))


def after_2(headers):
    headers.append((b"x-after-2", b"2"))


def after_3(headers):
    headers.append((b"x-after-3", b"3"))


def after_4(headers):
    headers.append((b"x-after-4", b"4"))


def after_5(headers):
    headers.append((b"x-after-5", b"5"))


async def _read_body(receive):
    message = await receive()
    body = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while message.get("more_body", False):
        message = await receive()
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


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
        if path == "/hooks":
            state = {}
            before_1(state)
            before_2(state)
            before_3(state)
            before_4(state)
            before_5(state)
            body = b'{"before":%d}' % (state["b1"] + state["b2"] + state["b3"] + state["b4"] + state["b5"])
            headers = [JSON_TYPE, (b"content-length", b"%d" % len(body))]
            after_1(headers)
            after_2(headers)
            after_3(headers)
            after_4(headers)
            after_5(headers)
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if path == "/validate":
            try:
                order = decoder.decode(await _read_body(receive))
            except msgspec.ValidationError as exc:
                body, status = encode({"error": str(exc)}), 422
            except msgspec.DecodeError as exc:
                body, status = encode({"error": str(exc)}), 400
            else:
                body, status = encode(answer(order.items)), 200
            await send(_start(JSON_TYPE, body, status))
            await send({"type": "http.response.body", "body": body})
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
        await send(_start(TEXT_TYPE, NOT_FOUND, 404))
        await send({"type": "http.response.body", "body": NOT_FOUND})
    elif kind == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


app_1000 = app
