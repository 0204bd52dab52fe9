"""`app.mount(child, isolated=)` (docs/mounting.md)."""

import asyncio

import pytest

from heaven import App
from helpers import Client, Lifespan

pytestmark = pytest.mark.interfaces


def who(req, res, ctx):
    res.body = {
        "app": req.app.CONFIG("name"),
        "mounted": req.mounted.CONFIG("name") if req.mounted else None,
        "state": req.app.peek("shared"),
    }


def test_isolated_mount_keeps_the_child_as_req_app():
    parent = App({"name": "parent"})
    child = App({"name": "child"})
    child.GET("/child/who", who)
    parent.GET("/who", who)
    parent.mount(child)
    child.keep("shared", "child-state")
    with Client(parent) as c:
        assert c.get("/child/who").json() == {"app": "child", "mounted": "child", "state": "child-state"}
        assert c.get("/who").json() == {"app": "parent", "mounted": None, "state": None}


def test_shared_mount_shares_config_and_state():
    parent = App({"name": "parent", "only_parent": 1})
    child = App({"name": "child", "only_child": 2})
    child.keep("shared", "from-child")
    child.GET("/child/who", who)
    child.GET("/child/mounted", lambda req, res, ctx: setattr(res, "body", req.mounted is child))
    parent.mount(child, isolated=False)
    assert child.CONFIG("only_parent") == 1 and parent.CONFIG("only_child") == 2
    parent.keep("later", "seen by both")
    assert child.peek("later") == "seen by both"
    with Client(parent) as c:
        # Parent wins name clashes; the handler sees the parent as req.app.
        # (the child reads the shared configuration, so it too says "parent").
        assert c.get("/child/who").json() == {"app": "parent", "mounted": "parent", "state": "from-child"}
        assert c.get("/child/mounted").json() is True


def test_hook_order_parent_child_handler_child_parent():
    log = []

    def mark(name):
        return lambda req, res, ctx: log.append(name)

    parent = App()
    child = App()
    child.GET("/c/x", mark("handler"))
    child.BEFORE("/*", mark("child-before"))
    child.AFTER("/*", mark("child-after"))
    parent.BEFORE("/*", mark("parent-before"))
    parent.AFTER("/*", mark("parent-after"))
    parent.mount(child)
    with Client(parent) as c:
        c.get("/c/x")
    assert log == ["parent-before", "child-before", "handler", "child-after", "parent-after"]


def test_later_child_registrations_follow_and_clashes_raise():
    parent = App()
    child = App()
    parent.GET("/taken", who)
    parent.mount(child)
    child.GET("/late", lambda req, res, ctx: setattr(res, "body", "late"))
    with Client(parent) as c:
        assert c.get("/late").text == "late"
    from heaven import UrlDuplicateError

    with pytest.raises(UrlDuplicateError):
        child.GET("/taken", who)


def test_mounting_rules():
    a, b = App(), App()
    a.mount(b)
    with pytest.raises(ValueError):
        a.mount(b)
    with pytest.raises(ValueError):
        b.mount(a)
    with pytest.raises(ValueError):
        a.mount(a)
    with pytest.raises(TypeError):
        a.mount(object())


def test_child_lifecycle_and_daemons_join_the_parent():
    log = []
    parent = App({"name": "parent"})
    child = App({"name": "child"})
    child.ON("startup", lambda app: log.append(("child-start", app.CONFIG("name"))))
    parent.ON("startup", lambda app: log.append(("parent-start", app.CONFIG("name"))))

    async def daemon(app):
        log.append(("daemon", app.CONFIG("name")))

    child.daemons = daemon
    parent.mount(child)
    child.ON("shutdown", lambda app: log.append(("child-stop", app.CONFIG("name"))))

    async def run():
        ls = Lifespan(parent)
        await ls.startup()
        await asyncio.sleep(0.02)
        await ls.shutdown()

    asyncio.run(run())
    # Registration order: the parent's callback was registered before the mount.
    assert log == [("parent-start", "parent"), ("child-start", "child"), ("daemon", "child"), ("child-stop", "child")]


def test_nested_mounts():
    top, mid, leaf = App({"name": "top"}), App({"name": "mid"}), App({"name": "leaf"})
    leaf.GET("/leaf", who)
    mid.mount(leaf)
    top.mount(mid)
    with Client(top) as c:
        assert c.get("/leaf").json() == {"app": "leaf", "mounted": "leaf", "state": None}


