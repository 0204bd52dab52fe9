"""Validation where users expect it (docs/schemas.md): contracts for the query
string, the headers and form bodies (urlencoded and multipart, with files),
415 for a body of the wrong Content-Type, stream=True routes with a contract,
typed query hints on routes with a contract, each validated once."""

import dataclasses
import enum
from typing import Annotated, Any, TypedDict

import msgspec
import pytest

from heaven import App, ContractError, File
from helpers import Client

pytestmark = pytest.mark.interfaces

CHECKS = {"n": 0}


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Search(msgspec.Struct):
    q: Annotated[str, "min_len=2"]
    page: Annotated[int, "min=1; max=50"] = 1
    tags: list[str] = []
    active: bool = False
    color: Color = Color.RED

    def __post_init__(self):
        CHECKS["n"] += 1


class Auth(msgspec.Struct):
    x_api_key: Annotated[str, "min_len=8"]
    x_retries: int = 0
    accept_language: list[str] = []


class Signup(msgspec.Struct):
    name: Annotated[str, "min_len=2"]
    age: Annotated[int, "ge=0"]
    newsletter: bool = False


class Upload(msgspec.Struct):
    title: str
    avatar: File
    extra: list[File] = []


@dataclasses.dataclass
class Filters:
    limit: Annotated[int, "le=100"] = 10


class Hints(TypedDict):
    sort: str


class Item(msgspec.Struct):
    name: str
    qty: int


class Page(msgspec.Struct):
    page: int


def echo_search(req, res, ctx):
    s = req.query_data
    res.body = {"q": s.q, "page": s.page, "tags": s.tags, "active": s.active, "color": s.color.value}


def echo_upload(req, res, ctx):
    u = req.data
    res.body = {"title": u.title, "avatar": [u.avatar.filename, u.avatar.content.decode()],
                "extra": [f.filename for f in u.extra]}


async def echo_stream(req, res, ctx):
    chunks = [chunk async for chunk in req.stream()]
    res.body = {"name": req.data.name, "chunks": len(chunks), "size": sum(map(len, chunks))}


@pytest.fixture
def app():
    app = App()
    ran = []
    app.GET("/search", lambda req, res, ctx: (ran.append(1), echo_search(req, res, ctx))[1])
    app.schema.GET("/search", query=Search, forbid_unknown=True)
    app.GET("/me", lambda req, res, ctx: setattr(res, "body", {"key": req.headers_data.x_api_key,
                                                                "retries": req.headers_data.x_retries,
                                                                "langs": req.headers_data.accept_language}))
    app.schema.GET("/me", headers=Auth)
    app.GET("/both", lambda req, res, ctx: setattr(res, "body", {"limit": req.query_data.limit,
                                                                  "key": req.headers_data.x_api_key}))
    app.schema.GET("/both", query=Filters, headers=Auth)
    app.GET("/typed", lambda req, res, ctx: setattr(res, "body", req.query_data))
    app.schema.GET("/typed", query=Hints)
    app.POST("/signup", lambda req, res, ctx: setattr(res, "body", msgspec.to_builtins(req.data)))
    app.schema.POST("/signup", form=Signup)
    app.POST("/upload", echo_upload)
    app.schema.POST("/upload", form=Upload)
    app.POST("/upload-stream", echo_upload, stream=True)
    app.schema.POST("/upload-stream", form=Upload)
    app.POST("/items", lambda req, res, ctx: setattr(res, "body", {"name": req.data.name}))
    app.schema.POST("/items", expects=Item)
    app.POST("/items-stream", echo_stream, stream=True)
    app.schema.POST("/items-stream", expects=Item)
    app.GET("/pages?page:int", lambda req, res, ctx: setattr(res, "body", {"page": req.queries.get("page", 1)}))
    app.schema.GET("/pages?page:int", returns=Page)
    app.GET("/lenient?page:int", lambda req, res, ctx: setattr(res, "body", {"page": req.queries.get("page")}))
    app.ran = ran
    return app


