"""The patients example through its ASGI callable, on a real PostgreSQL."""

import asyncio
from pathlib import Path

import asyncpg
import pytest
from openapi_spec_validator import validate

from heaven.plugins.pg import migrate
from heaven.testing import Client

EXAMPLE = Path(__file__).resolve().parents[1]


@pytest.fixture
def client(patients_app, interface):
    with Client(patients_app, interface=interface) as client:
        yield client


def test_migrations_made_the_table_and_apply_once(patients_dsn):
    assert asyncio.run(migrate(patients_dsn, EXAMPLE / "migrations")) == []

    async def names():
        conn = await asyncpg.connect(patients_dsn)
        try:
            return [r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations ORDER BY name")]
        finally:
            await conn.close()

    assert asyncio.run(names()) == ["001_patients.sql", "002_demo_patients.sql"]


def test_the_seed_handler_renders_a_record(client):
    r = client.get("/v1/patients/1000")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Ada Lovelace</h1>" in r.text and "<dd>1815-12-10</dd>" in r.text and "Recovering well." in r.text


def test_a_missing_record_is_a_404_page_and_a_bad_id_never_reaches_sql(client):
    r = client.get("/v1/patients/999999")
    assert r.status_code == 404 and "No patient 999999" in r.text
    assert client.get("/v1/patients/1000;DROP TABLE patients").status_code == 404  # :id:int refuses it
    assert client.get("/v1/patients/1000").status_code == 200


def test_names_are_escaped_in_the_page(client):
    created = client.post("/api/patients", json={"name": "<script>x()</script>", "born": "1990-01-01", "ward": "er"}).json()
    page = client.get(f"/v1/patients/{created['id']}").text
    assert "<script>x()" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert client.request("DELETE", f"/api/patients/{created['id']}").status_code == 204


def test_json_api_round_trip(client):
    new = {"name": "Grace Hopper", "born": "1906-12-09", "ward": "neurology"}
    r = client.post("/api/patients", json=new)
    assert r.status_code == 201
    created = r.json()
    assert created["id"] > 1002 and created["name"] == "Grace Hopper" and created["notes"] == ""
    assert set(created) == {"id", "name", "born", "ward", "notes", "admitted"}
    url = f"/api/patients/{created['id']}"
    assert client.get(url).json() == created

    changed = client.patch(url, json={"ward": "cardiology"}).json()
    assert changed == {**created, "ward": "cardiology"}
    changed = client.patch(url, json={"notes": "stable"}).json()
    assert changed == {**created, "ward": "cardiology", "notes": "stable"}

    cardiology = client.get("/api/patients", params={"ward": "cardiology"}).json()
    assert [p["name"] for p in cardiology] == ["Ada Lovelace", "Charles Babbage", "Grace Hopper"]
    assert len(client.get("/api/patients", params={"limit": 1}).json()) == 1

    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.delete(url).json() == {"error": f"no patient {created['id']}", "path": "$"}
    assert client.patch(url, json={"notes": "x"}).status_code == 404


def test_contracts_refuse_bad_bodies_before_the_database(client):
    def post(body):
        return client.post("/api/patients", json=body)

    assert post({"name": "", "born": "1990-01-01", "ward": "er"}).json() == {
        "error": "Expected `str` of length >= 1", "path": "$.name"}
    assert post({"name": "X", "born": "yesterday", "ward": "er"}).json()["path"] == "$.born"
    assert post({"name": "X", "born": "1990-01-01"}).status_code == 422  # ward missing
    assert post({"name": "X", "born": "1990-01-01", "ward": "er", "id": 1}).status_code == 422  # unknown field
    assert client.patch("/api/patients/1000", json={"name": "renamed"}).status_code == 422  # not changeable
    assert client.get("/api/patients", params={"limit": 0}).status_code == 400


def test_openapi_document_is_valid(client):
    doc = client.get("/docs/openapi.json").json()
    validate(doc)
    assert doc["info"]["title"] == "Patients"
    assert {"/api/patients", "/api/patients/{id}"} <= set(doc["paths"])
