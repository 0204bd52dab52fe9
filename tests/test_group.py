"""`app.group(prefix)`: route groups (docs/groups.md)."""

import asyncio

import msgspec
import pytest

from heaven import App
from helpers import Client, converse

pytestmark = pytest.mark.interfaces


def say(text):
    return lambda req, res, ctx: setattr(res, "body", text)


def test_group_routes_get_the_prefix():
    app = App()
    api = app.group("/v1")
    api.GET("/", say("root"))
    api.GET("/users/:id:int", lambda req, res, ctx: setattr(res, "body", req.params), name="user")
    api.POST("/users", say("made"))
    api.HTTP("/any", lambda req, res, ctx: setattr(res, "body", req.method))

    @api.DELETE("/users/:id:int")
    def remove(req, res, ctx):
        res.status = 204

    with Client(app) as c:
        assert c.get("/v1").text == "root"
        assert c.get("/v1/users/5").json() == {"id": 5}
        assert c.post("/v1/users").text == "made"
        assert c.put("/v1/any").text == "PUT"
        assert c.delete("/v1/users/5").status_code == 204
        assert c.get("/users/5").status_code == 404
    assert app.url_for("user", id=5) == "/v1/users/5"
    assert api.url_for("user", id=6) == "/v1/users/6"


def test_group_hooks_run_only_for_the_group_routes():
    log = []
    app = App()
    app.GET("/v1/outside", lambda req, res, ctx: log.append("outside"))
    api = app.group("/v1")
    api.BEFORE("/*", lambda req, res, ctx: log.append("group before"))
    api.AFTER("/*", lambda req, res, ctx: log.append("group after"))
    api.BEFORE("/users/*", lambda req, res, ctx: log.append("users before"), methods=["POST"])
    api.GET("/users", lambda req, res, ctx: log.append("list"))
    api.POST("/users", lambda req, res, ctx: log.append("create"))
    with Client(app) as c:
        c.get("/v1/users")
        assert log == ["group before", "list", "group after"]
        log.clear()
        c.post("/v1/users")
        assert log == ["group before", "users before", "create", "group after"]
        log.clear()
        # A route of the app under the same path gets none of the group's hooks.
        c.get("/v1/outside")
        assert log == ["outside"]


def test_groups_nest_and_outer_hooks_cover_inner_routes():
    log = []
    app = App()
    api = app.group("/v1")
    admin = api.group("/admin/")
    api.BEFORE("/*", lambda req, res, ctx: log.append("api"))
    admin.BEFORE("/*", lambda req, res, ctx: log.append("admin"))
    admin.GET("/stats", lambda req, res, ctx: log.append("stats"))
    api.GET("/ping", lambda req, res, ctx: log.append("ping"))
    with Client(app) as c:
        assert c.get("/v1/admin/stats").status_code == 200
        assert log == ["api", "admin", "stats"]
        log.clear()
        c.get("/v1/ping")
        assert log == ["api", "ping"]
    assert admin.prefix == "/v1/admin"


def test_the_same_hook_on_two_groups_stays_with_each():
    log = []

    def mark(req, res, ctx):
        log.append(req.path)

    app = App()
    a, b = app.group("/a"), app.group("/b")
    a.BEFORE("/x", mark)
    a.GET("/x", say("a"))
    b.GET("/x", say("b"))
    with Client(app) as c:
        c.get("/a/x")
        c.get("/b/x")
    assert log == ["/a/x"]


def test_groups_on_subdomains():
    app = App()
    api = app.subdomain("api").group("/v2")
    api.GET("/me", say("api me"))
    same = app.group("/v2", subdomain="api")
    same.GET("/you", say("api you"))
    with Client(app, host="api.example.com") as c:
        assert c.get("/v2/me").text == "api me"
        assert c.get("/v2/you").text == "api you"
    with Client(app, host="example.com") as c:
        assert c.get("/v2/me").status_code == 404


def test_group_parameters_in_the_prefix():
    app = App()
    org = app.group("/orgs/:org")
    org.GET("/repos/:repo", lambda req, res, ctx: setattr(res, "body", req.params), name="repo")
    with Client(app) as c:
        assert c.get("/orgs/acme/repos/site").json() == {"org": "acme", "repo": "site"}
    assert app.url_for("repo", org="acme", repo="site") == "/orgs/acme/repos/site"


