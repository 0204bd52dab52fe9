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