def test_deferred_work_in_an_isolated_mount_gets_the_child_app():
    seen = []
    child = App()
    child.keep("name", "child")
    child.GET("/child", lambda req, res, ctx: res.defer(lambda app: seen.append(app.peek("name"))))
    shared = App()
    shared.GET("/shared", lambda req, res, ctx: res.defer(lambda app: seen.append(app)))
    parent = App()
    parent.keep("name", "parent")
    parent.GET("/parent", lambda req, res, ctx: res.defer(lambda app: seen.append(app.peek("name"))))
    parent.mount(child)
    parent.mount(shared, isolated=False)
    with Client(parent) as c:
        assert c.get("/child").status_code == 200
        assert c.get("/parent").status_code == 200
        assert c.get("/shared").status_code == 200
    assert seen == ["child", "parent", parent]


# -- mount(child, prefix=...) ---------------------------------------------------


def _child_api():
    child = App({"name": "child"})
    child.GET("/", lambda req, res, ctx: setattr(res, "body", "child root"))
    child.GET("/users/:id:int", lambda req, res, ctx: setattr(res, "body", {"id": req.params["id"]}), name="user")
    return child


def test_prefix_moves_routes_and_keeps_the_parent_paths():
    parent = App()
    parent.GET("/users/:id:int", lambda req, res, ctx: setattr(res, "body", "parent user"))
    parent.mount(_child_api(), prefix="/api/")
    with Client(parent) as c:
        assert c.get("/api/users/7").json() == {"id": 7}
        assert c.get("/api").text == "child root"
        assert c.get("/users/7").text == "parent user"
        assert c.get("/api/users/x").status_code == 404


def test_prefix_hooks_follow_and_stay_with_the_child():
    log = []
    parent = App()
    parent.GET("/api/own", lambda req, res, ctx: log.append("parent handler"))
    child = App()
    child.BEFORE("/*", lambda req, res, ctx: log.append("child before"))
    child.AFTER("/users/*", lambda req, res, ctx: log.append("child after"))
    child.GET("/users/me", lambda req, res, ctx: log.append("child handler"))
    parent.BEFORE("/*", lambda req, res, ctx: log.append("parent before"))
    parent.mount(child, prefix="/api")
    with Client(parent) as c:
        c.get("/api/users/me")
        assert log == ["parent before", "child before", "child handler", "child after"]
        log.clear()
        # A parent route under the prefix does not get the child's hooks.
        c.get("/api/own")
        assert log == ["parent before", "parent handler"]


def test_registrations_after_a_prefixed_mount_follow():
    parent = App()
    child = App()
    parent.mount(child, prefix="/late")
    child.GET("/x", lambda req, res, ctx: setattr(res, "body", "x"))
    child.BEFORE("/x", lambda req, res, ctx: setattr(res, "headers", ("X-Hooked", "yes")))
    with Client(parent) as c:
        r = c.get("/late/x")
        assert (r.status_code, r.text, r.headers["x-hooked"]) == (200, "x", "yes")
        assert c.get("/x").status_code == 404


def test_nested_prefixes_add_up_and_url_for_follows():
    inner = _child_api()
    middle = App()
    outer = App()
    middle.mount(inner, prefix="/v1")
    outer.mount(middle, prefix="/api")
    assert outer.url_for("user", id=3) == "/api/v1/users/3"
    # The child builds the path it is served at, under every prefix above it.
    assert inner.url_for("user", id=3) == "/api/v1/users/3"
    assert inner.url_for("/") == "/api/v1"
    with Client(outer) as c:
        assert c.get("/api/v1/users/3").json() == {"id": 3}
        assert c.get("/api/v1").text == "child root"


def test_prefix_with_isolated_false_and_prefer_still_accepted():
    parent = App({"name": "parent"})
    child = App({"name": "child"})
    child.GET("/who", who)
    parent.mount(child, False, "child", prefix="/shared")
    with Client(parent) as c:
        assert c.get("/shared/who").json() == {"app": "parent", "mounted": "parent", "state": None}


def test_prefix_contracts_follow():
    import msgspec

    class NewUser(msgspec.Struct):
        name: str

    child = App()
    child.POST("/users", lambda req, res, ctx: setattr(res, "body", {"made": req.data.name}))
    child.schema.POST("/users", expects=NewUser)
    parent = App()
    parent.mount(child, prefix="/api")
    with Client(parent) as c:
        assert c.post("/api/users", json={"name": "ada"}).json() == {"made": "ada"}
        assert c.post("/api/users", json={"nom": "ada"}).status_code == 422
    paths = parent.openapi()["paths"]
    assert list(paths) == ["/api/users"]
    assert "requestBody" in paths["/api/users"]["post"]


