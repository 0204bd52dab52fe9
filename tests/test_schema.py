"""Typed contracts (docs/schemas.md): validation from bytes in one pass, 422 with
the failing path, 400 for undecodable bodies, partial PATCH, output shaping."""

import dataclasses
import datetime as dt
from typing import Annotated, NotRequired, TypedDict

import msgspec
import pytest

from heaven import App, ContractError
from helpers import Client

pytestmark = pytest.mark.interfaces


class Address(msgspec.Struct):
    street: str
    zip: Annotated[str, "regex=^[0-9]{5}$"]


class NewUser(msgspec.Struct):
    name: Annotated[str, "min_len=2, max_len=20"]
    age: Annotated[int, "min=0", "max=150"]
    email: Annotated[str, "format=email"]
    address: Address
    born: dt.date | None = None
    tags: list[str] = []


class UserOut(msgspec.Struct):
    id: int
    name: str


@dataclasses.dataclass
class Point:
    x: int
    y: Annotated[int, "min=0"] = 0


class Options(TypedDict):
    a: int
    b: NotRequired[Annotated[str, "max_len=3"]]


GOOD = {"name": "Ada", "age": 36, "email": "ada@example.com", "address": {"street": "Main", "zip": "12345"}}


@pytest.fixture
def client():
    app = App()
    seen = {}

    async def create(req, res, ctx):
        seen["data"] = req.data
        res.status = 201
        res.body = {"id": 1, "name": req.data.name, "password_hash": "must never leave"}

    app.POST("/users", create)
    app.schema.POST("/users", expects=NewUser, returns=UserOut, summary="Create a user", group="users", forbid_unknown=True)
    app.PATCH("/users/:id:int", lambda req, res, ctx: setattr(res, "body", {"changed": sorted(req.data)}))
    app.schema.PATCH("/users/:id:int", expects=NewUser, forbid_unknown=True)
    app.POST("/points", lambda req, res, ctx: setattr(res, "body", {"repr": repr(req.data)}))
    app.schema.POST("/points", expects=Point, forbid_unknown=True)
    app.POST("/options", lambda req, res, ctx: setattr(res, "body", {"options": req.data}))
    app.schema.POST("/options", expects=Options)
    app.POST("/lenient", lambda req, res, ctx: setattr(res, "body", {"name": req.data.name}))
    app.schema.POST("/lenient", expects=NewUser, strict=False)
    with Client(app) as c:
        c.seen = seen
        yield c


def test_valid_body_lands_in_req_data_as_the_users_type(client):
    r = client.post("/users", json={**GOOD, "born": "1815-12-10"})
    assert r.status_code == 201
    # protect: only what UserOut lists goes out.
    assert r.json() == {"id": 1, "name": "Ada"}
    data = client.seen["data"]
    assert isinstance(data, NewUser) and isinstance(data.address, Address)
    assert data.born == dt.date(1815, 12, 10) and data.tags == []


@pytest.mark.parametrize(
    "body, path, needle",
    [
        ({**GOOD, "address": {"street": "Main", "zip": "1234"}}, "$.address.zip", "regex"),
        ({**GOOD, "address": {"street": 5, "zip": "12345"}}, "$.address.street", "Expected `str`, got `int`"),
        ({**GOOD, "age": "old"}, "$.age", "Expected `int`, got `str`"),
        ({**GOOD, "age": -1}, "$.age", ">= 0"),
        ({**GOOD, "name": "A"}, "$.name", "length >= 2"),
        ({**GOOD, "email": "not-an-email"}, "$.email", "regex"),
        ({k: v for k, v in GOOD.items() if k != "email"}, "$", "missing required field `email`"),
        ({**GOOD, "admin": True}, "$", "unknown field `admin`"),
        ({**GOOD, "address": {**GOOD["address"], "extra": 1}}, "$.address", "unknown field `extra`"),
        ({**GOOD, "tags": ["a", 3]}, "$.tags[1]", "Expected `str`"),
        ([GOOD], "$", "Expected `object`, got `array`"),
    ],
)
def test_validation_failures_are_422_with_the_failing_path(client, body, path, needle):
    r = client.post("/users", json=body)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/json"
    assert r.json()["path"] == path
    assert needle in r.json()["error"]


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", b"not json", b"{\"name\": "])
def test_undecodable_bodies_are_400_not_500(client, raw):
    r = client.post("/users", content=raw)
    assert r.status_code == 400
    assert r.json()["path"] == "$"


