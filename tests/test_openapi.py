"""OpenAPI documents (heaven.openapi): paths, parameters, contract schemas,
operation ids, tags and subdomains, checked against the OpenAPI 3.1
validator, and the docs routes served through the ASGI callable."""

import dataclasses
import importlib.util
import json
from pathlib import Path
from typing import Annotated, NotRequired, TypedDict

import msgspec
import pytest
from openapi_spec_validator import validate

from heaven import App, File
from heaven.openapi import DEFAULT_SCRIPT, install_docs, openapi_document
from helpers import Client

pytestmark = pytest.mark.interfaces

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class Address(msgspec.Struct):
    """Where someone lives."""

    street: str
    zip: Annotated[str, "regex=^\\d{5}$"]


class NewUser(msgspec.Struct):
    name: Annotated[str, "min_len=2, max_len=40"]
    email: Annotated[str, "format=email"]
    age: Annotated[int, "min=0, max=150"] = 0
    address: Address | None = None


class User(msgspec.Struct):
    id: int
    name: str


@dataclasses.dataclass
class Tag:
    label: Annotated[str, "max_len=10"]
    weight: float = 1.0


class Filters(TypedDict):
    q: str
    limit: NotRequired[Annotated[int, "ge=1"]]


def handler(req, res, ctx):
    pass


def create_user(req, res, ctx):
    pass


def update_user(req, res, ctx):
    pass


class Views:
    def show(self, req, res, ctx):
        pass


def build_app() -> App:
    app = App()
    app.GET("/items/:id:int/:price:float/:on:bool/:day:date/:at:datetime/:key:uuid/:slug", handler)
    app.GET("/search?page:int&q", handler, name="search")
    app.GET("/files/:path/*", handler)
    app.GET("/static/*", handler)
    app.POST("/users", create_user)
    app.GET("/users/:id:int", Views().show)
    app.PATCH("/users/:id:int", update_user)
    app.PUT("/users/:id:int/address", handler)
    app.POST("/tags", handler)
    app.POST("/filters", handler)
    app.DELETE("/users/:id:int", lambda req, res, ctx: None)
    # forbid_unknown: these bodies refuse undeclared fields (additionalProperties: false).
    app.schema.POST("/users", expects=NewUser, returns=User, summary="Create a user", description="Long text.",
                    group="people", forbid_unknown=True)
    app.schema.GET("/users/:id:int", returns=NewUser)
    app.schema.PATCH("/users/:id:int", expects=NewUser, returns=User, forbid_unknown=True)
    app.schema.PUT("/users/:id:int/address", expects=Address, forbid_unknown=True)
    app.schema.POST("/tags", expects=list[Tag], returns=Tag, forbid_unknown=True)
    app.schema.POST("/filters", expects=Filters, strict=False)
    return app


@pytest.fixture(scope="module")
def doc():
    document = openapi_document(build_app(), title="Test API", version="1.2.3", description="About it.")
    validate(document)
    return document


def op(doc, path, method):
    return doc["paths"][path][method]


def params(doc, path, method):
    return {p["name"]: p for p in op(doc, path, method).get("parameters", [])}


def component(doc, ref_holder):
    name = ref_holder["$ref"].rpartition("/")[2]
    return doc["components"]["schemas"][name]


# -- document and paths ------------------------------------------------------------


def test_the_document_is_openapi_31_and_json(doc):
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {"title": "Test API", "version": "1.2.3", "description": "About it."}
    assert json.loads(json.dumps(doc)) == doc


def test_typed_path_parameters():
    path = "/items/{id}/{price}/{on}/{day}/{at}/{key}/{slug}"
    found = params(openapi_document(build_app()), path, "get")
    schemas = {name: p["schema"] for name, p in found.items()}
    assert schemas == {
        "id": {"type": "integer", "format": "int64"},
        "price": {"type": "number"},
        "on": {"type": "boolean"},
        "day": {"type": "string", "format": "date"},
        "at": {"type": "string", "format": "date-time"},
        "key": {"type": "string", "format": "uuid"},
        "slug": {"type": "string"},
    }
    assert all(p["in"] == "path" and p["required"] is True for p in found.values())
    assert list(found) == ["id", "price", "on", "day", "at", "key", "slug"]


def test_query_hints_are_optional_query_parameters(doc):
    assert op(doc, "/search", "get")["parameters"] == [
        {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "format": "int64"}},
        {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
    ]


