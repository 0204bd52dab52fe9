"""The auth example through its ASGI callable, on a real PostgreSQL: JWTs
checked with PyJWT, privileges read from the database, the decorators (/v1)
and the hooks (/v2) answering alike."""

import time

import jwt
import pytest

from heaven.testing import Client
from services.plugin import unavailable
from services.postgres import Databases, Server, bindir

from auth_support import SECRET_KEY, load_auth_app, migrated

PREFIXES = ["/v1", "/v2"]  # decorators, hooks


@pytest.fixture(scope="module")
def client(auth_app, interface):
    with Client(auth_app, interface=interface) as client:
        yield client


def login(client, username, password):
    r = client.post("/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"authorization": f"Bearer {r.json()['token']}"}


def bearer(claims, key=SECRET_KEY, algorithm="HS256"):
    return {"authorization": f"Bearer {jwt.encode(claims, key, algorithm=algorithm)}"}


def test_login_trades_a_password_for_a_token(client):
    r = client.post("/login", json={"username": "ada", "password": "lovelace"})
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 900
    claims = jwt.decode(body["token"], SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == "1" and claims["exp"] - claims["iat"] == 900
    assert client.post("/login", json={"username": "ada", "password": "wrong"}).status_code == 401
    assert client.post("/login", json={"username": "nobody", "password": "x"}).json() == {"error": "wrong username or password"}
    assert client.post("/login", json={"username": "ada"}).status_code == 422


@pytest.mark.parametrize("prefix", PREFIXES)
def test_bad_tokens_are_401(client, prefix):
    now = int(time.time())
    cases = {
        "missing bearer token": {},
        "malformed authorization header": {"authorization": "Basic YWRhOmxvdmVsYWNl"},
        "malformed token": {"authorization": "Bearer not.a.jwt"},
        "token expired": bearer({"sub": "1", "iat": now - 3600, "exp": now - 60}),
        "bad token signature": bearer({"sub": "1", "iat": now, "exp": now + 60}, key="another key, just as long ......"),
    }
    cases_more = [
        ({"authorization": "Bearer"}, "malformed authorization header"),
        (bearer({"sub": "1", "iat": now, "exp": now + 60}, key=None, algorithm="none"), "malformed token"),  # alg=none refused
        (bearer({"sub": "1", "iat": now}), "malformed token"),  # no expiry: required
    ]
    for headers, error in [(h, e) for e, h in cases.items()] + cases_more:
        for method, path in (("GET", "/me"), ("GET", "/records"), ("DELETE", "/records/1")):
            r = client.request(method, prefix + path, headers=headers)
            assert (r.status_code, r.json()) == (401, {"error": error}), (method, path, headers)
            assert r.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


@pytest.mark.parametrize("prefix", PREFIXES)
def test_privileges_come_from_the_database(client, prefix):
    ada, bob, eve = login(client, "ada", "lovelace"), login(client, "bob", "builder"), login(client, "eve", "listener")
    assert client.get(f"{prefix}/me", headers=bob).json() == {"id": 2, "username": "bob", "role": "reader"}
    assert client.get(f"{prefix}/me", headers=eve).status_code == 200  # authenticated, no privilege needed

    assert client.get(f"{prefix}/records", headers=bob).status_code == 200
    r = client.post(f"{prefix}/records", json={"title": "by bob"}, headers=bob)
    assert (r.status_code, r.json()) == (403, {"error": "insufficient privileges"})
    assert client.get(f"{prefix}/records", headers=eve).status_code == 403

    created = client.post(f"{prefix}/records", json={"title": f"by ada {prefix}"}, headers=ada)
    assert created.status_code == 201 and created.json()["author"] == 1
    titles = [r["title"] for r in client.get(f"{prefix}/records", headers=bob).json()]
    assert f"by ada {prefix}" in titles
    record = f"{prefix}/records/{created.json()['id']}"
    assert client.delete(record, headers=bob).status_code == 403
    assert client.delete(record, headers=ada).status_code == 204
    assert client.delete(record, headers=ada).status_code == 404


def test_hooks_run_before_the_contract_decorators_after(client):
    # The one difference between the two spellings: BEFORE hooks run before
    # the body is validated, a decorated handler only once it is valid.
    assert client.post("/v2/records", json={"title": ""}).status_code == 401
    assert client.post("/v1/records", json={"title": ""}).status_code == 422
    ada = login(client, "ada", "lovelace")
    assert client.post("/v2/records", json={"title": ""}, headers=ada).status_code == 422


def test_the_database_going_down_is_503(interface):
    binaries = bindir()
    if binaries is None:
        unavailable("this test stops a PostgreSQL server of its own: it needs PostgreSQL installed (make system-deps)")
    server = Server(binaries).start()
    try:
        app = load_auth_app(migrated(Databases(server.admin_dsn).create("auth_down")), name=f"auth_down_{interface}")
        with Client(app, interface=interface) as client:
            ada = login(client, "ada", "lovelace")
            for prefix in PREFIXES:
                assert client.get(f"{prefix}/records", headers=ada).status_code == 200
            server.stop()
            for prefix in PREFIXES:
                r = client.get(f"{prefix}/records", headers=ada)
                assert (r.status_code, r.json()) == (503, {"error": "please try again later"})
                assert r.headers["retry-after"] == "5"
            assert client.post("/login", json={"username": "ada", "password": "lovelace"}).status_code == 503
    finally:
        server.stop()