def test_an_empty_body_breaks_the_contract(client):
    """No body is not a valid body: 422, as Heaven 2.4.3 answers."""
    r = client.post("/users", content=b"")
    assert (r.status_code, r.json()["path"]) == (422, "$")


def test_patch_validates_a_partial_body(client):
    assert client.request("PATCH", "/users/1", json={"age": 3}).json() == {"changed": ["age"]}
    assert client.request("PATCH", "/users/1", json={}).json() == {"changed": []}
    r = client.request("PATCH", "/users/1", json={"age": -3})
    assert (r.status_code, r.json()["path"]) == (422, "$.age")
    assert client.request("PATCH", "/users/1", json={"nope": 1}).status_code == 422


def test_dataclass_and_typeddict_contracts(client):
    assert client.post("/points", json={"x": 1, "y": 2}).json() == {"repr": "Point(x=1, y=2)"}
    r = client.post("/points", json={"x": 1, "y": -2})
    assert (r.status_code, r.json()["path"]) == (422, "$.y")
    assert client.post("/points", json={"x": 1, "z": 0}).status_code == 422
    assert client.post("/options", json={"a": 1}).json() == {"options": {"a": 1}}
    assert client.post("/options", json={"a": 1, "b": "abc"}).json() == {"options": {"a": 1, "b": "abc"}}
    assert client.post("/options", json={"a": 1, "b": "abcd"}).status_code == 422


def test_unknown_fields_are_accepted_unless_forbidden(client):
    """Heaven 2.4.3 accepts fields a schema does not declare; heaven accepts
    them too and leaves them out of req.data (`forbid_unknown=True` refuses
    them, as the other routes of this app do)."""
    assert client.post("/lenient", json={**GOOD, "admin": True}).json() == {"name": "Ada"}


def test_output_contracts():
    app = App()
    app.GET("/bad", lambda req, res, ctx: setattr(res, "body", {"id": "x", "name": "n"}))
    app.schema.GET("/bad", returns=UserOut)
    app.GET("/loose", lambda req, res, ctx: setattr(res, "body", {"id": "x"}))
    app.schema.GET("/loose", returns=UserOut, strict=False)
    app.GET("/raw", lambda req, res, ctx: setattr(res, "body", {"id": 1, "name": "n", "extra": True}))
    app.schema.GET("/raw", returns=UserOut, protect=False)
    app.GET("/err", lambda req, res, ctx: res.out(404, {"error": "no such user"}))
    app.schema.GET("/err", returns=UserOut)
    app.GET("/list", lambda req, res, ctx: setattr(res, "body", [{"id": 1, "name": "a", "x": 0}]))
    app.schema.GET("/list", returns=list[UserOut])
    with Client(app) as c:
        r = c.get("/bad")
        assert r.status_code == 500
        assert r.json() == {"error": "the response does not match its contract", "reason": "Expected `int`, got `str`", "path": "$.id"}
        assert c.get("/loose").json() == {"id": "x"}  # logged, sent as is
        assert c.get("/raw").json() == {"id": 1, "name": "n", "extra": True}
        assert c.get("/err").json() == {"error": "no such user"}  # only 2xx bodies are checked
        assert c.get("/list").json() == [{"id": 1, "name": "a"}]


def test_contract_order_and_subdomains():
    app = App()
    app.schema.POST("/late", expects=Point)  # declared before the route
    app.POST("/late", lambda req, res, ctx: setattr(res, "body", {"x": req.data.x}))
    api = app.subdomain("api")
    api.POST("/p", lambda req, res, ctx: setattr(res, "body", {"x": req.data.x}))
    api.schema.POST("/p", expects=Point)
    with Client(app) as c:
        assert c.post("/late", json={"x": 4}).json() == {"x": 4}
        assert c.post("/late", json={"x": "4"}).status_code == 422
        assert c.post("/p", json={"x": "no"}, headers={"host": "api.example.com"}).status_code == 422


@pytest.mark.parametrize(
    "annotation, needle",
    [
        (Annotated[str, "minlen=2"], "unknown constraint 'minlen'"),
        (Annotated[str, "format=zipcode"], "unknown format 'zipcode'"),
        (Annotated[str, "min_len=two"], "not a non-negative integer"),
        (Annotated[str, "regex=("], "does not compile"),
        (Annotated[str, "nonsense"], "unknown constraint 'nonsense'"),
        (Annotated[str, "=3"], "must look like 'name=value'"),
        (Annotated[str, "factory=make"], "not supported by heaven"),
    ],
)
def test_bad_constraints_fail_at_registration(annotation, needle):
    Bad = msgspec.defstruct("Bad", [("field", annotation)])
    with pytest.raises(ContractError, match=needle):
        App().schema.POST("/x", expects=Bad)


