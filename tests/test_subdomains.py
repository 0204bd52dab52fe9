"""Subdomain routing from the Host header (docs/subdomains.md)."""

import pytest

from heaven import App
from helpers import Client, call_raw, http_scope

pytestmark = pytest.mark.interfaces


def says(text):
    def handler(req, res, ctx):
        res.body = f"{text} sub={req.subdomain}"

    return handler


@pytest.fixture
def client():
    app = App()
    app.GET("/", says("www"))
    app.GET("/", says("api"), subdomain="api")
    api = app.subdomain("admin")
    api.GET("/", says("admin"))
    api.GET("/only-admin", says("admin-only"))
    with Client(app) as c:
        yield c


@pytest.mark.parametrize(
    "host, body",
    [
        ("example.com", "www sub=www"),
        ("www.example.com", "www sub=www"),
        ("api.example.com", "api sub=api"),
        ("API.Example.com:8443", "api sub=api"),
        ("admin.example.com", "admin sub=admin"),
        ("api.localhost:8000", "api sub=api"),
        ("localhost", "www sub=www"),
        ("127.0.0.1:8000", "www sub=www"),
        ("[::1]:8000", "www sub=www"),
        # No table for `docs`: the www table answers, the subdomain is still reported.
        ("docs.example.com", "www sub=docs"),
    ],
)
def test_host_picks_the_table(client, host, body):
    response = client.get("/", headers={"host": host})
    assert response.status_code == 200
    assert response.text == body


def test_routes_stay_in_their_table(client):
    assert client.get("/only-admin", headers={"host": "admin.example.com"}).status_code == 200
    assert client.get("/only-admin", headers={"host": "example.com"}).status_code == 404
    assert client.get("/only-admin", headers={"host": "api.example.com"}).status_code == 404


def test_wildcard_table_catches_unknown_subdomains():
    app = App()
    app.GET("/", says("www"))
    app.GET("/", says("tenant"), subdomain="*")
    with Client(app) as c:
        assert c.get("/", headers={"host": "acme.example.com"}).text == "tenant sub=acme"
        assert c.get("/", headers={"host": "example.com"}).text == "www sub=www"


def test_no_host_header_falls_back_to_server():
    app = App()
    app.GET("/", says("www"))
    app.GET("/", says("api"), subdomain="api")
    scope = http_scope("/", headers=[], server=("api.internal.net", 8000))
    assert call_raw(app, scope)["body"] == b"api sub=api"


def test_proxy_binds_hooks_and_websockets_too():
    app = App()
    api = app.subdomain("api")
    api.GET("/", says("api"))
    api.BEFORE("/*", lambda req, res, ctx: res.header("X-Api", "yes"))
    with Client(app) as c:
        assert c.get("/", headers={"host": "api.example.com"}).headers["x-api"] == "yes"
    assert {"WS", "BEFORE", "AFTER", "HTTP"} <= {m for m in ("WS", "BEFORE", "AFTER", "HTTP") if callable(getattr(api, m))}
    with pytest.raises(AttributeError, match="subdomain proxies offer"):
        api.mount


def test_bad_subdomain_name_is_refused():
    app = App()
    with pytest.raises(ValueError, match="must be a DNS label"):
        app.GET("/", says("x"), subdomain="a.b")