def test_the_wildcard_is_a_path_parameter_spanning_segments(doc):
    wildcard = params(doc, "/static/{path}", "get")["path"]
    assert wildcard["in"] == "path" and wildcard["required"] is True
    assert wildcard["schema"] == {"type": "string"}
    assert "segments" in wildcard["description"]
    # A route with its own `path` parameter: the wildcard takes another name.
    assert list(params(doc, "/files/{path}/{path_}", "get")) == ["path", "path_"]


# -- contracts -----------------------------------------------------------------


def test_request_body_renders_the_string_constraints(doc):
    body = op(doc, "/users", "post")["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/NewUser"}
    new_user = component(doc, schema)
    assert new_user["additionalProperties"] is False
    assert new_user["required"] == ["name", "email"]
    props = new_user["properties"]
    assert props["name"] == {"type": "string", "minLength": 2, "maxLength": 40}
    assert props["email"]["format"] == "email" and "pattern" in props["email"]
    assert props["age"] == {"type": "integer", "minimum": 0, "maximum": 150, "default": 0}
    assert props["address"]["anyOf"][0] == {"$ref": "#/components/schemas/Address"}
    address = doc["components"]["schemas"]["Address"]
    assert address["properties"]["zip"] == {"type": "string", "pattern": "^\\d{5}$"}
    assert address["description"] == "Where someone lives."