def test_group_contracts_and_openapi():
    class NewUser(msgspec.Struct):
        name: str

    app = App()
    api = app.group("/v1")
    api.POST("/users", lambda req, res, ctx: setattr(res, "body", {"name": req.data.name}))
    api.schema.POST("/users", expects=NewUser)
    with Client(app) as c:
        assert c.post("/v1/users", json={"name": "ada"}).json() == {"name": "ada"}
        assert c.post("/v1/users", json={}).status_code == 422
    doc = app.openapi()
    assert list(doc["paths"]) == ["/v1/users"]
    assert "requestBody" in doc["paths"]["/v1/users"]["post"]


def test_group_websockets():
    async def hello(send, receive, req, ctx):
        await send(f"room {req.params['room']}")

    app = App()
    app.group("/live").WS("/:room", hello)
    assert asyncio.run(converse(app, "/live/lobby", [])) == [("accept",), ("text", "room lobby"), ("close", 1000)]


def test_bad_group_prefixes_raise_naming_the_prefix():
    app = App()
    for bad in ("v1", "/v1/*", "/v1?page:int"):
        with pytest.raises(ValueError, match=r"app\.group"):
            app.group(bad)
    api = app.group("/v1")
    api.GET("/x", say("x"))
    from heaven import UrlDuplicateError

    with pytest.raises(UrlDuplicateError):
        app.GET("/v1/x", say("again"))


def test_group_assets_and_the_remaining_verbs(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.css").write_text("body{}")
    app = App()
    site = app.group("/site")
    site.ASSETS("static", relative_to=tmp_path)
    site.ASSETS("static", route="/files/*", relative_to=tmp_path)
    site.HEAD("/h", lambda req, res, ctx: setattr(res, "headers", ("X-Head", "yes")))
    site.OPTIONS("/o", say("options"))
    site.TRACE("/t", say("trace"))
    site.PUT("/p", say("put"))
    site.PATCH("/p", say("patch"))
    with Client(app) as c:
        assert c.get("/site/static/app.css").text == "body{}"
        assert c.get("/site/files/app.css").text == "body{}"
        assert c.get("/static/app.css").status_code == 404
        assert c.head("/site/h").headers["x-head"] == "yes"
        assert c.options("/site/o").text == "options"
        assert c.request("TRACE", "/site/t").text == "trace"
        assert (c.put("/site/p").text, c.patch("/site/p").text) == ("put", "patch")
    assert repr(site) == "<Group '/site' on 'www' of <heaven.App routes=7>>"


def test_group_error_handlers_cover_the_group_prefix():
    app = App()
    api = app.group("/v1")

    @api.ERROR(404)
    def api_not_found(req, res, ctx, exc):
        res.status = 404
        res.body = {"error": "no such endpoint", "path": req.path}

    api.ERROR(KeyError, lambda req, res, ctx, exc: setattr(res, "body", {"missing": exc.args[0]}) or setattr(res, "status", 400))
    api.GET("/boom", lambda req, res, ctx: {}["id"])
    app.GET("/boom", lambda req, res, ctx: {}["id"])
    with Client(app, raise_app_exceptions=False) as c:
        r = c.get("/v1/nothing")
        assert (r.status_code, r.json()) == (404, {"error": "no such endpoint", "path": "/v1/nothing"})
        r = c.get("/v1/boom")
        assert (r.status_code, r.json()) == (400, {"missing": "id"})
        # Outside the prefix: the app's own answers.
        assert (c.get("/nothing").status_code, c.get("/nothing").text) == (404, "Not found")
        assert c.get("/boom").status_code == 500


def test_group_around_hooks_wrap_the_group_routes_only():
    app = App()
    api = app.group("/v1")

    async def timed(req, res, ctx, call_next):
        await call_next()
        res.headers = "X-Wrapped", "group"

    api.AROUND("/*", timed)
    api.GET("/in", say("in"))
    app.GET("/v1/out", say("out"))
    with Client(app) as c:
        assert c.get("/v1/in").headers["x-wrapped"] == "group"
        assert "x-wrapped" not in c.get("/v1/out").headers
