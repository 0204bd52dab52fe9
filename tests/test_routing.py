"""Routing through the ASGI callable: every rule of docs/routing.md, seen from HTTP."""

import datetime as dt
import json
import uuid

import pytest

from heaven import App, UrlDuplicateError, UrlError
from helpers import Client, call_raw, http_scope

pytestmark = pytest.mark.interfaces


def echo(req, res, ctx):
    params = {k: [type(v).__name__, str(v)] for k, v in req.params.items()}
    res.body = {"route": req.route, "params": params}


@pytest.fixture
def client():
    app = App()
    for pattern in [
        "/",
        "/users",
        "/users/:id:int",
        "/users/:name",
        "/users/:id:int/posts/:post:int",
        "/files/*",
        "/orgs/:org/files/*",
        "/a/b/c",
        "/a/:x/d",
        "/static/*",
        "/static/css/main.css",
        "/f/:v:float",
        "/b/:v:bool",
        "/d/:v:date",
        "/t/:v:datetime",
        "/u/:v:uuid",
        "/only/:n:int",
    ]:
        app.GET(pattern, echo)
    with Client(app) as c:
        yield c


def route_of(response):
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "path, route, params",
    [
        ("/", "/", {}),
        ("/users", "/users", {}),
        ("/users/42", "/users/:id:int", {"id": ["int", "42"]}),
        ("/users/ada", "/users/:name", {"name": ["str", "ada"]}),
        ("/users/7/posts/9", "/users/:id:int/posts/:post:int", {"id": ["int", "7"], "post": ["int", "9"]}),
        ("/files/a/b/c.txt", "/files/*", {"*": ["str", "a/b/c.txt"]}),
        ("/orgs/acme/files/x/y", "/orgs/:org/files/*", {"org": ["str", "acme"], "*": ["str", "x/y"]}),
        # Backtracking: the literal branch /a/b fails below, the parameter branch wins.
        ("/a/b/d", "/a/:x/d", {"x": ["str", "b"]}),
        ("/a/b/c", "/a/b/c", {}),
        # Backtracking up to a wildcard.
        ("/static/css/other.css", "/static/*", {"*": ["str", "css/other.css"]}),
        ("/static/css/main.css", "/static/css/main.css", {}),
        ("/f/2.5", "/f/:v:float", {"v": ["float", "2.5"]}),
        ("/b/true", "/b/:v:bool", {"v": ["bool", "True"]}),
        ("/b/0", "/b/:v:bool", {"v": ["bool", "False"]}),
        ("/d/2024-02-29", "/d/:v:date", {"v": ["date", "2024-02-29"]}),
        ("/t/2024-02-29T10:30:00+02:00", "/t/:v:datetime", {"v": ["datetime", "2024-02-29 10:30:00+02:00"]}),
        (
            "/u/c9bf9e57-1685-4c89-bafb-ff5af830be8a",
            "/u/:v:uuid",
            {"v": ["UUID", "c9bf9e57-1685-4c89-bafb-ff5af830be8a"]},
        ),
        # Trailing and doubled slashes are insignificant.
        ("/users/", "/users", {}),
        ("/users/caf%C3%A9", "/users/:name", {"name": ["str", "café"]}),
    ],
)
def test_routes_and_params(client, path, route, params):
    body = route_of(client.get(path))
    assert body == {"route": route, "params": params}


def test_an_encoded_slash_stays_in_its_segment_on_asgi(client, interface):
    """ASGI gives the raw path, so `%2F` stays inside its segment. RSGI gives
    the path already decoded (granian's doing): there `%2F` is a slash, and
    `/users/a%2Fb` has two segments after `/users` (docs/serving.md)."""
    response = client.get("/users/a%2Fb")
    if interface == "asgi":
        assert route_of(response) == {"route": "/users/:name", "params": {"name": ["str", "a/b"]}}
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "raw_path, route",
    [(b"//users", "/users"), (b"//users//42//", "/users/:id:int"), (b"/users/a%2Fb/", "/users/:name")],
)
def test_doubled_slashes_on_the_raw_path(raw_path, route, interface):
    # httpx reads '//users' as a host, so these go in as hand-built scopes.
    app = App()
    app.GET("/users", echo)
    app.GET("/users/:id:int", echo)
    app.GET("/users/:name", echo)
    out = call_raw(app, http_scope(raw_path.decode(), raw_path=raw_path))
    if b"%2F" in raw_path and interface == "rsgi":
        assert out["status"] == 404  # decoded by the server: see test_an_encoded_slash_stays_in_its_segment_on_asgi
        return
    assert out["status"] == 200
    assert json.loads(out["body"])["route"] == route


@pytest.mark.parametrize("path", ["/files", "/only/x12", "/only/1.5", "/nope", "/users/7/posts/x", "/d/2023-02-29"])
def test_misses_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.text == "Not found"


