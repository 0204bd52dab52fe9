"""The bare plaintext apps (benches/http/amplify.py), with a fixed burn of
Python work added to every request: `loop` (a 160-step loop), `alloc` (five
small objects made and freed by reference counting), `cycles` (four, each
left in a reference cycle for the garbage collector). `<interface>_none`
adds nothing."""

TEXT = [("content-type", "text/plain; charset=utf-8")]
BODY = b"Hello, World!"
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"13")],
}
END = {"type": "http.response.body", "body": BODY}


class Thing:
    __slots__ = ("a", "b", "c")


def none():
    return None


def loop():
    for _ in range(160):
        pass


def alloc():
    for _ in range(5):
        thing = Thing()
        thing.a, thing.b, thing.c = {"x": 1}, [1, 2], (alloc, 1)


def cycles():
    for _ in range(4):
        thing = Thing()
        thing.a, thing.b, thing.c = {"x": 1}, [1, 2], (thing, 1)


BURNS = {"none": none, "loop": loop, "alloc": alloc, "cycles": cycles}


def _rsgi(burn):
    async def app(scope, proto):
        if scope.proto != "http":
            return
        burn()
        proto.response_bytes(200, TEXT, BODY)

    return app


def _asgi(burn):
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        burn()
        await send(START)
        await send(END)

    return app


for _name, _burn in BURNS.items():
    globals()[f"rsgi_{_name}"] = _rsgi(_burn)
    globals()[f"asgi_{_name}"] = _asgi(_burn)