@pytest.fixture
def client(app):
    with Client(app) as c:
        c.ran = app.ran
        yield c


# -- query strings ---------------------------------------------------------------


def test_a_query_contract_converts_typed_values(client):
    r = client.get("/search?q=tea&page=3&tags=a&tags=b&active=on&color=blue")
    assert r.status_code == 200
    assert r.json() == {"q": "tea", "page": 3, "tags": ["a", "b"], "active": True, "color": "blue"}
    r = client.get("/search?q=tea")
    assert r.json() == {"q": "tea", "page": 1, "tags": [], "active": False, "color": "red"}
    r = client.get("/search?q=tea&tags=one&active=FALSE")
    assert r.json()["tags"] == ["one"] and r.json()["active"] is False


@pytest.mark.parametrize(
    "query, error, path",
    [
        ("q=tea&page=0", "Expected `int` >= 1", "$.page"),
        ("q=tea&page=51", "Expected `int` <= 50", "$.page"),
        ("q=tea&page=two", "Expected `int`, got `str`", "$.page"),
        ("q=tea&page=1&page=2", "Expected `int`, got `array`", "$.page"),
        ("q=t", "Expected `str` of length >= 2", "$.q"),
        ("page=2", "Object missing required field `q`", "$"),
        ("q=tea&color=green", "Invalid enum value 'green'", "$.color"),
        ("q=tea&active=maybe", "Expected `bool`, got `str`", "$.active"),
        ("q=tea&debug=1", "Object contains unknown field `debug`", "$"),
    ],
)
def test_a_query_that_breaks_its_contract_is_422_naming_the_field(client, query, error, path):
    r = client.get(f"/search?{query}")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"error": error, "path": path, "in": "query"}
    assert client.ran == []  # the handler never ran


def test_a_malformed_query_string_is_400(client):
    r = client.get("/search?q=%zz")
    assert r.status_code == 400
    assert client.ran == []


def test_dataclass_and_typeddict_query_contracts(client):
    r = client.get("/typed?sort=name&other=1")
    assert (r.status_code, r.json()) == (200, {"sort": "name"})
    r = client.get("/typed")
    assert (r.status_code, r.json()) == (422, {"error": "Object missing required field `sort`", "path": "$", "in": "query"})
    r = client.get("/both?limit=101", headers={"X-Api-Key": "secret-key"})
    assert (r.status_code, r.json()) == (422, {"error": "Expected `int` <= 100", "path": "$.limit", "in": "query"})
    r = client.get("/both?limit=5", headers={"X-Api-Key": "secret-key"})
    assert (r.status_code, r.json()) == (200, {"limit": 5, "key": "secret-key"})


# -- headers ---------------------------------------------------------------------


def test_a_header_contract_reads_names_with_dashes_in_any_case(client):
    r = client.get("/me", headers={"x-API-key": "secret-key", "X-Retries": "2", "Accept-Language": "en, fr"})
    assert r.status_code == 200
    assert r.json() == {"key": "secret-key", "retries": 2, "langs": ["en", "fr"]}


@pytest.mark.parametrize(
    "headers, error, path",
    [
        ({}, "Object missing required field `x-api-key`", "$"),
        ({"X-Api-Key": "short"}, "Expected `str` of length >= 8", "$.x-api-key"),
        ({"X-Api-Key": "secret-key", "X-Retries": "many"}, "Expected `int`, got `str`", "$.x-retries"),
    ],
)
def test_headers_that_break_their_contract_are_422_naming_the_header(client, headers, error, path):
    r = client.get("/me", headers=headers)
    assert r.status_code == 422
    assert r.json() == {"error": error, "path": path, "in": "header"}


def test_headers_are_checked_before_the_query(client):
    r = client.get("/both?limit=500")
    assert r.json() == {"error": "Object missing required field `x-api-key`", "path": "$", "in": "header"}


# -- forms -----------------------------------------------------------------------