def test_typed_values_reach_the_handler_converted():
    seen = {}

    def handler(req, res, ctx):
        seen.update(req.params)

    app = App()
    app.GET("/x/:i:int/:f:float/:b:bool/:d:date/:t:datetime/:u:uuid", handler)
    with Client(app) as c:
        c.get("/x/-5/1e3/FALSE/2020-01-02/2020-01-02T03:04:05.250Z/00000000000000000000000000000001")
    assert seen == {
        "i": -5,
        "f": 1000.0,
        "b": False,
        "d": dt.date(2020, 1, 2),
        "t": dt.datetime(2020, 1, 2, 3, 4, 5, 250000, tzinfo=dt.timezone.utc),
        "u": uuid.UUID(int=1),
    }


def test_405_lists_allowed_methods_and_head_comes_from_get():
    app = App()
    app.GET("/things", lambda req, res, ctx: setattr(res, "body", "list"))
    app.POST("/things", lambda req, res, ctx: setattr(res, "body", "made"))
    app.DELETE("/things/:id:int", lambda req, res, ctx: None)
    with Client(app) as c:
        r = c.request("PUT", "/things")
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, HEAD, POST"
        assert c.request("PATCH", "/things/4").headers["allow"] == "DELETE"
        # A typed miss is not an allowed method: plain 404.
        assert c.request("PATCH", "/things/four").status_code == 404
        head = c.request("HEAD", "/things")
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == "4"
        # A method no route uses at all still gets a 405 with the allowed set.
        odd = c.request("PROPFIND", "/things")
        assert odd.status_code == 405 and odd.headers["allow"] == "GET, HEAD, POST"


def test_explicit_head_route_wins_over_get():
    app = App()
    app.GET("/x", lambda req, res, ctx: setattr(res, "body", "from get"))
    app.HEAD("/x", lambda req, res, ctx: res.header("X-From", "head"))
    with Client(app) as c:
        r = c.request("HEAD", "/x")
    assert r.headers["x-from"] == "head"
    assert r.content == b""


def test_query_hints_are_typed_and_lenient():
    got = {}

    def search(req, res, ctx):
        got["page"] = req.queries.get("page")
        got["since"] = req.queries.get("since")
        got["tags"] = req.queries.getlist("tag")
        got["tag"] = req.queries["tag"]
        got["q"] = req.queries.get("q")
        got["missing"] = req.queries.get("missing", "dflt")

    app = App()
    app.GET("/search?page:int&since:date&q", search)
    with Client(app) as c:
        assert c.get("/search?page=3&since=2024-05-01&tag=a&tag=b&q=hello+world").status_code == 200
        assert got == {
            "page": 3,
            "since": dt.date(2024, 5, 1),
            "tags": ["a", "b"],
            "tag": ["a", "b"],
            "q": "hello world",
            "missing": "dflt",
        }
        # An unconvertible hinted value is handed over as the raw string.
        c.get("/search?page=three&since=yesterday&tag=x")
        assert got["page"] == "three" and got["since"] == "yesterday" and got["tag"] == "x"


def test_http_registers_every_method():
    app = App()
    app.HTTP("/any", lambda req, res, ctx: setattr(res, "body", req.method))
    with Client(app) as c:
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]:
            assert c.request(method, "/any").text == method


def test_decorator_form():
    app = App()

    @app.GET("/deco/:n:int")
    def deco(req, res, ctx):
        res.body = req.params["n"] * 2

    assert deco.__name__ == "deco"
    with Client(app) as c:
        assert c.get("/deco/21").text == "42"


@pytest.mark.parametrize(
    "pattern, needle",
    [
        ("users", "must start with '/'"),
        ("/users/:id:integer", 'unknown type "integer"'),
        ("/users/:", "needs a name"),
        ("/files/*/x", "'*' must be the whole last segment"),
        ("/a/:x/:x", "appears more than once"),
        ("/search?page:number", "query hint"),
    ],
)
def test_bad_patterns_raise_url_error_naming_the_route(pattern, needle):
    app = App()
    with pytest.raises(UrlError) as info:
        app.GET(pattern, echo)
    assert needle in str(info.value)
    assert repr(pattern).replace("'", '"') in str(info.value)
    assert app.routes == []


def test_duplicates_and_conflicts_raise():
    app = App()
    app.GET("/users/:id", echo)
    with pytest.raises(UrlDuplicateError, match=r'"/users/:id/" is already registered for GET'):
        app.GET("/users/:id/", echo)
    with pytest.raises(UrlDuplicateError, match=r'conflicts with "/users/:id"'):
        app.GET("/users/:uid", echo)
    # HTTP() is all or nothing: GET clashes, so no other method is registered either.
    with pytest.raises(UrlDuplicateError):
        app.HTTP("/users/:id", echo)
    assert [(e.method, e.pattern) for e in app.routes] == [("GET", "/users/:id")]
    app.POST("/users/:id", echo)  # still free


def test_routes_registered_after_first_request_are_served():
    app = App()
    app.GET("/one", lambda req, res, ctx: setattr(res, "body", "1"))
    with Client(app) as c:
        assert c.get("/one").text == "1"
        app.GET("/two", lambda req, res, ctx: setattr(res, "body", "2"))
        assert c.get("/two").text == "2"
