"""Middleware through real granian processes, on both interfaces: an AROUND
hook, compression, trusted hosts, the HTTPS redirect and request ids
(heaven's own middleware serves both); a plain ASGI middleware serves ASGI
and stops an RSGI server at startup, naming itself."""

import gzip
import re

import httpx
import pytest

from .conftest import Server

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(serve):
    return serve("middleware_app:app")


def test_around_hook_times_every_request(server):
    r = httpx.get(server.url + "/")
    assert (r.status_code, r.text) == (200, "up")
    assert re.fullmatch(r"app;dur=\d+\.\d{3}", r.headers["server-timing"])


def test_compression(server):
    r = httpx.get(server.url + "/text", headers={"accept-encoding": "gzip"})
    assert (r.status_code, r.headers["content-encoding"], r.headers["vary"]) == (200, "gzip", "Accept-Encoding")
    assert r.text == "heaven " * 300  # httpx decoded it
    assert int(r.headers["content-length"]) < 2100
    with httpx.stream("GET", server.url + "/text", headers={"accept-encoding": "gzip"}) as raw:
        assert gzip.decompress(b"".join(raw.iter_raw())) == ("heaven " * 300).encode()
    r = httpx.get(server.url + "/text", headers={"accept-encoding": "identity"})
    assert ("content-encoding" in r.headers, r.headers["content-length"]) == (False, "2100")


def test_trusted_hosts(server):
    assert httpx.get(server.url + "/", headers={"host": "localhost:1"}).status_code == 200
    for path in ("/", "/no-such-route"):  # routed or not
        r = httpx.get(server.url + path, headers={"host": "evil.example"})
        assert (r.status_code, r.text) == (400, "Invalid host header")
    r = httpx.get(server.url + "/no-such-route")
    assert (r.status_code, r.text) == (404, "Not found")
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])


def test_https_redirect(server):
    r = httpx.get(server.url + "/secure/page?x=1")
    assert (r.status_code, r.headers["location"]) == (308, f"https://127.0.0.1:{server.port}/secure/page?x=1")
    r = httpx.get(server.url + "/secure/page", headers={"x-forwarded-proto": "https"})
    assert (r.status_code, r.text) == (200, "secret")


def test_request_id(server):
    r = httpx.get(server.url + "/id")
    rid = r.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid) and r.json() == {"id": rid}
    r = httpx.get(server.url + "/id", headers={"x-request-id": "edge-7"})
    assert (r.headers["x-request-id"], r.json()) == ("edge-7", {"id": "edge-7"})
    r = httpx.get(server.url + "/fail", headers={"x-request-id": "failing-1"})
    assert (r.status_code, r.headers["x-request-id"]) == (409, "failing-1")
    output = server.stop()
    assert "WARNING failing-1 failing on purpose" in output


def test_asgi_middleware_serves_asgi_and_refuses_rsgi(interface):
    server = Server("middleware_app:stamped", interface=interface)
    try:
        if interface == "asgi":
            server.wait_ready()
            r = httpx.get(server.url + "/text", headers={"accept-encoding": "gzip"})
            assert (r.status_code, r.headers["x-stamp"], r.headers["content-encoding"]) == (200, "asgi", "gzip")
        else:
            server.proc.wait(timeout=30)  # the worker refuses to start; granian stops
    finally:
        output = server.stop()
    if interface == "rsgi":
        assert "InterfaceError: this app wraps ASGI middleware (Stamp), which cannot run under RSGI" in output
        assert "--interface asgi" in output
