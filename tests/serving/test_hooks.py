"""BEFORE/AFTER hooks (docs/hooks.md): order, scoping, abort, dedup."""

import pytest

from heaven import App
from helpers import Client

pytestmark = pytest.mark.interfaces


def tracer(log, name):
    def hook(req, res, ctx):
        log.append(name)

    hook.__name__ = name
    return hook


def build(log):
    app = App()
    app.GET("/users/:id", tracer(log, "handler"))
    app.POST("/users/:id", tracer(log, "handler"))
    app.GET("/orders", tracer(log, "orders"))
    app.BEFORE("/users/:id", tracer(log, "before-exact"))
    app.BEFORE("/users/*", tracer(log, "before-users"))
    app.BEFORE("/*", tracer(log, "before-all-1"))
    app.BEFORE("/*", tracer(log, "before-all-2"))
    app.AFTER("/users/:id", tracer(log, "after-exact"))
    app.AFTER("/*", tracer(log, "after-all"))
    app.AFTER("/users/*", tracer(log, "after-users"))
    app.BEFORE("/users/*", tracer(log, "before-post-only"), methods=["POST"])
    return app


def test_broadest_first_before_and_mirror_after():
    log = []
    with Client(build(log)) as c:
        c.get("/users/1")
        assert log == [
            "before-all-1",
            "before-all-2",
            "before-users",
            "before-exact",
            "handler",
            "after-exact",
            "after-users",
            "after-all",
        ]
        log.clear()
        c.post("/users/1")
        assert "before-post-only" in log
        assert log.index("before-users") < log.index("before-post-only") < log.index("before-exact")
        log.clear()
        c.get("/orders")
        assert log == ["before-all-1", "before-all-2", "orders", "after-all"]


def test_prefix_covers_its_own_path_and_root():
    log = []
    app = App()
    app.GET("/", tracer(log, "root"))
    app.GET("/v1", tracer(log, "v1"))
    app.BEFORE("/*", tracer(log, "all"))
    app.BEFORE("/v1/*", tracer(log, "v1-prefix"))
    with Client(app) as c:
        c.get("/")
        c.get("/v1")
    assert log == ["all", "root", "all", "v1-prefix", "v1"]


def test_one_hook_under_several_patterns_runs_once():
    log = []
    shared = tracer(log, "shared")
    app = App()
    app.GET("/a/b", tracer(log, "handler"))
    app.BEFORE("/*", shared)
    app.BEFORE("/a/*", shared)
    app.BEFORE("/a/b", shared)
    with Client(app) as c:
        c.get("/a/b")
    assert log == ["shared", "handler"]


def test_abort_stops_the_chain():
    log = []

    def guard(req, res, ctx):
        log.append("guard")
        if req.headers.get("authorization") != "yes":
            res.status = 401
            res.abort({"error": "unauthorized"})

    app = App()
    app.GET("/secret", tracer(log, "handler"))
    app.BEFORE("/*", guard)
    app.BEFORE("/secret", tracer(log, "later-before"))
    app.AFTER("/*", tracer(log, "after"))
    with Client(app) as c:
        r = c.get("/secret")
        assert r.status_code == 401
        assert r.json() == {"error": "unauthorized"}
        assert log == ["guard"]
        log.clear()
        assert c.get("/secret", headers={"authorization": "yes"}).status_code == 200
        assert log == ["guard", "later-before", "handler", "after"]


def test_abort_in_handler_skips_after_hooks_and_in_after_stops_the_rest():
    log = []

    def handler(req, res, ctx):
        res.abort("early")

    def stopper(req, res, ctx):
        log.append("stopper")
        res.abort("stopped")

    app = App()
    app.GET("/h", handler)
    app.GET("/a", tracer(log, "handler"))
    app.AFTER("/h", tracer(log, "after-h"))
    app.AFTER("/a", stopper)
    app.AFTER("/*", tracer(log, "after-all"))
    with Client(app) as c:
        assert c.get("/h").text == "early"
        assert log == []
        assert c.get("/a").text == "stopped"
        assert log == ["handler", "stopper"]


def test_async_hooks_and_ctx_flow_through_the_chain():
    async def load_user(req, res, ctx):
        ctx.user = {"id": req.params["id"]}

    async def show(req, res, ctx):
        res.body = ctx.user

    def stamp(req, res, ctx):
        res.headers = "X-User", str(ctx.user["id"])

    app = App()
    app.GET("/u/:id:int", show)
    app.BEFORE("/u/:id:int", load_user)
    app.AFTER("/u/*", stamp)
    with Client(app) as c:
        r = c.get("/u/5")
    assert r.json() == {"id": 5}
    assert r.headers["x-user"] == "5"


def test_hooks_may_be_import_strings():
    app = App()
    app.GET("/", lambda req, res, ctx: None)
    app.BEFORE("/*", "handlers.tag_request")
    with Client(app) as c:
        assert c.get("/").headers["x-tagged"] == "yes"


def test_hook_registered_after_first_request_applies():
    app = App()
    app.GET("/", lambda req, res, ctx: None)
    with Client(app) as c:
        assert "x-late" not in c.get("/").headers
        app.AFTER("/*", lambda req, res, ctx: res.header("X-Late", "1"))
        assert c.get("/").headers["x-late"] == "1"


def test_a_chain_of_sync_and_async_hooks_runs_each_once_in_order():
    """Sync hooks run without a coroutine until the first async one; the
    rest of the chain goes on from there, in order."""
    app = App()
    seen = []

    def async_hook(name):
        async def hook(req, res, ctx):
            seen.append(name)

        return hook

    app.BEFORE("/*", lambda req, res, ctx: seen.append("sync-1"))
    app.BEFORE("/*", async_hook("async-1"))
    app.BEFORE("/x", lambda req, res, ctx: seen.append("sync-2"))
    app.BEFORE("/x", async_hook("async-2"))
    app.BEFORE("/x", lambda req, res, ctx: seen.append("sync-3"))
    app.AFTER("/x", lambda req, res, ctx: seen.append("after-sync"))
    app.AFTER("/x", async_hook("after-async"))
    app.GET("/x", lambda req, res, ctx: seen.append("handler"))
    with Client(app) as c:
        assert c.get("/x").status_code == 200
    assert seen == ["sync-1", "async-1", "sync-2", "async-2", "sync-3", "handler", "after-sync", "after-async"]
