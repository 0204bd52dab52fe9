"""`req` (docs/request.md): every attribute, read through a real ASGI request."""

import msgspec
import pytest

from heaven import App, BadRequest, MalformedJSON
from helpers import Client, call_raw, http_scope, raw_call

pytestmark = pytest.mark.interfaces


def capture(into):
    def handler(req, res, ctx):
        into["req"] = req
        into.update(
            method=req.method,
            url=req.url,
            path=req.path,
            route=req.route,
            params=req.params,
            querystring=req.querystring,
            host=req.host,
            subdomain=req.subdomain,
            scheme=req.scheme,
            ip=req.ip,
            app=req.app,
            mounted=req.mounted,
            body=req.body,
        )

    return handler


def test_request_line_and_routing_facts():
    seen = {}
    app = App()
    app.POST("/items/:id:int", capture(seen))
    with Client(app, host="shop.example.com") as c:
        c.post("/items/3?x=1&y=two", content=b"payload")
    assert seen["method"] == "POST"
    assert seen["url"] == "/items/3?x=1&y=two"
    assert seen["path"] == "/items/3"
    assert seen["route"] == "/items/:id:int"
    assert seen["params"] == {"id": 3}
    assert seen["querystring"] == "x=1&y=two"
    assert seen["host"] == "shop.example.com"
    assert seen["subdomain"] == "shop"
    assert seen["scheme"] == "http"
    assert seen["ip"].address == "127.0.0.1"
    assert seen["app"] is app
    assert seen["mounted"] is None
    assert seen["body"] == b"payload"
    assert repr(seen["req"]) == "<Request POST /items/3?x=1&y=two>"


def test_headers_are_case_insensitive_with_repeats_as_a_list():
    seen = {}

    def handler(req, res, ctx):
        h = req.headers
        seen.update(
            first=h["X-Multi"],
            get=h.get("x-multi"),
            all=h.getlist("X-MULTI"),
            missing=h.get("nope", "dflt"),
            contains="X-Single" in h,
            single=h["x-single"],
        )
        with pytest.raises(KeyError):
            h["nope"]

    app = App()
    app.GET("/", handler)
    with Client(app) as c:
        c.get("/", headers=[("X-Multi", "1"), ("X-Multi", "2"), ("X-Single", "s")])
    assert seen == {"first": "1", "get": "1", "all": ["1", "2"], "missing": "dflt", "contains": True, "single": "s"}


def test_cookies():
    seen = {}
    app = App()
    app.GET("/", lambda req, res, ctx: seen.update(req.cookies))
    with Client(app) as c:
        c.get("/", headers={"cookie": 'a=1; b="two"; junk; c=x=y'})
    assert seen == {"a": "1", "b": "two", "c": "x=y"}


def test_client_port_as_int_even_when_the_server_sends_text():
    seen = {}
    app = App()
    app.GET("/", capture(seen))
    call_raw(app, http_scope("/", client=("10.0.0.9", "4321")))
    assert seen["ip"] == ("10.0.0.9", 4321)
    assert seen["ip"].port == 4321


def test_json_body_dict_list_and_empty():
    app = App()
    app.POST("/echo", lambda req, res, ctx: setattr(res, "body", {"got": req.json, "data": req.data}))
    with Client(app) as c:
        assert c.post("/echo", json={"a": 1}).json() == {"got": {"a": 1}, "data": {"a": 1}}
        assert c.post("/echo", json=[1, 2]).json() == {"got": [1, 2], "data": [1, 2]}
        assert c.post("/echo").json() == {"got": None, "data": None}


def test_malformed_json_is_400_uncaught_and_catchable():
    caught = {}

    def careful(req, res, ctx):
        try:
            req.json
        except MalformedJSON as exc:
            caught["exc"] = exc
            res.status = 422
            res.body = "caught"

    app = App()
    app.POST("/careless", lambda req, res, ctx: req.json)
    app.POST("/careful", careful)
    with Client(app) as c:
        r = c.post("/careless", content=b'{"a": ')
        assert r.status_code == 400
        assert r.text.startswith("Bad Request: malformed JSON body")
        assert c.post("/careful", content=b"nope").status_code == 422
    assert isinstance(caught["exc"], BadRequest) and isinstance(caught["exc"], ValueError)
    assert isinstance(caught["exc"].__cause__, msgspec.DecodeError)


def test_bad_query_encoding_is_400():
    app = App()
    app.GET("/", lambda req, res, ctx: req.queries)
    with Client(app) as c:
        assert c.get("/?a=%zz").status_code == 400


