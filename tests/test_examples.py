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
        assert c.get("/users", params={"limit": 0}).json() == {"error": "Expected `int` >= 1", "path": "$.limit",
                                                               "in": "query"}
        picture = {"picture": ("ada.png", b"PNG!", "image/png")}
        assert c.post(f"/users/{created['id']}/avatar", files=picture, data={"alt": "Ada"}).json() == {
            "id": created["id"], "picture": "ada.png", "bytes": 4, "alt": "Ada"}
        assert c.post(f"/users/{created['id']}/avatar", data={"alt": "Ada"}).json() == {
            "error": "Object missing required field `picture`", "path": "$", "in": "form"}
        assert c.post("/users", json={**new, "age": 200}).json() == {"error": "Expected `int` <= 150", "path": "$.age"}
        assert c.get("/users/999").status_code == 404
        assert c.request("DELETE", f"/users/{created['id']}").status_code == 204
        assert c.get("/docs").status_code == 200
        assert c.get("/docs/openapi.json").json()["info"]["title"] == "Users API"
