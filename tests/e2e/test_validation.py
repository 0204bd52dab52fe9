"""Validation through granian on both interfaces (docs/schemas.md): a form
and a query that break their contracts answer 422 naming the field, and the
same requests done right pass; a body of the wrong type is 415."""

import httpx
import pytest

pytestmark = pytest.mark.e2e

KEY = {"X-Api-Key": "secret-key"}
PICTURE = ("me.png", b"\x89PNG" * 50_000, "image/png")


@pytest.fixture
def server(serve):
    return serve("validation_app:app")


def test_a_query_that_breaks_its_contract_is_422_and_one_that_keeps_it_passes(server):
    r = httpx.get(server.url + "/search?q=tea&page=0", headers=KEY)
    assert (r.status_code, r.json()) == (422, {"error": "Expected `int` >= 1", "path": "$.page", "in": "query"})
    r = httpx.get(server.url + "/search?q=tea")
    assert (r.status_code, r.json()) == (422, {"error": "Object missing required field `x-api-key`", "path": "$",
                                               "in": "header"})
    r = httpx.get(server.url + "/search?q=tea&page=2&tag=a&tag=b", headers=KEY)
    assert (r.status_code, r.json()) == (200, {"q": "tea", "page": 2, "tag": ["a", "b"]})


@pytest.mark.parametrize("route", ["/upload", "/upload-stream"])
def test_a_form_that_breaks_its_contract_is_422_and_one_that_keeps_it_passes(server, route):
    r = httpx.post(server.url + route, data={"title": "me", "copies": "0"}, files={"picture": PICTURE})
    assert r.status_code == 422
    assert r.json() == {"error": "Expected `int` >= 1", "path": "$.copies", "in": "form"}
    r = httpx.post(server.url + route, data={"title": "me", "copies": "2"})
    assert r.status_code == 422
    assert r.json() == {"error": "Object missing required field `picture`", "path": "$", "in": "form"}
    r = httpx.post(server.url + route, data={"title": "me", "copies": "2"}, files={"picture": PICTURE})
    assert (r.status_code, r.json()) == (200, {"title": "me", "copies": 2, "picture": "me.png", "bytes": 200_000})
    r = httpx.post(server.url + route, json={"title": "me", "copies": 2})
    assert r.status_code == 415


def test_a_stream_route_with_a_json_contract_validates(server):
    r = httpx.post(server.url + "/items", json={"name": "tea", "qty": 2})
    assert (r.status_code, r.json()) == (200, {"name": "tea", "qty": 2})
    r = httpx.post(server.url + "/items", json={"name": "tea", "qty": "two"})
    assert (r.status_code, r.json()) == (422, {"error": "Expected `int`, got `str`", "path": "$.qty"})
    r = httpx.post(server.url + "/items", content=b"name=tea", headers={"Content-Type": "text/plain"})
    assert (r.status_code, r.json()["expected"]) == (415, ["application/json"])