def test_dataclass_and_typeddict_bodies(doc):
    tags = op(doc, "/tags", "post")["requestBody"]["content"]["application/json"]["schema"]
    assert tags == {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
    tag = doc["components"]["schemas"]["Tag"]
    assert tag["properties"]["label"] == {"type": "string", "maxLength": 10}
    assert tag["required"] == ["label"] and tag["additionalProperties"] is False
    filters = component(doc, op(doc, "/filters", "post")["requestBody"]["content"]["application/json"]["schema"])
    assert filters["required"] == ["q"]
    assert filters["properties"]["limit"] == {"type": "integer", "minimum": 1}
    assert "additionalProperties" not in filters  # unknown fields accepted (the default)


def test_a_patch_body_is_the_partial_type(doc):
    schema = op(doc, "/users/{id}", "patch")["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/NewUserPatch"}
    patch = component(doc, schema)
    assert patch["required"] == []
    assert set(patch["properties"]) == {"name", "email", "age", "address"}
    assert patch["properties"]["name"] == {"type": "string", "minLength": 2, "maxLength": 40}
    assert "default" not in patch["properties"]["age"]
    assert patch["additionalProperties"] is False
    assert "optional" in patch["description"]


def test_responses(doc):
    create = op(doc, "/users", "post")["responses"]
    assert create["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/User"}
    assert create["400"] == {"$ref": "#/components/responses/BodyNotJSON"}
    assert create["422"] == {"$ref": "#/components/responses/ValidationFailed"}
    failed = doc["components"]["responses"]["ValidationFailed"]["content"]["application/json"]["schema"]
    assert failed["required"] == ["error", "path"]
    assert failed["properties"]["path"]["type"] == "string"
    # No contract, or a contract without a body: no 400/422.
    assert op(doc, "/search", "get")["responses"] == {"200": {"description": "Successful response"}}
    assert set(op(doc, "/users/{id}", "get")["responses"]) == {"200"}


def test_a_response_variant_of_a_request_type_gets_its_own_name(doc):
    shown = op(doc, "/users/{id}", "get")["responses"]["200"]["content"]["application/json"]["schema"]
    assert shown == {"$ref": "#/components/schemas/NewUser-Output"}
    output = component(doc, shown)
    assert "additionalProperties" not in output
    assert output["properties"]["address"]["anyOf"][0] == {"$ref": "#/components/schemas/Address-Output"}
    assert output["properties"]["name"]["minLength"] == 2


def test_identical_schemas_share_one_component_and_clashing_names_are_split():
    def other_address():
        class Address(msgspec.Struct):
            city: str

        return Address

    app = App()
    for route in ("/a", "/b", "/c"):
        app.POST(route, handler)
    app.schema.POST("/a", expects=NewUser, forbid_unknown=True)
    app.schema.POST("/b", expects=NewUser, forbid_unknown=True)
    app.schema.POST("/c", expects=other_address())
    doc = openapi_document(app)
    validate(doc)
    assert sorted(doc["components"]["schemas"]) == ["Address", "Address-Input", "NewUser"]
    assert doc["components"]["schemas"]["Address-Input"]["properties"] == {"city": {"type": "string"}}
    assert op(doc, "/c", "post")["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Address-Input"
    }


# -- operations ------------------------------------------------------------------


def test_summary_description_and_tags(doc):
    create = op(doc, "/users", "post")
    assert create["summary"] == "Create a user"
    assert create["description"] == "Long text."
    assert create["tags"] == ["people"]  # the contract's group
    assert op(doc, "/users/{id}", "get")["tags"] == ["users"]  # else the first literal segment
    assert [t["name"] for t in doc["tags"]] == ["items", "search", "files", "static", "people", "users", "tags", "filters"]


def test_operation_ids_are_unique_and_readable(doc):
    ids = [o["operationId"] for item in doc["paths"].values() for o in item.values()]
    assert len(ids) == len(set(ids))
    assert op(doc, "/search", "get")["operationId"] == "search"  # name=
    assert op(doc, "/users", "post")["operationId"] == "create_user"
    assert op(doc, "/users/{id}", "get")["operationId"] == "Views_show"
    assert op(doc, "/users/{id}", "delete")["operationId"] == "delete_users_id"  # a lambda
    # `handler` serves several routes: method suffix, then a number.
    assert op(doc, "/static/{path}", "get")["operationId"] == "handler_get_3"
    assert op(doc, "/tags", "post")["operationId"] == "handler_post"
    assert op(doc, "/filters", "post")["operationId"] == "handler_post_2"


def test_shared_names_and_dotted_handlers():
    app = App()
    app.GET("/things", "handlers.plain", name="things")
    app.POST("/things", "handlers.plain", name="things")
    doc = openapi_document(app)
    assert op(doc, "/things", "get")["operationId"] == "things_get"
    assert op(doc, "/things", "post")["operationId"] == "things_post"
    app2 = App()
    app2.GET("/x", "handlers.plain")
    assert op(openapi_document(app2), "/x", "get")["operationId"] == "plain"


def test_head_mirrors_connect_and_websockets_are_left_out():
    app = App()
    app.HTTP("/any", handler)
    app.GET("/page", handler)
    app.HEAD("/page", create_user)  # a HEAD route of its own is documented
    app.WS("/ws", handler)
    doc = openapi_document(app)
    validate(doc)
    assert sorted(doc["paths"]["/any"]) == ["delete", "get", "options", "patch", "post", "put", "trace"]
    assert sorted(doc["paths"]["/page"]) == ["get", "head"]
    assert "/ws" not in doc["paths"]


def test_other_subdomains():
    app = App()
    app.GET("/", handler)
    api = app.subdomain("api")
    api.GET("/", create_user)
    api.GET("/v1/users", Views().show)
    app.GET("/", update_user, subdomain="*")
    doc = openapi_document(app)
    validate(doc)
    users = op(doc, "/v1/users", "get")
    assert users["x-heaven-subdomain"] == "api"
    assert users["servers"][0]["url"] == "{scheme}://api.{domain}"
    assert users["servers"][0]["variables"]["domain"]["default"] == "example.com"
    root = op(doc, "/", "get")
    assert root["operationId"] == "handler" and "servers" not in root  # www comes first
    assert doc["x-heaven-unlisted"] == [
        {"method": "GET", "path": "/", "subdomain": "api"},
        {"method": "GET", "path": "/", "subdomain": "*"},
    ]
    only_api = openapi_document(app, subdomain="api")
    validate(only_api)
    assert set(only_api["paths"]) == {"/", "/v1/users"}
    assert op(only_api, "/", "get")["operationId"] == "create_user"
    assert "servers" not in op(only_api, "/", "get") and "x-heaven-unlisted" not in only_api
    catch_all = op(openapi_document(app, subdomain="*"), "/", "get")
    assert catch_all["operationId"] == "update_user"


def test_typed_overloads():
    app = App()
    app.GET("/users/:id:int", handler)
    app.GET("/users/:name", create_user)
    app.GET("/users/:id:int/posts", handler)
    app.GET("/users/:id/posts", update_user)
    doc = openapi_document(app)
    validate(doc)
    assert params(doc, "/users/{id}", "get")["id"]["schema"]["type"] == "integer"
    assert params(doc, "/users/{name}", "get")["name"]["schema"] == {"type": "string"}
    # Same template and method: the first registered is listed, the other named.
    assert op(doc, "/users/{id}/posts", "get")["operationId"] == "handler_2"
    assert doc["x-heaven-unlisted"] == [{"method": "GET", "path": "/users/{id}/posts", "subdomain": "www"}]


def test_mounted_routes_and_contracts_are_documented():
    child = App()
    child.POST("/orders", handler)
    child.schema.POST("/orders", expects=Address)
    parent = App()
    parent.mount(child)
    doc = openapi_document(parent)
    validate(doc)
    assert "requestBody" in op(doc, "/orders", "post")


def test_an_empty_app():
    doc = openapi_document(App())
    validate(doc)
    assert doc["paths"] == {} and "components" not in doc and "tags" not in doc


def test_the_example_app():
    spec = importlib.util.spec_from_file_location("hello_example", EXAMPLES / "hello.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = openapi_document(module.app, title="hello")
    validate(doc)
    assert set(doc["paths"]) == {"/", "/users/{id}"}
    user = params(doc, "/users/{id}", "get")
    assert user["id"]["schema"]["type"] == "integer" and user["page"]["in"] == "query"


# -- serving -----------------------------------------------------------------------


def test_docs_are_served_through_asgi():
    app = build_app()
    install_docs(app, "/docs", title="Shop <&> API", version="2.0")
    with Client(app) as client:
        served = client.get("/docs/openapi.json")
        assert served.status_code == 200
        assert served.headers["content-type"] == "application/json"
        document = served.json()
        validate(document)
        assert document == openapi_document(build_app(), title="Shop <&> API", version="2.0")
        assert "/docs" not in document["paths"] and "/docs/openapi.json" not in document["paths"]
        page = client.get("/docs")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert f'<script src="{DEFAULT_SCRIPT}"></script>' in page.text
        assert 'spec-url="/docs/openapi.json"' in page.text and 'data-url="/docs/openapi.json"' in page.text
        assert "<title>Shop &lt;&amp;&gt; API</title>" in page.text
        assert "stylesheet" not in page.text
        # Routes added later appear on the next request.
        app.GET("/late", handler)
        assert "/late" in client.get("/docs/openapi.json").json()["paths"]


def test_offline_assets_and_escaping(tmp_path):
    (tmp_path / "redoc.js").write_text("/* renderer */")
    app = App()
    app.ASSETS(tmp_path, route="/assets/*", subdomain="api")
    install_docs(
        app, "/reference/", subdomain="api", script_url="/assets/redoc.js", style_url='/assets/a.css?x="1"&y=2'
    )
    with Client(app, host="api.example.com") as client:
        page = client.get("/reference").text
        assert '<script src="/assets/redoc.js"></script>' in page
        assert '<link rel="stylesheet" href="/assets/a.css?x=&quot;1&quot;&amp;y=2">' in page
        assert 'spec-url="/reference/openapi.json"' in page
        assert client.get("/assets/redoc.js").text == "/* renderer */"
        document = client.get("/reference/openapi.json").json()
        assert list(document["paths"]) == ["/assets/{path}"]
    with Client(app) as client:
        assert client.get("/reference").status_code == 404


@pytest.mark.parametrize(
    "pattern, shown",
    [
        (r"^[0-9]{5}\Z", r"^[0-9]{5}$"),
        (r"\A[a-z]+\Z", r"^[a-z]+$"),
        (r"^ends with a backslash\\Z", r"^ends with a backslash\\Z"),  # a literal backslash, then Z
        (r"^a\\\Z", r"^a\\$"),
        (r"^plain$", r"^plain$"),
    ],
)
def test_python_only_anchors_are_shown_in_ecma_spelling(pattern, shown):
    Holder = msgspec.defstruct("Holder", [("v", Annotated[str, f"regex={pattern}"]), ("default", str)])
    app = App()
    app.POST("/h", lambda req, res, ctx: None)
    app.schema.POST("/h", expects=Holder)
    props = openapi_document(app)["components"]["schemas"]["Holder"]["properties"]
    assert props["v"]["pattern"] == shown
    assert props["default"] == {"type": "string"}  # a field named like a schema keyword


def test_error_responses_follow_problems():
    from msgspec import Struct

    class Thing(Struct):
        name: str

    app = App().PROBLEMS()
    app.POST("/things", lambda req, res, ctx: None)
    app.schema.POST("/things", expects=Thing)
    doc = app.openapi()
    validate(doc)
    responses = doc["components"]["responses"]
    assert set(responses) == {"BodyNotJSON", "ValidationFailed", "UnsupportedMediaType"}
    for response in responses.values():
        (content_type,) = response["content"]
        assert content_type == "application/problem+json"
        assert response["content"][content_type]["schema"]["required"] == ["type", "title", "status"]


# -- query, header and form contracts ------------------------------------------------


class Search(msgspec.Struct):
    q: Annotated[str, "min_len=2"]
    page: Annotated[int, "ge=1"] = 1
    tags: list[str] = []


class ApiKey(msgspec.Struct):
    x_api_key: str
    accept_language: list[str] = []


class Signup(msgspec.Struct):
    name: str
    newsletter: bool = False


class Upload(msgspec.Struct):
    title: str
    photo: File
    more: list[File] = []


def validation_app() -> App:
    app = App()
    app.GET("/search?page:int&q&sort", handler)
    app.schema.GET("/search?page:int&q&sort", query=Search, headers=ApiKey, returns=User)
    app.POST("/signup", handler)
    app.schema.POST("/signup", form=Signup)
    app.POST("/photos", handler)
    app.schema.POST("/photos", form=Upload, query=Search)
    app.GET("/hinted?n:int", handler)
    app.schema.GET("/hinted?n:int", returns=User)
    app.POST("/users", create_user)
    app.schema.POST("/users", expects=NewUser)
    return app


@pytest.fixture(scope="module")
def vdoc():
    document = openapi_document(validation_app())
    validate(document)
    return document


def test_query_and_header_contracts_are_parameters(vdoc):
    found = [(p["name"], p["in"], p["required"]) for p in op(vdoc, "/search", "get")["parameters"]]
    # The contract describes q and page (not the hints' plain types); the hint `sort` stays.
    assert found == [("sort", "query", False), ("q", "query", True), ("page", "query", False), ("tags", "query", False),
                     ("x-api-key", "header", True), ("accept-language", "header", False)]
    shown = params(vdoc, "/search", "get")
    assert shown["q"]["schema"] == {"type": "string", "minLength": 2}
    assert shown["page"]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
    assert shown["tags"]["style"] == "form" and shown["tags"]["explode"] is True
    assert shown["tags"]["schema"] == {"type": "array", "items": {"type": "string"}, "default": []}
    assert shown["accept-language"]["style"] == "simple" and shown["accept-language"]["explode"] is False
    assert op(vdoc, "/search", "get")["responses"]["422"] == {"$ref": "#/components/responses/ValidationFailed"}
    assert "Search" not in vdoc["components"]["schemas"]  # a parameter list, not a schema
    assert "ApiKey" not in vdoc["components"]["schemas"]


def test_form_contracts_are_form_request_bodies(vdoc):
    signup = op(vdoc, "/signup", "post")
    assert signup["requestBody"] == {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Signup"}},
        "multipart/form-data": {"schema": {"$ref": "#/components/schemas/Signup"}},
    }}
    assert set(signup["responses"]) == {"200", "415", "422"}
    photos = op(vdoc, "/photos", "post")
    # Files travel in multipart only.
    assert list(photos["requestBody"]["content"]) == ["multipart/form-data"]
    upload = vdoc["components"]["schemas"]["Upload"]
    assert upload["properties"]["photo"] == {"type": "string", "format": "binary"}
    assert upload["properties"]["more"]["items"] == {"type": "string", "format": "binary"}
    assert [p["name"] for p in photos["parameters"]] == ["q", "page", "tags"]


def test_error_answers_of_validating_routes(vdoc):
    assert set(op(vdoc, "/users", "post")["responses"]) == {"200", "400", "415", "422"}
    # A contract's route checks its typed hints: a value they cannot read is a 422.
    assert set(op(vdoc, "/hinted", "get")["responses"]) == {"200", "422"}
    media = vdoc["components"]["responses"]["UnsupportedMediaType"]["content"]["application/json"]["schema"]
    assert media["required"] == ["error", "expected"]
    failed = vdoc["components"]["responses"]["ValidationFailed"]["content"]["application/json"]["schema"]
    assert failed["properties"]["in"]["enum"] == ["query", "header", "form"]
