"""`ctx` (docs/context.md) and typed keys."""

import pytest

from heaven import App, Context, Key
from heaven.response import Response
from helpers import Client

pytestmark = pytest.mark.interfaces


class FakeReq:
    app = "the-app"
    headers = {"h": "1"}
    cookies = {"c": "2"}


def make():
    return Context(FakeReq(), Response(None))


def test_keep_peek_unkeep_and_attributes_share_one_store():
    ctx = make()
    ctx.keep("user", "ada")
    assert ctx.user == "ada" and ctx.peek("user") == "ada"
    ctx.role = "admin"
    assert ctx.peek("role") == "admin"
    assert ctx.unkeep("role") == "admin"
    assert ctx.role is None and ctx.missing is None
    assert ctx.unkeep("never") is None
    assert "user" in ctx


def test_typed_keys():
    USER = Key[str]("user")
    ctx = make()
    ctx.keep(USER, "grace")
    assert ctx.peek(USER) == "grace" and ctx.user == "grace"
    assert ctx.unkeep(USER) == "grace"
    with pytest.raises(TypeError):
        Key("")
    with pytest.raises(TypeError):
        ctx.keep(3, "x")


@pytest.mark.parametrize("name", ["session", "app", "request", "response", "headers", "cookies"])
def test_reserved_names_cannot_be_assigned(name):
    ctx = make()
    with pytest.raises(AttributeError, match="reserved"):
        setattr(ctx, name, 1)


def test_reserved_names_read_the_request():
    ctx = make()
    assert ctx.app == "the-app"
    assert ctx.headers == {"h": "1"} and ctx.cookies == {"c": "2"}
    assert ctx.session is None
    ctx.keep("session", {"id": 1})  # keep may set it (how a sessions plugin would)
    assert ctx.session == {"id": 1}


def test_ctx_is_per_request():
    app = App()
    seen = []

    def handler(req, res, ctx):
        seen.append(ctx.counter)
        ctx.counter = 1
        assert ctx.request is req and ctx.response is res

    app.GET("/", handler)
    with Client(app) as c:
        c.get("/")
        c.get("/")
    assert seen == [None, None]


def test_keys_that_would_hide_methods_are_refused():
    ctx = make()
    for name in ("keep", "peek", "unkeep"):
        with pytest.raises(ValueError, match="would hide"):
            ctx.keep(name, 1)
    ctx.keep("session", {"sid": 1})
    assert ctx.peek("session") == {"sid": 1} and ctx.session == {"sid": 1}
