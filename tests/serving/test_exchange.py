"""`_serving.exchange.begin` makes the request trio without calling the
classes' constructors (faster): it must make the same objects they do."""

from __future__ import annotations

from heaven import App
from heaven._serving.exchange import begin
from heaven.context import Context
from heaven.request import Request
from heaven.response import JSON, TEXT, Response, json_encode

_MISSING = object()


def state(obj: object) -> dict[str, object]:
    """Every slot of the object (unset ones as _MISSING), and its __dict__."""
    slots = [name for cls in type(obj).__mro__ for name in getattr(cls, "__slots__", ()) if name != "__dict__"]
    found = {name: getattr(obj, name, _MISSING) for name in slots}
    found.update(getattr(obj, "__dict__", {}))
    return found


def test_begin_makes_what_the_constructors_make():
    app, child = App(), App()
    app.GET("/", lambda req, res, ctx: None)
    head = app._compile().route({"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "headers": []})
    for body, reader in ((b"", None), (None, iter(()))):
        req, res, ctx = begin(head, body, reader, child, child, app)
        made_req = Request(head, body, reader, child, child, app)
        made_res = Response(child, None, made_req)
        made_ctx = Context(made_req, made_res)
        made_res._ctx = made_ctx

        assert state(req) == state(made_req)  # same slots set, to the same values
        # Response and Context point at their own trio: compare the rest, then the links.
        links = ("_req", "_ctx", "_res")
        assert {k: v for k, v in state(res).items() if k not in links} == {
            k: v for k, v in state(made_res).items() if k not in links
        }
        assert {k: v for k, v in state(ctx).items() if k not in links} == {
            k: v for k, v in state(made_ctx).items() if k not in links
        }
        assert (res._req, res._ctx, ctx._req, ctx._res) == (req, ctx, req, res)


def test_each_exchange_gets_its_own_header_list():
    app = App()
    app.GET("/", lambda req, res, ctx: None)
    head = app._compile().route({"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "headers": []})
    first, second = begin(head, b"", None, app, None, app), begin(head, b"", None, app, None, app)
    assert first[1]._headers == [] and first[1]._headers is not second[1]._headers
    first[1].header("X-A", "1")
    assert second[1]._headers == []


def test_a_class_without_a_slot_is_refused_when_the_exchange_is_made():
    from heaven._core import Exchange
    from heaven.request import UNREAD

    class Lacking:
        __slots__ = ("_req",)  # a Context without `_res`

    class Property:
        __slots__ = ("_req",)
        _res = property(lambda self: None)  # not a slot at all

    for cls in (Lacking, Property):
        try:
            Exchange(Request, Response, cls, UNREAD, TEXT, JSON, json_encode)
        except TypeError as exc:
            assert str(exc) == f"test_a_class_without_a_slot_is_refused_when_the_exchange_is_made.<locals>.{cls.__name__} has no __slots__ entry \"_res\""
        else:
            raise AssertionError(f"{cls.__name__} accepted")


def test_a_request_class_must_subclass_head():
    from heaven._core import Exchange
    from heaven.request import UNREAD

    class Loose:  # every slot a Request has, but not a Head
        __slots__ = Request.__slots__

    try:
        Exchange(Loose, Response, Context, UNREAD, TEXT, JSON, json_encode)
    except TypeError as exc:
        assert str(exc) == "the request class must subclass heaven._core.Head"
    else:
        raise AssertionError("Loose accepted")


def test_a_request_is_its_own_head():
    """`Matcher.enter` makes one object, the head and the request; `begin`
    fills it in place when the lifecycle starts it (a body read first), and
    copies any other head, as `Request(head, ...)` does."""
    from heaven._core import Head

    app = App()
    app.GET("/u/:id:int", lambda req, res, ctx: None)
    app.POST("/u/:id:int", lambda req, res, ctx: None)
    matcher = app._compile()

    def scope(method: str, headers: list[tuple[bytes, bytes]]) -> dict[str, object]:
        return {"type": "http", "method": method, "path": "/u/7", "raw_path": b"/u/7", "headers": headers}

    head, ep, req, res, ctx = matcher.enter(scope("GET", []))
    assert req is head and isinstance(req, Head) and type(req) is Request
    assert (req.params, req.method, req.route, req._entry) == ({"id": 7}, "GET", "/u/:id:int", ep)

    head, ep, req, _, _ = matcher.enter(scope("POST", [(b"content-length", b"3")]))
    assert req is None and type(head) is Request and head.params == {"id": 7}
    req, res, ctx = begin(head, b"abc", None, ep.app, ep.mounted, app)
    assert req is head and (req.body, req._server, res._req, ctx._req) == (b"abc", app, req, req)

    # Begun already: a second begin copies it (the views it read come along).
    again, _, _ = begin(req, b"xyz", None, ep.app, ep.mounted, app)
    assert again is not req and (again.body, req.body) == (b"xyz", b"abc")
    assert again.params is req.params and again.route == req.route

    plain = matcher.route(scope("GET", []))
    assert type(plain) is Head
    made = Request(plain, b"", None, app, None, app)
    assert type(made) is Request and made is not plain and made.params == plain.params == {"id": 7}
    for wrong in (None, "head", object()):
        try:
            begin(wrong, b"", None, app, None, app)
        except TypeError as exc:
            assert "begin needs a Head" in str(exc)
        else:
            raise AssertionError(f"{wrong!r} accepted")


class _Proto:
    """Records the one call the RSGI wire makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def response_str(self, status: object, headers: object, body: str) -> None:
        body.encode()  # granian reads its arguments first: a str UTF-8 cannot encode fails here
        self.calls.append(("str", status, headers, body))

    def response_bytes(self, *args: object) -> None:
        self.calls.append(("bytes", *args))

    def response_empty(self, *args: object) -> None:
        self.calls.append(("empty", *args))


def _outcome(do: object) -> object:
    try:
        return do()  # type: ignore[operator]
    except Exception as exc:
        return type(exc), str(exc)


def test_the_native_answer_is_what_finish_and_send_give():
    """`EXCHANGE.answer(send, proto, res)` finishes the usual response
    natively (an int status; a str, bytes, dict or list body) and gives
    what `res._finish()` then `wire.send` give, on both interfaces (a HEAD
    request, read from `res._req`, without its body); any other response
    is left alone (None), for `res._finish()`."""
    from http import HTTPStatus

    from heaven._serving.asgi import WIRE as ASGI
    from heaven._serving.exchange import EXCHANGE
    from heaven._serving.rsgi import WIRE as RSGI

    app = App()
    app.GET("/", lambda req, res, ctx: None)
    matcher = app._compile()
    heads = {
        head_only: matcher.route({"type": "http", "method": "HEAD" if head_only else "GET", "path": "/", "raw_path": b"/", "headers": []})
        for head_only in (False, True)
    }
    statuses = (200, 201, 204, 304, 100, 599, HTTPStatus.CREATED, "202", True, 99, 600, -1, 2**70)
    bodies = ("text", "", "\ud800", b"bytes", b"", {"a": 1}, [1, "é"], {"bad": object()}, [], None, 7,
              bytearray(b"x"), (1, 2))  # fmt: skip
    native = 0
    for status in statuses:
        for body in bodies:
            for typed in (False, True):
                for head_only in (False, True):

                    def made() -> Response:
                        _, res, _ = begin(heads[head_only], b"", None, app, None, app)
                        res.status, res.body = status, body
                        res.header("X-Kept", "1")
                        if typed:
                            res.header("Content-Type", "text/csv")
                        return res

                    usual = type(status) is int and 100 <= status <= 599 and type(body) in (str, bytes, dict, list)
                    native += usual
                    for wire, channel in ((ASGI, (None, "send", {})), (RSGI, None)):
                        proto = _Proto()
                        channel = channel or proto
                        send = channel[1] if wire is ASGI else None  # what the lifecycle gives `answer`
                        res = made()
                        got = _outcome(lambda: EXCHANGE.answer(send, proto, res))
                        if not usual:
                            assert got is None and res.status is status and res.body is body
                            continue
                        got_calls, got_headers = list(proto.calls), list(res._headers)
                        proto.calls.clear()
                        res = made()

                        def slow() -> object:
                            code, payload, content_type = res._finish()
                            return wire.send(channel, code, res._headers, payload, content_type, head_only)

                        assert got == _outcome(slow), (status, body, typed, head_only, wire)
                        assert (got_calls, got_headers) == (proto.calls, res._headers)
    assert native == 6 * 9 * 2 * 2  # every usual case was compared


def test_a_subclass_of_response_is_always_finished_by_its_own_method():
    """A Response subclass may override `_finish`: the native answer leaves it alone."""
    from heaven._serving.exchange import EXCHANGE

    class Custom(Response):
        __slots__ = ()

    res = Custom(App(), None, None)
    res.body = "text"
    assert EXCHANGE.answer("send", None, res) is None
    proto = _Proto()
    assert EXCHANGE.answer(None, proto, res) is None and proto.calls == []


def test_enter_starts_only_a_request_that_can_start_at_once():
    """`Matcher.enter` routes and, for a matched route without a body coming
    (not a stream route, not OPTIONS), makes the trio as `begin` would."""
    app, child = App(), App()
    app.GET("/", lambda req, res, ctx: None)
    app.POST("/", lambda req, res, ctx: None)
    app.OPTIONS("/", lambda req, res, ctx: None)
    app.POST("/stream", lambda req, res, ctx: None, stream=True)
    child.GET("/child", lambda req, res, ctx: None)
    app.mount(child)
    matcher = app._compile()

    def scope(method: str, path: str = "/", headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, object]:
        return {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "headers": headers or []}

    for method, path, headers in (("GET", "/", []), ("HEAD", "/", []), ("POST", "/", [(b"content-length", b"0")]),
                                  ("GET", "/child", [])):  # fmt: skip
        head, ep, req, res, ctx = matcher.enter(scope(method, path, headers))
        assert ep is head._entry and ep is not None and head._head_only is (method == "HEAD")
        made = begin(head, b"", None, ep.app, ep.mounted, app)
        for got, expected in zip((req, res, ctx), made):
            links = ("_req", "_ctx", "_res")
            assert {k: v for k, v in state(got).items() if k not in links} == {
                k: v for k, v in state(expected).items() if k not in links
            }
        assert req is head  # the request is its own head
        assert (req._body, req._server, req.app) == (b"", app, ep.app)
        assert (res._req, res._ctx, ctx._req, ctx._res) == (req, ctx, req, res)

    for method, path, headers in (("POST", "/", [(b"content-length", b"3")]), ("POST", "/", [(b"transfer-encoding", b"chunked")]),
                                  ("OPTIONS", "/", []), ("POST", "/stream", []), ("GET", "/missing", []), ("PUT", "/", [])):  # fmt: skip
        head, ep, req, res, ctx = matcher.enter(scope(method, path, headers))
        assert (req, res, ctx) == (None, None, None), (method, path, headers)
        assert ep is head._entry


def test_only_an_async_handler_with_nothing_around_it_is_direct():
    """`Endpoint.direct` (awaited by the lifecycle with nothing else read)
    is the handler of a route with no hooks and no contract check, when it
    is an `async def`; every other route keeps its own steps."""
    import msgspec

    class Order(msgspec.Struct):
        id: int

    async def handler(req, res, ctx):
        res.body = "ok"

    def sync(req, res, ctx):
        res.body = "ok"

    app = App()
    app.GET("/async", handler)
    app.GET("/sync", sync)
    app.GET("/hooked", handler)
    app.BEFORE("/hooked", lambda req, res, ctx: None)
    app.POST("/checked", handler)
    app.schema.POST("/checked", expects=Order)
    matcher = app._compile()

    def entry(method: str, path: str):
        return matcher.route({"type": "http", "method": method, "path": path, "raw_path": path.encode(), "headers": []})._entry

    assert entry("GET", "/async").direct is handler
    assert entry("GET", "/sync").direct is None and entry("GET", "/sync").plain
    assert entry("GET", "/hooked").direct is None and not entry("GET", "/hooked").plain
    checked = entry("POST", "/checked")
    assert checked.direct is None and checked.plain and checked.check is not None
