"""Reverse routing (docs/routing.md): names or patterns, quoting, type checks."""

import datetime as dt
import uuid

import pytest

from heaven import App
from helpers import Client

pytestmark = pytest.mark.interfaces


@pytest.fixture
def app():
    app = App()
    noop = lambda req, res, ctx: None  # noqa: E731
    app.GET("/users/:id:int", noop, name="user")
    app.POST("/users/:id:int", noop)  # same pattern, no name: found by pattern too
    app.GET("/files/:owner/*", noop, name="file")
    app.GET("/search?page:int&since:date", noop, name="search")
    app.GET("/days/:day:date/:at:datetime/:u:uuid/:ok:bool/:x:float", noop, name="typed")
    app.GET("/café", noop, name="cafe")
    return app


@pytest.mark.parametrize(
    "target, params, path",
    [
        ("user", {"id": 7}, "/users/7"),
        ("user", {"id": "42"}, "/users/42"),
        ("/users/:id:int", {"id": 8}, "/users/8"),
        ("/users/:id:int/", {"id": 8}, "/users/8"),
        ("file", {"owner": "a b/c", "*": "dir/x y.txt"}, "/files/a%20b%2Fc/dir/x%20y.txt"),
        ("search", {"page": 2, "since": dt.date(2024, 1, 2), "q": "hello world"}, "/search?page=2&since=2024-01-02&q=hello+world"),
        ("search", {"tag": ["a", "b"]}, "/search?tag=a&tag=b"),
        (
            "typed",
            {"day": dt.date(2024, 1, 2), "at": dt.datetime(2024, 1, 2, 3, 4), "u": uuid.UUID(int=1), "ok": True, "x": 1},
            "/days/2024-01-02/2024-01-02T03%3A04%3A00/00000000-0000-0000-0000-000000000001/true/1.0",
        ),
        ("cafe", {}, "/caf%C3%A9"),
    ],
)
def test_paths(app, target, params, path):
    assert app.url_for(target, **params) == path


def test_built_paths_route_back_to_their_handler(interface):
    app = App()
    app.GET("/users/:id:int/files/:name", lambda req, res, ctx: setattr(res, "body", req.params), name="f")
    with Client(app) as c:
        assert c.get(app.url_for("f", id=3, name="a b?d")).json() == {"id": 3, "name": "a b?d"}
        # A `/` inside a value is quoted as %2F: one segment on ASGI; RSGI
        # decodes the path before routing, so there it is two (docs/serving.md).
        slashed = c.get(app.url_for("f", id=3, name="a/b"))
        assert slashed.json() == {"id": 3, "name": "a/b"} if interface == "asgi" else slashed.status_code == 404


@pytest.mark.parametrize(
    "target, params, error, needle",
    [
        ("user", {"id": "x"}, ValueError, "does not fit the parameter type int"),
        ("user", {"id": True}, ValueError, "does not fit"),
        ("user", {"id": 1.5}, ValueError, "does not fit"),
        ("user", {}, ValueError, "missing parameter 'id'"),
        ("typed", {"day": dt.datetime(2024, 1, 2), "at": "x", "u": "u", "ok": 1, "x": 1}, ValueError, "does not fit"),
        ("search", {"page": "two"}, ValueError, "does not fit the parameter type int"),
        ("file", {"owner": "a"}, ValueError, "wildcard"),
        ("nobody", {}, KeyError, "no route is named 'nobody'"),
        ("/nowhere", {}, KeyError, "no route is registered with the pattern"),
    ],
)
def test_refusals(app, target, params, error, needle):
    with pytest.raises(error, match=needle):
        app.url_for(target, **params)


def test_names_are_unique_per_route():
    app = App()
    app.GET("/a", lambda req, res, ctx: None, name="a")
    app.POST("/a", lambda req, res, ctx: None, name="a")  # same route, another method: fine
    with pytest.raises(ValueError, match="already used"):
        app.GET("/b", lambda req, res, ctx: None, name="a")


@pytest.mark.parametrize(
    "params, needle",
    [
        ({"owner": "a\x00b", "*": "x"}, "owner='a\\\\x00b' contains NUL"),
        ({"owner": "a", "*": "dir/x\x00y"}, "contains NUL"),
        ({"owner": "..", "*": "x"}, "owner='..' is a dot segment"),
        ({"owner": ".", "*": "x"}, "dot segment"),
        ({"owner": "a", "*": "dir/../etc"}, "dot segment"),
        ({"owner": "\ud800", "*": "x"}, "not valid Unicode"),
    ],
)
def test_values_the_router_would_refuse_raise_naming_the_parameter(app, params, needle):
    with pytest.raises(ValueError, match=needle):
        app.url_for("file", **params)


def test_dots_inside_a_value_are_fine(app):
    assert app.url_for("file", owner="a..b", **{"*": ".hidden/v1.2"}) == "/files/a..b/.hidden/v1.2"
