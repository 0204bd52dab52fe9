"""Request bodies over HTTP/2 under a real granian (`--http auto`, spoken
with prior knowledge): HTTP/2 ends a body with its stream, so a body sent
without `Content-Length` must still be read whole, not taken for none, and
a stream reset mid-body must end the read, not hang or spin."""

import socket
import time

import h2.config
import h2.connection
import h2.errors
import httpx
import pytest

from .conftest import Server

pytestmark = pytest.mark.e2e

BODY = b"hello over http/2 " * 1000
WHOLE = {"length": len(BODY), "start": "hello over http/"}


def chunks():
    for start in range(0, len(BODY), 4096):
        yield BODY[start : start + 4096]


@pytest.fixture
def server(interface):
    server = Server("h2_app:app", interface=interface, args=("--http", "auto"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def client(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, http1=False, http2=True)


def test_a_body_with_its_length_is_read_whole(server):
    with client(server) as http:
        r = http.post("/read", content=BODY)
        assert r.http_version == "HTTP/2"
        assert r.json() == WHOLE


def test_an_empty_post_reads_an_empty_body(server):
    with client(server) as http:
        r = http.post("/read")
        assert r.json() == {"length": 0, "start": ""}


def test_a_body_without_a_length_is_read_whole(server):
    with client(server) as http:
        r = http.put("/read", content=chunks())  # a generator: no Content-Length is sent
        assert r.http_version == "HTTP/2"
        assert r.json() == WHOLE


@pytest.mark.parametrize("content", [lambda: BODY, chunks], ids=["declared", "unknown"])
def test_a_stream_route_reads_the_body_to_its_end(server, content):
    with client(server) as http:
        r = http.put("/stream", content=content())
        assert (r.status_code, r.json()) == (200, WHOLE)


def test_a_stream_reset_mid_body_ends_the_read(server):
    host, port = server.url.removeprefix("http://").split(":")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    with socket.create_connection((host, int(port))) as sock:
        conn.initiate_connection()
        conn.send_headers(1, [(":method", "PUT"), (":path", "/stream"), (":scheme", "http"), (":authority", "x")])
        conn.send_data(1, b"a" * 100)
        sock.sendall(conn.data_to_send())
        with client(server) as http:
            deadline = time.monotonic() + 10
            while http.get("/last").text != "reading" and time.monotonic() < deadline:
                time.sleep(0.02)
            conn.reset_stream(1, h2.errors.ErrorCodes.CANCEL)
            sock.sendall(conn.data_to_send())
            deadline = time.monotonic() + 10
            while (seen := http.get("/last").text) == "reading" and time.monotonic() < deadline:
                time.sleep(0.02)
            assert seen == "IncompleteBody"