def test_an_urlencoded_form_contract(client):
    r = client.post("/signup", data={"name": "Ada", "age": "36", "newsletter": "on"})
    assert (r.status_code, r.json()) == (200, {"name": "Ada", "age": 36, "newsletter": True})
    r = client.post("/signup", data={"name": "Ada", "age": "-1"})
    assert (r.status_code, r.json()) == (422, {"error": "Expected `int` >= 0", "path": "$.age", "in": "form"})
    r = client.post("/signup", data={"name": "Ada"})
    assert r.json() == {"error": "Object missing required field `age`", "path": "$", "in": "form"}


def test_a_multipart_form_contract_with_files(client):
    r = client.post("/signup", files={"name": (None, "Ada"), "age": (None, "7")})
    assert (r.status_code, r.json()) == (200, {"name": "Ada", "age": 7, "newsletter": False})
    files = [("title", (None, "me")), ("avatar", ("me.png", b"PNG", "image/png")),
             ("extra", ("a.txt", b"a", "text/plain")), ("extra", ("b.txt", b"b", "text/plain"))]
    r = client.post("/upload", files=files)
    assert (r.status_code, r.json()) == (200, {"title": "me", "avatar": ["me.png", "PNG"], "extra": ["a.txt", "b.txt"]})


@pytest.mark.parametrize("route", ["/upload", "/upload-stream"])
def test_a_form_that_breaks_its_contract_is_422(client, route):
    r = client.post(route, files={"title": (None, "me")})
    assert (r.status_code, r.json()) == (422, {"error": "Object missing required field `avatar`", "path": "$", "in": "form"})
    r = client.post(route, files={"title": (None, "me"), "avatar": (None, "not a file")})
    assert (r.status_code, r.json()) == (422, {"error": "Expected `File`, got `str`", "path": "$.avatar", "in": "form"})
    r = client.post(route, files={"title": ("t.txt", b"x", "text/plain"), "avatar": ("a.png", b"A", "image/png")})
    assert (r.status_code, r.json()) == (422, {"error": "Expected `str`, got `File`", "path": "$.title", "in": "form"})


def test_a_stream_route_with_a_form_contract_parses_and_validates(client):
    big = b"x" * (3 << 20)  # past the spill threshold: on disk while validated
    r = client.post("/upload-stream", files={"title": (None, "big"), "avatar": ("big.bin", big, "application/octet-stream")})
    assert r.status_code == 200
    assert r.json()["avatar"] == ["big.bin", big.decode()]


@pytest.mark.parametrize(
    "route, content_type, body, sent, expected",
    [
        ("/signup", "application/json", b'{"name":"Ada","age":3}', "application/json",
         ["application/x-www-form-urlencoded", "multipart/form-data"]),
        ("/upload-stream", "text/plain", b"hello", "text/plain",
         ["application/x-www-form-urlencoded", "multipart/form-data"]),
        ("/items", "application/x-www-form-urlencoded", b"name=tea&qty=1", "application/x-www-form-urlencoded",
         ["application/json"]),
        ("/items", "text/plain; charset=utf-8", b'{"name":"tea","qty":1}', "text/plain", ["application/json"]),
        ("/items-stream", "multipart/form-data; boundary=x", b"--x--\r\n", "multipart/form-data", ["application/json"]),
    ],
)
def test_a_body_of_the_wrong_content_type_is_415(client, route, content_type, body, sent, expected):
    r = client.post(route, content=body, headers={"Content-Type": content_type})
    assert r.status_code == 415
    wanted = " or ".join(expected)
    assert r.json() == {"error": f"Expected a body of type {wanted}, got {sent}", "expected": expected}


def test_a_form_body_without_a_content_type_is_415_and_no_body_is_an_empty_form(client):
    r = client.post("/signup", content=b"name=Ada&age=3")
    assert (r.status_code, r.json()["expected"]) == (415, ["application/x-www-form-urlencoded", "multipart/form-data"])
    r = client.post("/signup")
    assert (r.status_code, r.json()) == (422, {"error": "Object missing required field `name`", "path": "$", "in": "form"})


# -- JSON bodies -----------------------------------------------------------------