def test_unsupported_types_and_duplicates_fail_at_registration():
    class Plain:  # not a Struct, dataclass or TypedDict: msgspec cannot build it
        pass

    with pytest.raises(ContractError, match="not a type msgspec can validate"):
        App().schema.POST("/x", expects=Plain)
    app = App()
    app.schema.POST("/x", expects=Point)
    with pytest.raises(ValueError, match="already has a contract"):
        app.schema.POST("/x/", expects=Point)
    with pytest.raises(ContractError, match="partial contract"):
        App().schema.PATCH("/x", expects=list[int])


def test_req_data_without_contract_is_json():
    app = App()
    app.POST("/j", lambda req, res, ctx: setattr(res, "body", {"data": req.data}))
    with Client(app) as c:
        assert c.post("/j", json={"a": 1}).json() == {"data": {"a": 1}}


@pytest.mark.parametrize(
    "fmt, value, valid",
    [
        ("uuid", "12345678-1234-1234-1234-123456789abc", True),
        ("uuid", "12345678-1234-1234-1234-123456789abc\n", False),
        ("email", "ada@example.com", True),
        ("email", "ada@example.com\n", False),
        ("date", "2026-11-21", True),
        ("date", "2026-11-21\n", False),
        ("date", "\uff12\uff10\uff12\uff16-11-21", False),  # fullwidth digits
        ("date-time", "2026-11-21T10:00:00.5+01:00", True),
        ("date-time", "\u0662\u0660\u0662\u0666-11-21T10:00:00Z", False),  # Arabic-Indic digits
        ("date-time", "2026-11-21T10:00:00Z\n", False),
        ("time", "10:00:00Z", True),
        ("time", "\uff11\uff10:00", False),
        ("ipv4", "192.168.0.1", True),
        ("ipv4", "192.168.0.\uff11", False),
        ("ipv4", "10.0.0.1\n", False),
        ("ipv6", "::1", True),
        ("ipv6", "::1\n", False),
        ("uri", "https://example.com/a?b=c", True),
        ("uri", "https://example.com\n", False),
        ("hostname", "api.example.com", True),
        ("hostname", "api.example.com\n", False),
    ],
)
def test_formats_take_ascii_digits_and_nothing_after_the_value(fmt, value, valid):
    """A Python `$` also matches before a final newline and `\\d` any Unicode
    digit: neither may let a value through that the format's standard refuses."""
    Holder = msgspec.defstruct("Holder", [("v", Annotated[str, f"format={fmt}"])])
    app = App()
    app.POST("/f", lambda req, res, ctx: setattr(res, "body", {"v": req.data.v}))
    app.schema.POST("/f", expects=Holder)
    with Client(app) as c:
        r = c.post("/f", json={"v": value})
    if valid:
        assert (r.status_code, r.json()) == (200, {"v": value})
    else:
        assert r.status_code == 422, r.text
        assert r.json()["path"] == "$.v"


def test_format_patterns_in_the_schema_stay_portable():
    """The OpenAPI document keeps the ECMA-262 form of a format's pattern
    (`$` ends the value there), not the Python-only `\\Z` used to validate."""
    Holder = msgspec.defstruct("Holder", [("v", Annotated[str, "format=uuid"])])
    app = App()
    app.POST("/f", lambda req, res, ctx: None)
    app.schema.POST("/f", expects=Holder)
    from heaven.openapi import openapi_document

    prop = openapi_document(app)["components"]["schemas"]["Holder"]["properties"]["v"]
    assert prop["format"] == "uuid"
    assert prop["pattern"].endswith("$") and "\\Z" not in prop["pattern"]


def test_deeply_nested_body_against_a_contract_is_400():
    import msgspec

    class Doc(msgspec.Struct):
        tags: list

    app = App()
    app.schema.POST("/docs", expects=Doc)
    app.POST("/docs", lambda req, res, ctx: setattr(res, "body", {"n": len(req.data.tags)}))
    with Client(app) as c:
        r = c.post("/docs", content=b'{"tags":' + b"[" * 1000 + b"]" * 1000 + b"}")
        assert r.status_code == 400 and "nested too deeply" in r.text
        assert c.post("/docs", content=b'{"tags":[[1]]}').json() == {"n": 1}
