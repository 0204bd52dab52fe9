"""heaven.middleware (Compression, TrustedHosts, HttpsRedirect, RequestId)
and `app.use(ASGIMiddleware)`, on both interfaces (docs/middleware.md)."""

import gzip
import logging
import random
import re

import pytest

import helpers
from heaven import App, HTTPError, testing
from heaven.errors import InterfaceError, LifespanError
from heaven.middleware import Compression, HttpsRedirect, RequestId, TrustedHosts, current_request_id
from heaven.middleware.compression import accepts_gzip
from helpers import Client, call_raw, http_scope

pytestmark = pytest.mark.interfaces

TEXT = "heaven " * 200  # 1400 bytes that gzip shrinks


def raw(app, path="/", headers=(), method="GET"):
    """The answer as sent (no client decoding): status, headers, body bytes."""
    answer = call_raw(app, http_scope(path, method=method, headers=[(b"host", b"testserver"), *headers]))
    return answer["status"], answer["headers"], answer["body"]


# -- Compression ---------------------------------------------------------------


def compressed_app(**options):
    app = App()
    app.use(Compression(**options))
    app.GET("/text", lambda req, res, ctx: setattr(res, "body", TEXT))
    app.GET("/json", lambda req, res, ctx: setattr(res, "body", {"words": ["heaven"] * 200}))
    app.GET("/small", lambda req, res, ctx: setattr(res, "body", "tiny"))
    app.GET("/png", lambda req, res, ctx: res.out(200, b"\x89PNG" + b"\0" * 2000, {"Content-Type": "image/png"}))
    app.GET("/encoded", lambda req, res, ctx: res.out(200, gzip.compress(TEXT.encode()),
                                                        {"Content-Type": "text/plain", "Content-Encoding": "gzip"}))
    noise = random.Random(1).randbytes(2048)  # what gzip cannot shrink
    app.GET("/random", lambda req, res, ctx: res.out(200, noise, {"Content-Type": "text/plain"}))
    app.GET("/vary", lambda req, res, ctx: res.out(200, TEXT, {"Vary": "Cookie", "ETag": '"v1"'}))
    app.GET("/keep", lambda req, res, ctx: res.out(200, TEXT, {"Cache-Control": "no-transform"}))
    app.GET("/empty", lambda req, res, ctx: setattr(res, "status", 204))

    async def chunks():
        for _ in range(100):
            yield TEXT.encode()

    app.GET("/stream", lambda req, res, ctx: res.stream(chunks()))
    return app


def test_gzip_when_accepted_with_vary_and_the_right_length():
    app = compressed_app()
    status, headers, body = raw(app, "/text", [(b"accept-encoding", b"br;q=1.0, gzip;q=0.8, *;q=0.1")])
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert gzip.decompress(body).decode() == TEXT
    assert int(headers["content-length"]) == len(body) < len(TEXT)
    status, headers, body = raw(app, "/json", [(b"accept-encoding", b"gzip")])
    assert (headers["content-encoding"], headers["content-type"]) == ("gzip", "application/json")
    assert gzip.decompress(body) == b'{"words":[' + b",".join([b'"heaven"'] * 200) + b"]}"


def test_the_test_client_decodes_once():
    with Client(compressed_app()) as c:
        r = c.get("/text", headers={"accept-encoding": "gzip"})
    assert (r.status_code, r.headers["content-encoding"], r.text) == (200, "gzip", TEXT)


@pytest.mark.parametrize("accept", [None, b"identity", b"gzip;q=0", b"*;q=0", b"br", b"gzip;q=0.5, identity", b"*, gzip;q=0",
                                    b"gzip;q=nonsense"])
def test_no_gzip_unless_accepted(accept):
    status, headers, body = raw(compressed_app(), "/text", [] if accept is None else [(b"accept-encoding", accept)])
    assert (status, "content-encoding" in headers, body.decode()) == (200, False, TEXT)
    assert headers["vary"] == "Accept-Encoding"  # the answer did depend on it


def test_accept_encoding_q_values():
    assert accepts_gzip("gzip")
    assert accepts_gzip("GZIP;Q=0.5")
    assert accepts_gzip("x-gzip")
    assert accepts_gzip("*")
    assert accepts_gzip("deflate, gzip;q=0.001")
    assert accepts_gzip("gzip;q=1, identity;q=0.5")
    assert not accepts_gzip("")
    assert not accepts_gzip(None)
    assert not accepts_gzip("gzip;q=0.4, identity;q=0.5")
    assert not accepts_gzip("*;q=1, gzip;q=0")
    assert not accepts_gzip("gzip;q=2")


