"""The RSGI floor: a raw RSGI app doing the minimum (the same paths as
bare_app.py, matched by hand, headers prebuilt, one `response_bytes` call;
hooks as ten inline function calls; the body read with `await proto()` and
decoded with the msgspec Struct of contract_msgspec.py). `app_1000` is the
same app (no route table)."""

import msgspec

from bare_app import before_1, before_2, before_3, before_4, before_5  # the same hook bodies
from contract import answer
from contract_msgspec import decoder

PLAINTEXT = b"Hello, World!"
JSON = b'{"message":"Hello, World!"}'
TEXT = [("content-type", "text/plain; charset=utf-8")]
JSON_TYPE = [("content-type", "application/json")]
encode = msgspec.json.encode


def after_1(headers):
    headers.append(("x-after-1", "1"))


def after_2(headers):
    headers.append(("x-after-2", "2"))


def after_3(headers):
    headers.append(("x-after-3", "3"))


def after_4(headers):
    headers.append(("x-after-4", "4"))


def after_5(headers):
    headers.append(("x-after-5", "5"))


async def app(scope, proto):
    if scope.proto != "http":
        return
    path = scope.path
    if path == "/plaintext":
        proto.response_bytes(200, TEXT, PLAINTEXT)
        return
    if path == "/json":
        proto.response_bytes(200, JSON_TYPE, JSON)
        return
    if path == "/hooks":
        state = {}
        before_1(state)
        before_2(state)
        before_3(state)
        before_4(state)
        before_5(state)
        body = b'{"before":%d}' % (state["b1"] + state["b2"] + state["b3"] + state["b4"] + state["b5"])
        headers = [("content-type", "application/json")]
        after_1(headers)
        after_2(headers)
        after_3(headers)
        after_4(headers)
        after_5(headers)
        proto.response_bytes(200, headers, body)
        return
    if path == "/validate":
        try:
            order = decoder.decode(await proto())
        except msgspec.ValidationError as exc:
            proto.response_bytes(422, JSON_TYPE, encode({"error": str(exc)}))
        except msgspec.DecodeError as exc:
            proto.response_bytes(400, JSON_TYPE, encode({"error": str(exc)}))
        else:
            proto.response_bytes(200, JSON_TYPE, encode(answer(order.items)))
        return
    parts = path.split("/")
    if len(parts) == 5 and parts[1] == "users" and parts[3] == "posts":
        try:
            user, post = int(parts[2]), int(parts[4])
        except ValueError:
            pass
        else:
            proto.response_bytes(200, JSON_TYPE, b'{"user":%d,"post":%d}' % (user, post))
            return
    proto.response_bytes(404, TEXT, b"Not Found")


app_1000 = app