def test_bad_prefixes_are_refused():
    parent = App()
    for bad in ("api", "/api/*", "/api?x:int", "/a/:"):
        with pytest.raises(ValueError, match="prefix|pattern|:"):
            parent.mount(App(), prefix=bad)
    with pytest.raises(ValueError, match="subdomain= is for ASGI apps"):
        parent.mount(App(), prefix="/x", subdomain="api")


# -- CORS of a mounted app -------------------------------------------------------------


ORIGIN = "https://front.example"


def _cors_child():
    child = App()
    child.GET("/items", lambda req, res, ctx: setattr(res, "body", "items"))
    child.cors(origin=[ORIGIN], methods=["GET"])
    return child


@pytest.mark.parametrize("prefix", [None, "/api"])
def test_cors_of_a_mounted_child_is_honoured(prefix):
    parent = App()
    parent.GET("/plain", lambda req, res, ctx: setattr(res, "body", "plain"))
    parent.mount(_cors_child(), prefix=prefix)
    path = (prefix or "") + "/items"
    with Client(parent) as c:
        r = c.get(path, headers={"Origin": ORIGIN})
        assert (r.status_code, r.headers["access-control-allow-origin"]) == (200, ORIGIN)
        pre = c.options(path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
        assert pre.status_code == 204
        assert pre.headers["access-control-allow-origin"] == ORIGIN
        assert pre.headers["access-control-allow-methods"] == "GET"
        refused = c.options(path, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
        assert refused.status_code == 403
        # The parent's own routes have no policy: no CORS headers there.
        plain = c.get("/plain", headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in plain.headers
        # An OPTIONS that is not a preflight is not answered by the policy.
        assert c.options("/plain").status_code == 405


def test_cors_set_on_the_child_after_mounting_follows():
    child = App()
    child.GET("/items", lambda req, res, ctx: setattr(res, "body", "items"))
    parent = App()
    parent.mount(child, prefix="/api")
    with Client(parent) as c:
        assert "access-control-allow-origin" not in c.get("/api/items", headers={"Origin": ORIGIN}).headers
        child.cors(origin="*")
        assert c.get("/api/items", headers={"Origin": ORIGIN}).headers["access-control-allow-origin"] == "*"
        pre = c.options("/api/items", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
        assert (pre.status_code, pre.headers["access-control-allow-origin"]) == (204, "*")


def test_child_policy_wins_over_the_parents_for_child_routes():
    parent = App()
    parent.cors(origin="https://parent.example")
    parent.GET("/own", lambda req, res, ctx: setattr(res, "body", "own"))
    parent.mount(_cors_child(), prefix="/api")
    with Client(parent) as c:
        assert c.get("/api/items", headers={"Origin": ORIGIN}).headers["access-control-allow-origin"] == ORIGIN
        r = c.get("/own", headers={"Origin": "https://parent.example"})
        assert r.headers["access-control-allow-origin"] == "https://parent.example"
    # The OPTIONS routes that answer the child's preflights are not API operations.
    assert parent.openapi()["paths"] == {
        "/own": {"get": parent.openapi()["paths"]["/own"]["get"]},
        "/api/items": {"get": parent.openapi()["paths"]["/api/items"]["get"]},
    }


def test_an_options_route_registered_later_takes_over_the_preflight_path():
    child = _cors_child()
    parent = App()
    parent.mount(child, prefix="/api")
    child.OPTIONS("/items", lambda req, res, ctx: setattr(res, "body", "child options"))
    parent.OPTIONS("/api/other", lambda req, res, ctx: setattr(res, "body", "parent options"))
    with Client(parent) as c:
        assert c.options("/api/items").text == "child options"
        pre = c.options("/api/items", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
        assert (pre.status_code, pre.headers["access-control-allow-origin"]) == (204, ORIGIN)
        assert c.options("/api/other").text == "parent options"


def test_error_handlers_of_a_child_follow_its_prefix():
    child = App()
    child.ERROR(ValueError, lambda req, res, ctx, exc: setattr(res, "body", "child caught") or setattr(res, "status", 400))
    v1 = child.group("/v1")
    v1.ERROR(KeyError, lambda req, res, ctx, exc: setattr(res, "body", "group caught") or setattr(res, "status", 409))

    def fails(exc):
        def handler(req, res, ctx):
            raise exc

        return handler

    child.GET("/value", fails(ValueError("x")))
    v1.GET("/key", fails(KeyError("k")))
    parent = App()
    parent.GET("/value", fails(ValueError("x")))
    parent.mount(child, prefix="/api")
    with Client(parent, raise_app_exceptions=False) as c:
        assert (c.get("/api/value").status_code, c.get("/api/value").text) == (400, "child caught")
        assert (c.get("/api/v1/key").status_code, c.get("/api/v1/key").text) == (409, "group caught")
        assert c.get("/value").status_code == 500