@pytest.mark.parametrize("path", ["/small", "/png", "/encoded", "/random", "/keep", "/empty", "/stream"])
def test_left_alone(path):
    app = compressed_app()
    status, headers, body = raw(app, path, [(b"accept-encoding", b"gzip")])
    plain_status, plain_headers, plain_body = raw(app, path)
    assert (status, body) == (plain_status, plain_body)
    assert headers.get("content-encoding") == plain_headers.get("content-encoding")
    assert headers.get("content-encoding") in (None, "gzip")
    if path == "/encoded":
        assert gzip.decompress(body).decode() == TEXT  # encoded once, by the handler
    if path in ("/small", "/png", "/keep", "/empty", "/stream"):
        assert "vary" not in headers  # gzip was never a possibility


def test_vary_is_merged_and_a_strong_etag_turns_weak():
    status, headers, body = raw(compressed_app(), "/vary", [(b"accept-encoding", b"gzip")])
    assert (headers["vary"], headers["etag"], headers["content-encoding"]) == ("Cookie, Accept-Encoding", 'W/"v1"', "gzip")
    status, headers, body = raw(compressed_app(), "/vary")
    assert (headers["vary"], headers["etag"]) == ("Cookie, Accept-Encoding", '"v1"')


def test_minimum_and_types_and_bad_options():
    app = compressed_app(minimum=5000)
    assert "content-encoding" not in raw(app, "/text", [(b"accept-encoding", b"gzip")])[1]
    app = compressed_app(types=["image/png"])
    assert raw(app, "/png", [(b"accept-encoding", b"gzip")])[1]["content-encoding"] == "gzip"
    assert raw(app, "/json", [(b"accept-encoding", b"gzip")])[1].get("content-encoding") is None
    with pytest.raises(ValueError, match="minimum"):
        Compression(minimum=-1)
    with pytest.raises(ValueError, match="level"):
        Compression(level=0)


def test_head_gets_the_compressed_length_without_a_body():
    app = compressed_app()
    _, get_headers, get_body = raw(app, "/text", [(b"accept-encoding", b"gzip")])
    status, headers, body = raw(app, "/text", [(b"accept-encoding", b"gzip")], method="HEAD")
    assert (status, body, headers["content-encoding"]) == (200, b"", "gzip")
    assert headers["content-length"] == get_headers["content-length"] == str(len(get_body))


def test_only_where_the_pattern_says():
    app = App()
    app.AROUND("/api/*", Compression())
    app.GET("/api/x", lambda req, res, ctx: setattr(res, "body", TEXT))
    app.GET("/page", lambda req, res, ctx: setattr(res, "body", TEXT))
    assert raw(app, "/api/x", [(b"accept-encoding", b"gzip")])[1]["content-encoding"] == "gzip"
    assert "content-encoding" not in raw(app, "/page", [(b"accept-encoding", b"gzip")])[1]


# -- TrustedHosts ----------------------------------------------------------------


def hosts_app():
    app = App()
    app.use(TrustedHosts(["example.com", "*.example.org", "[::1]"]))
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "welcome"))
    return app


@pytest.mark.parametrize(("host", "status"), [
    (b"example.com", 200), (b"EXAMPLE.com:8080", 200), (b"api.example.org", 200), (b"a.b.example.org", 200),
    (b"[::1]:8000", 200), (b"example.org", 400), (b"evil.com", 400), (b"example.com.evil.com", 400),
    (b"notexample.org", 400), (None, 400),
])
def test_trusted_hosts(host, status):
    headers = [] if host is None else [(b"host", host)]
    answer = call_raw(hosts_app(), http_scope("/", headers=headers))
    assert answer["status"] == status
    assert answer["body"] == (b"welcome" if status == 200 else b"Invalid host header")


def test_trusted_hosts_refuses_bad_patterns():
    for bad in ([], ["*.example.*"], ["ex*ample.com"], ["*."], [""]):
        with pytest.raises(ValueError, match="TrustedHosts"):
            TrustedHosts(bad)
    assert TrustedHosts("*").allows("anything")


# -- HttpsRedirect ---------------------------------------------------------------


def https_app(**options):
    app = App()
    app.use(HttpsRedirect(**options))
    app.HTTP("/*", lambda req, res, ctx: setattr(res, "body", f"secure {req.path}"))
    return app


