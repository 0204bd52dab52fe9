"""The application object (docs/application.md) and handler forms (docs/routing.md)."""

import logging

import pytest

import heaven
from heaven import App, Application, HandlerError, Key, PluginError, Router, Server
from helpers import Client, call_raw, http_scope, raw_call

pytestmark = pytest.mark.interfaces


def test_aliases_are_one_class():
    assert App is Router is Application is Server
    assert heaven.STARTUP == "startup" and heaven.SHUTDOWN == "shutdown"


def test_config_from_dict_or_callable():
    assert App({"secret_key": "s"}).CONFIG("secret_key") == "s"
    app = App(lambda: {"debug_level": 3})
    assert app.CONFIG("debug_level") == 3
    assert app.CONFIG("absent", None) is None
    with pytest.raises(KeyError, match="'absent' is not in this app's configuration"):
        app.CONFIG("absent")
    with pytest.raises(TypeError, match="must be a dict"):
        App(lambda: [1])


def test_app_state_keep_peek_unkeep():
    app = App()
    DB = Key[dict]("db")
    app.keep("db", {"conn": 1})
    assert app.peek(DB) == {"conn": 1}
    assert app.peek("nothing") is None
    assert app.unkeep(DB) == {"conn": 1}
    assert app.unkeep("db") is None


def test_plugin_protocol_and_missing_install():
    class Plug:
        def install(self, app):
            app.keep("plugged", self)

    app = App()
    plug = Plug()
    assert app.plugin(plug) is app
    assert app.peek("plugged") is plug
    with pytest.raises(PluginError, match="has no install"):
        app.plugin(object())


@pytest.mark.parametrize(
    "target, path, expected",
    [
        ("handlers.plain", "/a", "plain function"),
        ("handlers.asynchronous", "/b", "async function"),
        ("handlers.Users#count", "/c", "count True"),
    ],
)
def test_handlers_as_import_strings(target, path, expected):
    app = App()
    app.GET(path, target)
    with Client(app) as c:
        assert c.get(path).text == expected


def test_class_handler_gets_one_instance_per_request():
    app = App()
    app.GET("/users/:id:int", "handlers.Users#show")
    with Client(app) as c:
        assert c.get("/users/9").json() == {"id": 9, "handler": "Users"}


@pytest.mark.parametrize(
    "target, needle",
    [
        ("nomodule_xyz.fn", "cannot import module 'nomodule_xyz'"),
        ("handlers.nothing_here", "has no attribute 'nothing_here'"),
        ("handlers.not_callable", "is not callable"),
        ("handlers.NotAHandler#show", "must be a subclass of heaven.Handler"),
        ("handlers.Users#missing", "has no method 'missing'"),
        ("nodots", "is not a dotted path"),
        (42, "is not callable"),
    ],
)
def test_bad_handlers_fail_at_registration_naming_the_route(target, needle):
    app = App()
    with pytest.raises(HandlerError) as info:
        app.GET("/broken/:id", target)
    assert needle in str(info.value)
    assert "GET '/broken/:id'" in str(info.value)
    assert app.routes == []


def test_exception_in_handler_or_hook_is_500_logged_and_serving_goes_on(caplog):
    def broken(req, res, ctx):
        res.headers = "X-Partial", "must not leak"
        raise RuntimeError("kaboom")

    def broken_hook(req, res, ctx):
        raise KeyError("hook kaboom")

    app = App()
    app.GET("/broken", broken)
    app.GET("/hooked", lambda req, res, ctx: None)
    app.BEFORE("/hooked", broken_hook)
    app.GET("/fine", lambda req, res, ctx: setattr(res, "body", "fine"))
    with caplog.at_level(logging.ERROR, logger="heaven"), Client(app) as c:
        r = c.get("/broken")
        assert r.status_code == 500
        assert r.text == "Internal Server Error"
        assert "x-partial" not in r.headers
        assert c.get("/hooked").status_code == 500
        assert c.get("/fine").text == "fine"
    records = [r for r in caplog.records if r.name == "heaven"]
    assert len(records) == 2
    assert "GET /broken" in records[0].getMessage()
    assert records[0].exc_info[0] is RuntimeError
    assert "kaboom" in caplog.text and "Traceback" in caplog.text


