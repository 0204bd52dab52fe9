"""The example apps: their OpenAPI documents are valid 3.1, and the typed
API behaves as its contracts say."""

import importlib.util
import logging
import re
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from heaven import testing
from heaven.openapi import openapi_document
from helpers import Client

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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
        picture = {"picture": ("ada.png", b"PNG!", "image/png")}
        assert c.post(f"/users/{created['id']}/avatar", files=picture, data={"alt": "Ada"}).json() == {
            "id": created["id"], "picture": "ada.png", "bytes": 4, "alt": "Ada"}
        r = c.post(f"/users/{created['id']}/avatar", data={"alt": "Ada"})
        assert (r.status_code, r.json()["errors"]) == (422, [{"path": "$", "message": "Object missing required field `picture`", "in": "form"}])
        assert c.request("DELETE", f"/users/{created['id']}").status_code == 204
        assert c.get("/docs").status_code == 200
        assert c.get("/docs/openapi.json").json()["info"]["title"] == "Users API"


@pytest.mark.parametrize("interface", ["asgi", "rsgi"])
def test_typed_api_answers_every_error_as_problem_json(interface, caplog):
    api = load("api")

    def broken(req, res, ctx):
        raise RuntimeError("a bug")

    api.app.GET("/broken", broken)  # a failing route, to show the 500's format
    with testing.Client(api.app, interface=interface, raise_app_exceptions=False) as c:
        answers = {
            "415": c.post("/users", content=b"name=Ada", headers={"content-type": "application/x-www-form-urlencoded"}),
            "500": c.get("/broken"),
            "422 bad query": c.get("/users", params={"limit": 0}),
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
    assert answers["500"].json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500,
                                     "instance": "/broken"}  # nothing of the bug leaks
    assert [r.getMessage() for r in caplog.records if r.name == "heaven"] == ["unhandled error in GET /broken (route /broken)"]
    # Every answer went through the AROUND hook that times requests, but the 413: a body
    # over the limit is refused before any hook runs (docs/middleware.md).
    timed = {what: r.headers.get("server-timing") for what, r in answers.items()}
    assert timed.pop("413") is None
    assert all(re.fullmatch(r"app;dur=\d+\.\d\d", value or "") for value in timed.values()), timed
    assert answers["422 bad query"].json()["errors"] == [{"path": "$.limit", "message": "Expected `int` >= 1", "in": "query"}]


@pytest.mark.parametrize("interface", ["asgi", "rsgi"])
def test_middleware_example(interface, caplog):
    before = list(logging.getLogger("heaven").handlers)
    example = load("middleware")
    added = [h for h in example.log.handlers if h not in before]
    try:
        _middleware_example(example, interface, caplog)
    finally:
        for handler in added:  # the example's own stderr handler: not for the rest of the suite
            example.log.removeHandler(handler)


def _middleware_example(example, interface, caplog):
    with caplog.at_level(logging.INFO, logger="heaven"), testing.Client(example.app, interface=interface) as c:
        r = c.get("/catalog", headers={"accept-encoding": "gzip", "x-request-id": "demo-1"})
        assert (r.status_code, r.headers["content-encoding"], r.headers["x-request-id"]) == (200, "gzip", "demo-1")
        assert r.json() == example.CATALOG
        assert re.fullmatch(r"app;dur=\d+\.\d\d", r.headers["server-timing"])
        r = c.get("/health")
        assert r.json() == {"ok": True, "request": r.headers["x-request-id"]} and "content-encoding" not in r.headers
        assert c.get("/health", headers={"host": "api.example.com"}).status_code == 200
        assert c.get("/health", headers={"host": "evil.test"}).status_code == 400
    assert [(r.getMessage(), r.request_id) for r in caplog.records if r.name == "heaven"] == [("listing 100 items", "demo-1")]


def test_composed_app():
    import asyncio

    from heaven.testing import AsyncClient

    composed = load("composed")

    async def scenario():
        async with AsyncClient(composed.app) as c:
            r = await c.get("/api/v1/books")
            assert (r.json(), r.headers["x-api-version"]) == (["Dune"], "1")
            r = await c.post("/api/v1/books", json={"title": "Emma"})
            assert (r.status_code, r.json()) == (201, {"link": "/api/v1/books/1"})
            assert (await c.post("/api/v1/books", json={})).status_code == 422
            assert (await c.get("/api/v1/books/9")).json() == {"error": "no such book"}
            r = await c.get("/admin/stats", headers={"origin": "https://admin.example"})
            # AFTER hooks skip refused (422) and aborted requests: two counted.
            assert (r.json(), r.headers["access-control-allow-origin"]) == ({"requests": 2}, "https://admin.example")
            r = await c.get("/metrics")
            assert r.json() == {"requests": {"GET": 1, "POST": 1}, "up": True}

    asyncio.run(scenario())
    assert sorted(composed.app.openapi()["paths"]) == ["/admin/stats", "/api/v1/books", "/api/v1/books/{id}"]


@pytest.mark.parametrize("interface", ["asgi", "rsgi"])
def test_typed_api_groups_times_and_mounts_metrics(interface):
    api = load("api")
    api.TIMINGS.clear()
    with testing.Client(api.app, interface=interface) as c:
        r = c.get("/users")
        assert r.status_code == 200 and re.fullmatch(r"app;dur=\d+\.\d\d", r.headers["server-timing"])
        # The AROUND hook times failures too (their error answer is heaven's own).
        assert [c.get("/users/999").status_code for _ in range(2)] == [404, 404]
        r = c.get("/metrics")
        assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert r.text.splitlines() == [
            "# TYPE api_requests_total counter",
            'api_requests_total{method="GET",route="/users"} 1',
            'api_requests_total{method="GET",route="/users/:id:int"} 2',
        ]
    assert api.app.url_for("get_user", id=3) == "/users/3"
    assert sorted(api.app.openapi()["paths"]) == ["/users", "/users/{id}", "/users/{id}/avatar"]