def test_http_is_redirected_with_path_and_query():
    app = https_app()
    with Client(app, host="example.com") as c:
        r = c.get("/a/b?x=1&y=%20z", follow_redirects=False)
        assert (r.status_code, r.headers["location"], r.content) == (308, "https://example.com/a/b?x=1&y=%20z", b"")
        r = c.post("/form", content=b"k=v", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (308, "https://example.com/form")
        r = c.get("/日本", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (308, "https://example.com/%E6%97%A5%E6%9C%AC")
    for host, location in ((b"example.com:80", "https://example.com/p"), (b"example.com:8443", "https://example.com:8443/p")):
        answer = call_raw(app, http_scope("/p", headers=[(b"host", host)]))
        assert (answer["status"], answer["headers"]["location"]) == (308, location)
    answer = call_raw(app, http_scope("/p", headers=[(b"host", b"evil.com/x")]))
    assert (answer["status"], answer["body"]) == (400, b"Invalid host header")


def test_https_and_trusted_forwarded_proto_pass():
    with testing.Client(https_app(), base_url="https://example.com", lifespan=False, interface=helpers.INTERFACE) as c:
        r = c.get("/a")
        assert (r.status_code, r.text) == (200, "secure /a")
    trusting = https_app(trust_forwarded=True, permanent=False)
    with Client(trusting) as c:
        r = c.get("/a", headers={"x-forwarded-proto": "https"})
        assert (r.status_code, r.text) == (200, "secure /a")
        r = c.get("/a", headers={"x-forwarded-proto": "http"}, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (307, "https://testserver/a")
    with Client(https_app()) as c:  # not trusted: the header changes nothing
        r = c.get("/a", headers={"x-forwarded-proto": "https"}, follow_redirects=False)
        assert r.status_code == 308


# -- RequestId -------------------------------------------------------------------


def id_app(**options):
    app = App()
    app.use(RequestId(**options))
    app.GET("/id", lambda req, res, ctx: setattr(res, "body", {"id": req.id, "current": current_request_id()}))

    def fail(req, res, ctx):
        logging.getLogger("heaven").warning("about to fail")
        raise HTTPError("nope", status=409)

    app.GET("/fail", fail)
    app.GET("/boom", lambda req, res, ctx: 1 / 0)
    return app


def test_request_id_generated_echoed_and_on_req():
    with Client(id_app()) as c:
        r = c.get("/id")
        rid = r.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
        assert r.json() == {"id": rid, "current": rid}
        assert c.get("/id").headers["x-request-id"] != rid
        r = c.get("/id", headers={"x-request-id": "edge-42:a/b"})
        assert (r.headers["x-request-id"], r.json()["id"]) == ("edge-42:a/b", "edge-42:a/b")
        for bad in ("", "has space", "x" * 129, "quote\"", "é"):
            r = c.get("/id", headers={"x-request-id": bad.encode()})
            assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"]), bad


def test_request_id_options():
    with Client(id_app(trust_incoming=False, header="X-Trace-Id", generate=lambda: "fixed")) as c:
        r = c.get("/id", headers={"x-trace-id": "from-client"})
        assert (r.headers["x-trace-id"], r.json()["id"], "x-request-id" in r.headers) == ("fixed", "fixed", False)
    with pytest.raises(ValueError, match="header name"):
        RequestId(header="bad header")


def test_request_id_on_error_answers_and_in_log_records(caplog):
    with caplog.at_level(logging.WARNING, logger="heaven"), Client(id_app()) as c:
        r = c.get("/fail", headers={"x-request-id": "req-1"})
        assert (r.status_code, r.text, r.headers["x-request-id"]) == (409, "nope", "req-1")
        r = c.get("/boom", headers={"x-request-id": "req-2"})
        assert (r.status_code, r.headers["x-request-id"]) == (500, "req-2")
    ids = [(r.getMessage().split(" (")[0], r.request_id) for r in caplog.records if r.name == "heaven"]
    assert ("about to fail", "req-1") in ids
    assert ("unhandled error in GET /boom", "req-2") in ids


def test_req_id_is_none_without_the_middleware():
    app = App()
    app.GET("/id", lambda req, res, ctx: setattr(res, "body", {"id": req.id}))
    with Client(app) as c:
        assert c.get("/id").json() == {"id": None}


# -- ASGI middleware --------------------------------------------------------------


class Stamp:
    """A plain ASGI middleware: adds a header to HTTP answers and notes
    every scope type it sees."""

    def __init__(self, app, name="stamp", seen=None):
        self.app = app
        self.name = name
        self.seen = seen if seen is not None else []

    async def __call__(self, scope, receive, send):
        self.seen.append((self.name, scope["type"]))
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def stamped(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-stamp", self.name.encode())]
            await send(message)

        await self.app(scope, receive, stamped)


def stamped_app(seen):
    app = App()
    started = []
    app.ON("startup", lambda app: started.append(True))
    app.GET("/x", lambda req, res, ctx: setattr(res, "body", "inner"))
    app.use(Stamp, name="outer", seen=seen)
    app.use(Stamp, name="inner", seen=seen)
    return app, started


@pytest.mark.asgi_only(reason="ASGI middleware wraps ASGI calls; RSGI's refusal is tested below")
def test_asgi_middleware_wraps_requests_lifespan_and_earth():
    import asyncio

    seen = []
    app, started = stamped_app(seen)
    assert isinstance(app, App) and type(app).__name__ == "App"
    with testing.Client(app) as c:
        r = c.get("/x")
        assert (r.status_code, r.text, r.headers.get_list("x-stamp")) == (200, "inner", ["inner", "outer"])
    assert started == [True]
    assert seen[:2] == [("outer", "lifespan"), ("inner", "lifespan")]
    assert ("outer", "http") in seen and seen.index(("outer", "http")) < seen.index(("inner", "http"))
    req, res, ctx = asyncio.run(app.earth.GET("/x"))
    assert (res.status, res.headers.get("x-stamp"), res.body) == (200, "inner", b"inner")


@pytest.mark.rsgi_only(reason="what an app with ASGI middleware does under RSGI")
def test_asgi_middleware_refuses_rsgi_by_name():
    app, started = stamped_app([])
    with pytest.raises(LifespanError, match=r"InterfaceError: .*ASGI middleware \(Stamp, Stamp\).*--interface asgi"):
        with testing.Client(app, interface="rsgi"):
            pass
    assert started == []
    with pytest.raises(InterfaceError, match="cannot run under RSGI"):
        with Client(app) as c:  # no lifespan: the first request says it
            c.get("/x")


@pytest.mark.asgi_only(reason="how other ASGI servers recognise the app")
@pytest.mark.parametrize("layered", [False, True], ids=["plain", "asgi-middleware"])
def test_uvicorn_and_hypercorn_see_an_asgi3_app(layered):
    """uvicorn tells ASGI 3 from ASGI 2 by asyncio.iscoroutinefunction(app.__call__),
    hypercorn tells ASGI from WSGI by inspect.iscoroutinefunction(app.__call__): an
    app wrapped in ASGI middleware must still pass both (it took a plain function
    returning the middleware's coroutine for ASGI 2, and hypercorn for WSGI)."""
    from hypercorn.utils import is_asgi
    from uvicorn.config import Config

    app, _ = stamped_app([]) if layered else (App(), None)
    assert is_asgi(app)
    config = Config(app=app)
    config.load()
    assert config.interface == "asgi3"


def test_asgi_middleware_options_are_checked_when_added():
    app = App()
    with pytest.raises(TypeError, match=r"app.use\(Stamp, \.\.\.\)"):
        app.use(Stamp, colour="red")
    assert type(app) is App  # nothing was added
    with pytest.raises(TypeError, match=r"app.use\(Compression\): make one first, e.g. app.use\(Compression\(\)\)"):
        app.use(Compression)
    assert type(app) is App


def test_every_request_is_covered_routed_or_not():
    app = App()
    app.use(RequestId())
    app.use(TrustedHosts(["example.com"]))
    app.use(HttpsRedirect(trust_forwarded=True))
    app.use(Compression(minimum=1))
    app.GET("/x", lambda req, res, ctx: setattr(res, "body", "x"))
    with Client(app, host="example.com") as c:
        r = c.get("/missing", headers={"host": "evil.test", "x-request-id": "r-1"})
        assert (r.status_code, r.text, r.headers["x-request-id"]) == (400, "Invalid host header", "r-1")
        r = c.get("/missing?q=1", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (308, "https://example.com/missing?q=1")
        r = c.delete("/x", headers={"x-forwarded-proto": "https"})
        assert (r.status_code, r.headers["allow"], r.text) == (405, "GET, HEAD", "Method not allowed")
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
        r = c.get("/missing", headers={"x-forwarded-proto": "https", "accept-encoding": "gzip"})
        # Looked at (Vary), left as is: gzip would make 9 bytes longer.
        assert (r.status_code, r.text, r.headers["vary"], "content-encoding" in r.headers) == (404, "Not found", "Accept-Encoding", False)