def test_json_media_types_and_a_missing_content_type_are_read_as_json(client):
    for headers in ({"Content-Type": "application/json; charset=utf-8"}, {"Content-Type": "application/vnd.api+json"}, {}):
        r = client.post("/items", content=b'{"name":"tea","qty":1}', headers=headers)
        assert (r.status_code, r.json()) == (200, {"name": "tea"}), headers


def test_a_missing_json_body_is_422(client):
    r = client.post("/items", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()) == (422, {"error": "Expected a JSON body, got nothing", "path": "$"})


def test_a_stream_route_with_a_json_contract_validates_instead_of_refusing(client):
    r = client.post("/items-stream", json={"name": "tea", "qty": 2})
    assert r.status_code == 200
    assert r.json() == {"name": "tea", "chunks": 1, "size": len(b'{"name":"tea","qty":2}')}
    r = client.post("/items-stream", json={"name": "tea", "qty": "two"})
    assert (r.status_code, r.json()) == (422, {"error": "Expected `int`, got `str`", "path": "$.qty"})
    r = client.post("/items-stream", content=b"not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_a_stream_route_with_a_json_contract_keeps_the_body_limit():
    app = App(max_body_size=16)
    app.POST("/items", lambda req, res, ctx: setattr(res, "body", "ran"), stream=True)
    app.schema.POST("/items", expects=Item)
    with Client(app) as client:
        r = client.post("/items", json={"name": "a long name, past sixteen bytes", "qty": 1})
        assert r.status_code == 413


# -- typed query hints on routes with a contract ----------------------------------


def test_a_bad_hinted_query_value_with_a_returns_contract_is_422_not_500(client):
    r = client.get("/pages?page=abc")
    assert (r.status_code, r.json()) == (422, {"error": "Expected `int`, got `str`", "path": "$.page", "in": "query"})
    r = client.get("/pages?page=4")
    assert (r.status_code, r.json()) == (200, {"page": 4})
    r = client.get("/pages")
    assert (r.status_code, r.json()) == (200, {"page": 1})


def test_hints_stay_lenient_on_routes_without_a_contract(client):
    r = client.get("/lenient?page=abc")  # as Heaven 2.4.3: the raw string
    assert (r.status_code, r.json()) == (200, {"page": "abc"})


def test_hints_declared_on_the_handler_only_are_checked_too():
    app = App()
    app.GET("/n?n:int", lambda req, res, ctx: setattr(res, "body", {"n": req.queries["n"]}))
    app.schema.GET("/n", returns=dict[str, int])
    with Client(app) as client:
        assert client.get("/n?n=x").json() == {"error": "Expected `int`, got `str`", "path": "$.n", "in": "query"}
        assert client.get("/n?n=5").json() == {"n": 5}


# -- once, and only where declared -------------------------------------------------


def test_each_part_is_validated_once_even_when_a_hook_reads_it_first(app):
    CHECKS["n"] = 0
    seen = []
    app.BEFORE("/search", lambda req, res, ctx: seen.append(req.query_data.q))
    with Client(app) as client:
        r = client.get("/search?q=tea")
    assert r.status_code == 200
    assert seen == ["tea"]
    assert CHECKS["n"] == 1


def test_only_routes_with_such_a_contract_validate():
    """The flag the lifecycle tests once per request, worked out at compile time."""
    app = App()

    def flag(req, res, ctx):
        res.body = {"validates": req._entry.validates, "q": req.query_data}

    app.GET("/plain?page:int", flag)
    app.GET("/described", flag)
    app.schema.GET("/described", returns=dict[str, Any])
    app.GET("/hinted?page:int", flag)
    app.schema.GET("/hinted", returns=dict[str, Any])
    app.GET("/queried", flag)
    app.schema.GET("/queried", query=Hints)
    with Client(app) as client:
        assert client.get("/plain?page=x").json() == {"validates": False, "q": None}
        assert client.get("/described?page=x").json() == {"validates": False, "q": None}
        assert client.get("/hinted?page=1").json() == {"validates": True, "q": None}
        assert client.get("/queried?sort=a").json() == {"validates": True, "q": {"sort": "a"}}


# -- registration ----------------------------------------------------------------


class Nested(msgspec.Struct):
    inner: Item


class FileQuery(msgspec.Struct):
    f: File


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"query": Nested}, "schema GET '/x': query= field 'inner'"),
        ({"query": FileQuery}, "an uploaded File can only be a form= field"),
        ({"headers": list[str]}, "headers=list[str] must be a msgspec Struct, a dataclass or a TypedDict"),
        ({"query": Annotated[Search, "nope=1"]}, "unknown constraint 'nope'"),
    ],
)
def test_a_contract_that_cannot_be_read_from_strings_is_refused_at_registration(kwargs, message):
    app = App()
    with pytest.raises(ContractError) as exc:
        app.schema.GET("/x", **kwargs)
    assert message in str(exc.value)


