"""AROUND hooks (docs/middleware.md): order, exceptions, short-circuits,
changing the response after the handler, sync hooks, mounts, subdomains,
and `app.use(hook)` covering every route of every subdomain."""

import logging

import pytest

from heaven import App, HTTPError
from heaven.errors import HandlerError
from helpers import Client

pytestmark = pytest.mark.interfaces


def around(log, name):
    async def hook(req, res, ctx, call_next):
        log.append(f"{name}-in")
        await call_next()
        log.append(f"{name}-out")

    hook.__qualname__ = name
    return hook


def step(log, name):
    def hook(req, res, ctx):
        log.append(name)

    return hook


def test_order_outermost_first_around_before_handler_after():
    log = []
    app = App()
    app.GET("/users/:id", step(log, "handler"))
    app.AROUND("/users/:id", around(log, "exact"))
    app.AROUND("/*", around(log, "all-1"))
    app.AROUND("/users/*", around(log, "users"))
    app.AROUND("/*", around(log, "all-2"))
    app.BEFORE("/*", step(log, "before"))
    app.AFTER("/*", step(log, "after"))
    with Client(app) as c:
        assert c.get("/users/7").status_code == 200
    assert log == [
        "all-1-in", "all-2-in", "users-in", "exact-in", "before", "handler", "after",
        "exact-out", "users-out", "all-2-out", "all-1-out",
    ]


def test_changes_after_call_next_reach_the_client():
    app = App()

    @app.AROUND("/*")
    async def timed(req, res, ctx, call_next):
        await call_next()
        res.header("X-Handled-By", "timed")
        res.body = {"wrapped": res.body}

    app.GET("/x", lambda req, res, ctx: setattr(res, "body", {"n": 1}))
    with Client(app) as c:
        r = c.get("/x")
    assert (r.status_code, r.headers["x-handled-by"], r.json()) == (200, "timed", {"wrapped": {"n": 1}})


def test_short_circuit_skips_hooks_and_handler():
    log = []
    app = App()

    def gate(req, res, ctx, call_next):
        if req.headers.get("x-key") != "open":
            res.status = 401
            res.body = "no key"
            return None
        return call_next()

    app.AROUND("/*", gate)
    app.BEFORE("/*", step(log, "before"))
    app.GET("/x", step(log, "handler"))
    with Client(app) as c:
        r = c.get("/x")
        assert (r.status_code, r.text, log) == (401, "no key", [])
        r = c.get("/x", headers={"x-key": "open"})
        assert (r.status_code, log) == (200, ["before", "handler"])


def test_call_next_raises_what_the_handler_raised():
    seen = []
    app = App()

    async def watch(req, res, ctx, call_next):
        try:
            await call_next()
        except Exception as exc:
            seen.append((type(exc).__name__, getattr(exc, "status", None)))
            raise

    app.AROUND("/*", watch)
    app.GET("/teapot", lambda req, res, ctx: (_ for _ in ()).throw(HTTPError("short and stout", status=418)))
    app.GET("/boom", lambda req, res, ctx: 1 / 0)
    with Client(app) as c:
        r = c.get("/teapot")
        assert (r.status_code, r.text) == (418, "short and stout")
        r = c.get("/boom")
        assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert seen == [("HTTPError", 418), ("ZeroDivisionError", None)]


def test_an_around_hook_can_turn_an_error_into_an_answer():
    app = App()

    async def recover(req, res, ctx, call_next):
        try:
            await call_next()
        except ZeroDivisionError:
            res.status = 422
            res.body = {"error": "division by zero"}

    app.AROUND("/*", recover)
    app.GET("/boom", lambda req, res, ctx: 1 / 0)
    with Client(app) as c:
        r = c.get("/boom")
    assert (r.status_code, r.json()) == (422, {"error": "division by zero"})


def test_abort_is_seen_as_the_aborted_response():
    seen = []
    app = App()

    async def watch(req, res, ctx, call_next):
        await call_next()
        seen.append((res.aborted, res.status, res.body))

    def refuse(req, res, ctx):
        res.status = 403
        res.abort("forbidden")

    app.AROUND("/*", watch)
    app.BEFORE("/x", refuse)
    app.GET("/x", lambda req, res, ctx: setattr(res, "body", "handler ran"))
    with Client(app) as c:
        r = c.get("/x")
    assert (r.status_code, r.text) == (403, "forbidden")
    assert seen == [(True, 403, "forbidden")]


def test_headers_set_before_call_next_stay_on_error_answers(caplog):
    app = App()

    def tag(req, res, ctx, call_next):
        res.header("X-Trace", "t-1")
        return call_next()

    app.AROUND("/*", tag)
    app.BEFORE("/*", lambda req, res, ctx: res.header("X-Before", "b"))
    app.GET("/boom", lambda req, res, ctx: 1 / 0)
    app.GET("/nope", lambda req, res, ctx: (_ for _ in ()).throw(HTTPError(status=404)))
    with caplog.at_level(logging.CRITICAL, logger="heaven"), Client(app) as c:
        for path, status in (("/boom", 500), ("/nope", 404)):
            r = c.get(path)
            assert (r.status_code, r.headers.get("x-trace"), r.headers.get("x-before")) == (status, "t-1", "b")


