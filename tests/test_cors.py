"""CORS through the ASGI callable (docs/cors.md): preflights short-circuit,
every response carries the headers, per-subdomain policies."""

import pytest

from heaven import App
from helpers import Client

pytestmark = pytest.mark.interfaces

PREFLIGHT = {"origin": "https://app.example.com", "access-control-request-method": "PATCH"}


def build():
    log = []
    app = App()
    app.cors(origins=["https://app.example.com"], methods=["GET", "PATCH"], headers=["X-Token"], credentials=True, maxAge=600)
    app.GET("/items", lambda req, res, ctx: setattr(res, "body", []))
    app.PATCH("/items/:id:int", lambda req, res, ctx: setattr(res, "body", req.params))
    app.GET("/boom", lambda req, res, ctx: 1 / 0)
    app.BEFORE("/*", lambda req, res, ctx: log.append(req.method))
    return app, log


def test_preflight_short_circuits_hooks_and_routes():
    app, log = build()
    with Client(app) as c:
        r = c.request("OPTIONS", "/items/1", headers={**PREFLIGHT, "access-control-request-headers": "x-token, content-type"})
        assert r.status_code == 204
        assert r.headers["access-control-allow-origin"] == "https://app.example.com"
        assert r.headers["access-control-allow-credentials"] == "true"
        assert r.headers["access-control-max-age"] == "600"
        assert "PATCH" in r.headers["access-control-allow-methods"]
        assert "x-token" in r.headers["access-control-allow-headers"].lower()
        assert "origin" in r.headers["vary"].lower()
        # Even a path whose OPTIONS would be a 405 (or 404) gets its preflight answered.
        assert c.request("OPTIONS", "/nowhere", headers=PREFLIGHT).status_code == 204
    assert log == []


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example.org", "access-control-request-method": "PATCH"},
        {"origin": "https://app.example.com", "access-control-request-method": "DELETE"},
        {**PREFLIGHT, "access-control-request-headers": "x-secret"},
    ],
)
def test_refused_preflights(headers):
    app, _ = build()
    with Client(app) as c:
        r = c.request("OPTIONS", "/items/1", headers=headers)
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers


def test_plain_options_is_routed_as_usual():
    app, _ = build()
    with Client(app) as c:
        r = c.request("OPTIONS", "/items")  # no Origin / request method: not a preflight
    assert r.status_code == 405


def test_actual_responses_carry_the_headers_including_errors():
    app, _ = build()
    origin = {"origin": "https://app.example.com"}
    with Client(app) as c:
        for method, path, status in [("GET", "/items", 200), ("PATCH", "/items/1", 200), ("GET", "/missing", 404),
                                     ("PUT", "/items", 405), ("GET", "/boom", 500)]:
            r = c.request(method, path, headers=origin)
            assert r.status_code == status
            assert r.headers["access-control-allow-origin"] == "https://app.example.com", path
            assert r.headers["access-control-allow-credentials"] == "true"
        r = c.get("/items", headers={"origin": "https://evil.example.org"})
        assert "access-control-allow-origin" not in r.headers and r.headers["vary"] == "Origin"


def test_wildcard_origin_and_per_subdomain_policies():
    app = App()
    app.cors(subdomains=["api"])
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "www"))
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "api"), subdomain="api")
    with Client(app) as c:
        r = c.get("/", headers={"host": "api.example.com", "origin": "https://x.io"})
        assert r.headers["access-control-allow-origin"] == "*"
        r = c.get("/", headers={"host": "example.com", "origin": "https://x.io"})
        assert "access-control-allow-origin" not in r.headers


def test_credentials_with_any_origin_is_refused_at_configuration():
    with pytest.raises(ValueError, match="credentials"):
        App().cors(origin="*", credentials=True)
    with pytest.raises(TypeError):
        App().cors(colour="red")


def test_413_still_carries_cors_headers():
    app = App(max_body_size=3)
    app.cors()
    app.POST("/up", lambda req, res, ctx: None)
    with Client(app) as c:
        r = c.post("/up", content=b"too long", headers={"origin": "https://x.io"})
    assert r.status_code == 413 and r.headers["access-control-allow-origin"] == "*"