def test_a_body_is_json_or_a_form_not_both():
    with pytest.raises(ContractError, match="schema POST '/x': a body is either JSON"):
        App().schema.POST("/x", expects=Item, form=Signup)


def test_a_stream_route_refused_before_its_body_is_read_closes_the_connection(client):
    r = client.post("/upload-stream", content=b"x" * 100, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.headers["connection"] == "close"
    r = client.post("/upload", content=b"x" * 100, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "connection" not in r.headers  # read already: the connection can go on


def test_contracts_of_a_mounted_app_and_a_subdomain_validate():
    child = App()
    child.GET("/find", lambda req, res, ctx: setattr(res, "body", {"sort": req.query_data["sort"]}))
    child.schema.GET("/find", query=Hints)
    app = App()
    app.mount(child)
    api = app.subdomain("api")
    api.POST("/signup", lambda req, res, ctx: setattr(res, "body", {"name": req.data.name}))
    api.schema.POST("/signup", form=Signup)
    with Client(app) as client:
        assert client.get("/find?sort=new").json() == {"sort": "new"}
        assert client.get("/find").json() == {"error": "Object missing required field `sort`", "path": "$", "in": "query"}
    with Client(app, host="api.example.com") as client:
        assert client.post("/signup", data={"name": "Ada", "age": "3"}).json() == {"name": "Ada"}
        assert client.post("/signup", data={"name": "Ada", "age": "x"}).json() == {
            "error": "Expected `int`, got `str`", "path": "$.age", "in": "form"}


class Picked(msgspec.Struct):
    ids: Annotated[list[int], "unique; max_items=3"] = []


def test_checks_msgspec_cannot_make_name_the_query_field_too():
    app = App()
    app.GET("/pick", lambda req, res, ctx: setattr(res, "body", {"ids": req.query_data.ids}))
    app.schema.GET("/pick", query=Picked)
    with Client(app) as client:
        assert client.get("/pick?ids=1&ids=2").json() == {"ids": [1, 2]}
        assert client.get("/pick?ids=1&ids=1").json() == {
            "error": "Expected distinct items, found a duplicate", "path": "$.ids", "in": "query"}
        assert client.get("/pick?ids=1&ids=2&ids=3&ids=4").json() == {
            "error": "Expected `array` of length <= 3", "path": "$.ids", "in": "query"}


def test_a_json_contract_reads_the_content_type_each_request_however_it_is_spelled(client):
    # A JSON-only contract skips the media-type parse for a value it accepted
    # before; a value it has not seen, or one it refused, is still read.
    good = b'{"name":"tea","qty":1}'
    for _ in range(2):  # the second time from the accepted values
        assert client.post("/items", content=good, headers={"Content-Type": "application/json; charset=utf-8"}).status_code == 200
    assert client.post("/items", content=good, headers={"Content-Type": "application/vnd.api+json"}).status_code == 200
    for _ in range(2):
        r = client.post("/items", content=good, headers={"Content-Type": "text/pl\xe0in".encode("latin-1")})
        assert (r.status_code, r.json()["error"]) == (415, "Expected a body of type application/json, got text/pl\xe0in")