def test_debug_mode_shows_the_traceback():
    app = App(debug=True)
    app.GET("/", lambda req, res, ctx: 1 / 0)
    with Client(app) as c:
        r = c.get("/")
    assert r.status_code == 500
    assert "ZeroDivisionError" in r.text and "Traceback" in r.text


def test_http_error_answers_with_its_status():
    app = App()

    def handler(req, res, ctx):
        raise heaven.HTTPError("nope, teapot", status=418)

    app.GET("/", handler)
    with Client(app) as c:
        r = c.get("/")
    assert (r.status_code, r.text) == (418, "nope, teapot")


def test_max_body_size_413_by_length_and_by_chunks():
    seen = []
    app = App(max_body_size=10)
    app.POST("/up", lambda req, res, ctx: seen.append(req.body))
    with Client(app) as c:
        assert c.post("/up", content=b"x" * 10).status_code == 200
        r = c.post("/up", content=b"x" * 11)
        assert r.status_code == 413
        assert r.headers["connection"] == "close"
    # Chunked, no length: refused as the total passes the limit; later chunks are never read.
    scope = http_scope("/up", method="POST", headers=[(b"transfer-encoding", b"chunked")])
    out = call_raw(app, scope, [b"12345", b"67890", b"1", b"never"])
    assert out["status"] == 413
    assert out["unread"] == 1
    assert seen == [b"x" * 10]
    with pytest.raises(ValueError):
        App(max_body_size=-1)


def test_unmatched_requests_never_have_their_body_read():
    app = App(max_body_size=1)
    scope = http_scope("/nowhere", method="POST", headers=[(b"content-length", b"5")])
    out = call_raw(app, scope, [b"hello"])
    assert out["status"] == 404
    assert out["unread"] == 1


def test_routes_listing():
    app = App()
    app.GET("/a", "handlers.plain")
    app.HTTP("/b", lambda req, res, ctx: None)
    listed = [(e.method, e.pattern, e.subdomain) for e in app.routes]
    assert listed[0] == ("GET", "/a", "www")
    assert [m for m, p, _ in listed if p == "/b"] == list(heaven.HTTP_METHODS)
    assert app.routes[0].target == "handlers.plain"


def test_requests_leave_no_reference_cycles():
    """Every request's objects are freed by refcounting, not left to the
    cyclic GC (a cycle there cost ~20% of the per-request time once)."""
    import asyncio
    import gc

    app = App()
    app.sessions("s")
    app.cors()

    async def handler(req, res, ctx):
        ctx.user = req.params["id"]
        res.body = {"id": req.params["id"], "q": req.queries.get("q"), "h": req.headers.get("host")}

    app.GET("/u/:id:int", handler)
    scope = http_scope("/u/5", query_string=b"q=1", headers=[(b"host", b"t"), (b"origin", b"https://x.io")])

    async def run():
        await raw_call(app, dict(scope))  # warm up (compiles the router)
        gc.collect()
        gc.disable()
        try:
            for _ in range(200):
                await raw_call(app, dict(scope))
            return gc.collect()
        finally:
            gc.enable()

    assert asyncio.run(run()) == 0


def test_default_body_limit_is_10_mib_and_none_means_unlimited():
    from heaven.app import DEFAULT_MAX_BODY_SIZE

    assert DEFAULT_MAX_BODY_SIZE == 10 * 1024 * 1024
    limited, unlimited = App(), App(max_body_size=None)
    assert limited.max_body_size == DEFAULT_MAX_BODY_SIZE and unlimited.max_body_size is None
    sizes = []
    for app in (limited, unlimited):
        app.POST("/up", lambda req, res, ctx: sizes.append(len(req.body)))
    just_over = b"x" * (DEFAULT_MAX_BODY_SIZE + 1)
    with Client(limited) as c:
        assert c.post("/up", content=just_over).status_code == 413
        assert c.post("/up", content=just_over[:-1]).status_code == 200
    # Chunks with no declared length are counted against the default too.
    scope = http_scope("/up", method="POST", headers=[(b"transfer-encoding", b"chunked")])
    half = b"x" * (DEFAULT_MAX_BODY_SIZE // 2)
    assert call_raw(limited, scope, [half, half, b"x", b"never"])["status"] == 413
    with Client(unlimited) as c:
        assert c.post("/up", content=just_over).status_code == 200
    assert sizes == [DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_BODY_SIZE + 1]