def test_sync_hook_must_return_call_next_not_drop_it():
    app = App()

    def forgetful(req, res, ctx, call_next):
        call_next()  # neither awaited nor returned: the route would silently not run

    async def twice(req, res, ctx, call_next):
        await call_next()
        await call_next()

    app.AROUND("/a", forgetful)
    app.AROUND("/b", twice)
    app.GET("/a", lambda req, res, ctx: None)
    app.GET("/b", lambda req, res, ctx: None)
    with Client(app, raise_app_exceptions=False) as c:
        assert c.get("/a").status_code == 500
        assert c.get("/b").status_code == 500


def test_misuse_is_named(caplog):
    app = App()
    app.AROUND("/a", lambda req, res, ctx, call_next: call_next() and None)
    app.GET("/a", lambda req, res, ctx: None)
    with caplog.at_level(logging.ERROR, logger="heaven"), Client(app) as c:
        assert c.get("/a").status_code == 500
    messages = "\n".join(str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    assert "called call_next() without awaiting it" in messages and "(/a)" in messages


def test_bad_registrations_raise_with_the_route():
    app = App()
    with pytest.raises(HandlerError, match="AROUND '/x'"):
        app.AROUND("/x", "nowhere.to.be.found")
    with pytest.raises(Exception, match="a/\\*"):
        app.AROUND("a/*", lambda req, res, ctx, call_next: call_next())
    with pytest.raises(TypeError, match="options are for ASGI middleware classes"):
        app.use(lambda req, res, ctx, call_next: call_next(), minimum=3)
    with pytest.raises(TypeError, match="app.use needs"):
        app.use(42)


def test_methods_scope_and_subdomain_and_use_everywhere():
    log = []
    app = App()
    app.GET("/x", step(log, "www"))
    app.POST("/x", step(log, "www-post"))
    app.subdomain("api").GET("/x", step(log, "api"))
    app.AROUND("/*", around(log, "posts"), methods=["POST"])
    app.subdomain("api").AROUND("/*", around(log, "api-only"))
    app.use(around(log, "everywhere"))
    app.subdomain("admin").GET("/x", step(log, "admin"))  # a table added after use(): covered too
    with Client(app, host="example.com") as c:
        c.get("/x")
        assert log == ["everywhere-in", "www", "everywhere-out"]
        log.clear()
        c.post("/x")
        assert log == ["posts-in", "everywhere-in", "www-post", "everywhere-out", "posts-out"]
        log.clear()
        c.get("/x", headers={"host": "api.example.com"})
        assert log == ["api-only-in", "everywhere-in", "api", "everywhere-out", "api-only-out"]
        log.clear()
        c.get("/x", headers={"host": "admin.example.com"})
        assert log == ["everywhere-in", "admin", "everywhere-out"]


def test_mounted_apps_around_hooks_nest_inside_the_parents():
    log = []
    child = App()
    child.GET("/child", step(log, "handler"))
    child.AROUND("/*", around(log, "child"))
    parent = App()
    parent.AROUND("/*", around(log, "parent"))
    parent.mount(child)
    child.AROUND("/child", around(log, "child-later"))  # registered after mounting: follows
    with Client(parent) as c:
        assert c.get("/child").status_code == 200
    assert log == ["parent-in", "child-in", "child-later-in", "handler", "child-later-out", "child-out", "parent-out"]


def test_returns_contract_is_shaped_inside_the_around_hooks():
    import msgspec

    class User(msgspec.Struct):
        name: str

    seen = []
    app = App()

    async def look(req, res, ctx, call_next):
        await call_next()
        seen.append(res.body)

    app.AROUND("/*", look)
    app.GET("/u", lambda req, res, ctx: setattr(res, "body", {"name": "ada", "password": "x"}))
    app.schema.GET("/u", returns=User)
    with Client(app) as c:
        r = c.get("/u")
    assert (r.status_code, r.json()) == (200, {"name": "ada"})
    # The hook saw the shaped body: the field the contract does not return is gone.
    assert len(seen) == 1 and msgspec.to_builtins(seen[0]) == {"name": "ada"}


def route(matcher, path, kind="http"):
    scope = {"type": kind, "method": "GET", "path": path, "raw_path": path.encode(), "headers": [], "query_string": b""}
    return matcher.route(scope)._entry


def test_websocket_routes_are_not_wrapped():
    app = App()
    app.use(lambda req, res, ctx, call_next: call_next())
    app.WS("/ws", lambda send, receive, req, ctx: None)
    app.GET("/x", lambda req, res, ctx: None)
    matcher = app._compile()
    assert len(route(matcher, "/x").arounds) == 1
    socket = route(matcher, "/ws", "websocket")
    assert socket.websocket and socket.arounds == ()


def test_a_route_without_around_hooks_has_none():
    app = App()
    app.AROUND("/api/*", lambda req, res, ctx, call_next: call_next())
    app.GET("/api/x", lambda req, res, ctx: None)
    app.GET("/plain", lambda req, res, ctx: None)
    matcher = app._compile()
    assert len(route(matcher, "/api/x").arounds) == 1
    assert route(matcher, "/plain").arounds == ()


def test_earth_bypasses_and_swaps_around_hooks():
    import asyncio

    log = []
    app = App()
    outer = around(log, "outer")
    app.AROUND("/*", outer)
    app.GET("/x", step(log, "handler"))
    with app.earth.bypass(outer):
        asyncio.run(app.earth.GET("/x"))
    assert log == ["handler"]
    log.clear()
    with app.earth.swap(outer, around(log, "stand-in")):
        asyncio.run(app.earth.GET("/x"))
    assert log == ["stand-in-in", "handler", "stand-in-out"]
    log.clear()
    asyncio.run(app.earth.GET("/x"))
    assert log == ["outer-in", "handler", "outer-out"]


def test_use_hooks_wrap_requests_no_route_takes():
    log = []
    app = App()

    async def shaped(req, res, ctx, call_next):
        log.append(("in", req.path))
        res.header("X-Seen", "yes")
        await call_next()
        if res.status == 404:
            res.body = {"error": "no such page", "path": req.path}

    app.use(shaped)
    app.AROUND("/*", around(log, "pattern-only"))  # a pattern's hooks wrap routes only
    app.GET("/x", lambda req, res, ctx: None)
    with Client(app) as c:
        r = c.get("/nowhere")
        assert (r.status_code, r.headers["x-seen"], r.json()) == (404, "yes", {"error": "no such page", "path": "/nowhere"})
        r = c.post("/x")
        assert (r.status_code, r.headers["allow"], r.headers["x-seen"], r.text) == (405, "GET, HEAD", "yes", "Method not allowed")
        r = c.head("/nowhere")
        assert (r.status_code, r.content) == (404, b"")
    assert log == [("in", "/nowhere"), ("in", "/x"), ("in", "/nowhere")]


def test_use_hooks_failing_on_a_refusal_answer_500_and_keep_their_headers(caplog):
    app = App()

    def tag_then_fail(req, res, ctx, call_next):
        res.header("X-Tag", "t")
        raise HTTPError("refused here", status=418)

    async def crash(req, res, ctx, call_next):
        await call_next()
        raise RuntimeError("broken")

    app.use(tag_then_fail)
    app.GET("/x", lambda req, res, ctx: None)
    with Client(app) as c:
        r = c.get("/nowhere")
        assert (r.status_code, r.text, r.headers.get("x-tag")) == (418, "refused here", None)
    app2 = App()
    app2.use(crash)
    with caplog.at_level(logging.ERROR, logger="heaven"), Client(app2) as c:
        r = c.get("/nowhere")
        assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert any("(no route)" in rec.getMessage() for rec in caplog.records)


def test_an_app_without_use_hooks_answers_refusals_as_before():
    app = App()
    app.AROUND("/*", lambda req, res, ctx, call_next: call_next())
    app.GET("/x", lambda req, res, ctx: None)
    app._compile()
    assert app._everywhere == ()


def test_headers_an_around_hook_sets_after_a_failure_stay_on_the_error_answer():
    app = App()

    async def timed(req, res, ctx, call_next):
        try:
            await call_next()
        finally:
            res.header("Server-Timing", "app;dur=1.00")

    def failing(req, res, ctx):
        res.header("X-Half-Done", "yes")  # the handler's own: dropped with its answer
        raise HTTPError(status=409, detail={"error": "taken"})

    def crashing(req, res, ctx):
        raise RuntimeError("a bug")

    app.AROUND("/*", timed)
    app.GET("/taken", failing)
    app.GET("/crash", crashing)
    app.GET("/fine", lambda req, res, ctx: setattr(res, "body", "ok"))
    with Client(app, raise_app_exceptions=False) as c:
        taken, crash, fine = c.get("/taken"), c.get("/crash"), c.get("/fine")
    assert (taken.status_code, taken.json(), taken.headers.get("server-timing")) == (409, {"error": "taken"}, "app;dur=1.00")
    assert "x-half-done" not in taken.headers
    assert (crash.status_code, crash.text, crash.headers.get("server-timing")) == (500, "Internal Server Error", "app;dur=1.00")
    assert (fine.text, fine.headers.get("server-timing")) == ("ok", "app;dur=1.00")
