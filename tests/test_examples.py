"""The example apps: their OpenAPI documents are valid 3.1, and the typed
API behaves as its contracts say."""

import importlib.util
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from heaven.openapi import openapi_document
from helpers import Client

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name):
    # Registered in sys.modules first, as an import would: postponed
    # annotations (`from __future__ import annotations`) resolve through it.
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_every_example_documents_valid_openapi(name):
    doc = openapi_document(load(name).app)
    validate(doc)
    assert doc["openapi"] == "3.1.0"


def test_typed_api_round_trip():
    api = load("api")
    new = {"name": "Ada", "email": "ada@example.com", "age": 36, "address": {"street": "Main 1", "city": "X", "zip": "12345"}}
    with Client(api.app) as c:
        created = c.post("/users", json=new).json()
        assert created["id"] >= 1 and created["name"] == "Ada"
        assert c.get(f"/users/{created['id']}").json() == created
        changed = c.request("PATCH", f"/users/{created['id']}", json={"age": 37}).json()
        assert changed["age"] == 37 and changed["name"] == "Ada"
        assert c.get("/users", params={"limit": 1}).json() == [changed]
        r = c.post("/users", json={**new, "age": 200})
        assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json")
        assert r.json() == {
            "type": "about:blank", "title": "Unprocessable Entity", "status": 422,
            "detail": "Expected `int` <= 150 (at $.age)", "instance": "/users",
            "errors": [{"path": "$.age", "message": "Expected `int` <= 150"}],
        }  # fmt: skip
        assert c.get("/users/999").json() == {
            "type": "about:blank", "title": "Not Found", "status": 404, "detail": "user 999 not found", "instance": "/users/999",
        }  # fmt: skip
        assert c.request("DELETE", f"/users/{created['id']}").status_code == 204
        assert c.get("/docs").status_code == 200
        assert c.get("/docs/openapi.json").json()["info"]["title"] == "Users API"


def test_typed_api_answers_every_error_as_problem_json():
    api = load("api")
    with Client(api.app) as c:
        answers = {
            "400 bad query": c.get("/users", params={"limit": 0}),
            "400 not JSON": c.post("/users", content=b"{nope", headers={"content-type": "application/json"}),
            "404 no route": c.get("/nothing"),
            "404 no user": c.get("/users/12345"),
            "405": c.put("/users"),
            "413": c.post("/users", content=b"x" * (65 * 1024)),
            "422": c.post("/users", json={"name": "A"}),
        }
    for what, r in answers.items():
        assert r.headers["content-type"] == "application/problem+json", what
        problem = r.json()
        assert (problem["status"], problem["type"]) == (r.status_code, "about:blank"), what
        assert r.status_code == int(what[:3]), what
    assert answers["405"].headers["allow"] == "GET, HEAD, POST"
    assert answers["400 bad query"].json()["detail"] == "limit must be an integer between 1 and 100"