def test_stream_route_leaves_the_body_for_req_stream():
    seen = {}

    async def upload(req, res, ctx):
        # Nothing was buffered: req.body says so (RuntimeError, as in Heaven 2.4.3).
        try:
            req.body
        except RuntimeError:
            seen["before"] = "RuntimeError"
        chunks = [chunk async for chunk in req.stream()]
        seen["chunks"] = chunks
        res.body = sum(len(c) for c in chunks)

    app = App()
    app.POST("/up", upload, stream=True)
    scope = http_scope("/up", method="POST", headers=[(b"host", b"t"), (b"transfer-encoding", b"chunked")])
    out = call_raw(app, scope, [b"abc", b"defg", b"h"])
    assert out["body"] == b"8"
    assert seen == {"before": "RuntimeError", "chunks": [b"abc", b"defg", b"h"]}


def test_stream_respects_max_body_size():
    async def upload(req, res, ctx):
        async for _ in req.stream():
            pass

    app = App(max_body_size=5)
    app.POST("/up", upload, stream=True)
    scope = http_scope("/up", method="POST", headers=[(b"transfer-encoding", b"chunked")])
    out = call_raw(app, scope, [b"abc", b"defg", b"never-read"])
    assert out["status"] == 413
    assert out["unread"] == 1
    # The rest of the body is unread, so the connection cannot carry another request.
    assert out["headers"]["connection"] == "close"


def test_buffered_body_across_chunks():
    app = App()
    app.PUT("/put", lambda req, res, ctx: setattr(res, "body", req.body[::-1]))
    scope = http_scope("/put", method="PUT", headers=[(b"content-length", b"6")])
    assert call_raw(app, scope, [b"abc", b"def"])["body"] == b"fedcba"


def test_deeply_nested_json_is_a_clear_400_not_a_500(caplog):
    app = App()
    app.POST("/j", lambda req, res, ctx: setattr(res, "body", {"got": type(req.json).__name__}))
    body = b"[" * 1000 + b"]" * 1000
    with Client(app) as c:
        r = c.post("/j", content=body)
        assert r.status_code == 400
        assert "nested too deeply" in r.text
        assert c.post("/j", content=b"[" * 50 + b"]" * 50).json() == {"got": "list"}
    assert not [rec for rec in caplog.records if rec.levelname == "ERROR"]


def _iteration_seconds(names: int, rounds: int = 7) -> float:
    """The best time to read every view of `req.queries` (items, keys, len,
    values, dict conversion, iteration) for a query of `names` names."""
    import asyncio
    import time

    timings = []

    def handler(req, res, ctx):
        # CPU time of this thread: time spent waiting for a core on a busy
        # machine does not count, the work itself does.
        started = time.thread_time()
        q = req.queries
        list(q.items()), list(q.keys()), len(q), list(q.values()), dict(q), q.to_dict(), [k for k in q]
        timings.append(time.thread_time() - started)

    app = App()
    app.GET("/q", handler)
    query = "&".join(f"n{i}={i}" for i in range(names)).encode()

    async def run():
        for _ in range(rounds):
            await raw_call(app, http_scope("/q", query_string=query))

    asyncio.run(run())
    return min(timings)


@pytest.mark.asgi_only  # the view is the same Rust object on both interfaces
def test_query_views_grow_linearly_with_the_number_of_names():
    """16,000 names once took seconds (every view was quadratic). Growth, not
    speed, is what this checks: 4x the names costs about 4x the time when
    linear and 16x when quadratic, so 8x separates them even on a busy
    machine (best of five attempts, in thread CPU time). The issue's figures (1,000 and 16,000
    names, under 50 ms, under 30x) are benches/multidict.py's to show."""
    ratios = []
    for _ in range(5):
        small, large = _iteration_seconds(4000, rounds=9), _iteration_seconds(16000, rounds=9)
        ratios.append(large / small)
        if ratios[-1] < 8:
            break
    assert min(ratios) < 8, ratios


def test_repeated_query_names_in_a_large_query_keep_order_and_lists():
    query = "&".join(f"k{i % 100}={i}" for i in range(2000)).encode()
    seen = {}

    def handler(req, res, ctx):
        q = req.queries
        seen.update(len=len(q), first=q["k0"][:3], keys=list(q)[:3], last=q.getlist("k99")[-1], has="k5" in q)

    app = App()
    app.GET("/q", handler)
    assert call_raw(app, http_scope("/q", query_string=query))["status"] == 200
    assert seen == {"len": 100, "first": ["0", "100", "200"], "keys": ["k0", "k1", "k2"], "last": "1999", "has": True}
