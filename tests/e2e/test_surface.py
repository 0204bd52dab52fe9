"""The HTTP surface through a real granian process and real clients:
websockets (the `websockets` library), SSE (`httpx-sse`), file downloads
resumed with Range, and 304 revalidation."""

import asyncio

import httpx
import pytest
import websockets
from httpx_sse import connect_sse

pytestmark = pytest.mark.e2e
PATTERN = bytes(range(256)) * (5 * 4096)


@pytest.fixture
def server(serve, tmp_path):
    return serve("surface_app:app", env={"HEAVEN_E2E_FILES": str(tmp_path)})


def test_websocket_echo_with_the_websockets_client(server, interface):
    url = server.url.replace("http://", "ws://")

    async def talk():
        async with websockets.connect(f"{url}/rooms/lobby") as ws:
            assert await ws.recv() == "welcome to lobby"
            await ws.send("hello")
            assert await ws.recv() == "hello"
            await ws.send(b"\x00\xffbinary")
            assert await ws.recv() == b"\x00\xffbinary"
        # A refused handshake: the BEFORE hook aborts, the server answers 403.
        with pytest.raises(websockets.exceptions.InvalidStatus) as info:
            async with websockets.connect(f"{url}/private"):
                pass
        assert info.value.response.status_code == 403
        async with websockets.connect(f"{url}/private?token=s3cret") as ws:
            assert await ws.recv() == "members only"
            # The handler returned: the server closes normally. (granian 2.8.7
            # sends no close code over RSGI, whatever the app asks: 1005 there.)
            await ws.wait_closed()
            assert ws.close_code == (1000 if server.interface == "asgi" else 1005)

    asyncio.run(talk())
    # The server survived clients leaving mid-conversation and still serves.
    assert httpx.get(server.url + "/files/big.bin", headers={"range": "bytes=0-0"}).status_code == 206


def test_sse_frames_parsed_by_an_sse_client(server):
    with httpx.Client(base_url=server.url) as http, connect_sse(http, "GET", "/events") as source:
        assert source.response.headers["content-type"] == "text/event-stream"
        events = list(source.iter_sse())
    assert [(e.event, e.id, e.json()) for e in events[:3]] == [("tick", str(n), {"n": n}) for n in range(3)]
    assert events[3].event == "message" and events[3].data == "two\nlines"


def test_download_resumed_with_range_and_revalidated(server):
    with httpx.Client(base_url=server.url) as http:
        # The first attempt is cut after 1 MiB (we stop reading the stream).
        got = b""
        with http.stream("GET", "/files/big.bin") as r:
            assert r.status_code == 200
            etag = r.headers["etag"]
            for chunk in r.iter_bytes():
                got += chunk
                if len(got) >= 1 << 20:
                    break
        got = got[: 1 << 20]
        # Resume from where we stopped, only if the file is still the same version.
        r = http.get("/files/big.bin", headers={"range": f"bytes={len(got)}-", "if-range": etag})
        assert r.status_code == 206
        assert r.headers["content-range"] == f"bytes {len(got)}-{len(PATTERN) - 1}/{len(PATTERN)}"
        assert got + r.content == PATTERN
        # Revalidation: nothing changed, nothing is sent again.
        r = http.get("/files/big.bin", headers={"if-none-match": etag})
        assert r.status_code == 304 and r.content == b""
        r = http.get("/files/big.bin", headers={"if-modified-since": r.headers["last-modified"]})
        assert r.status_code == 304
        assert http.get("/files/../e2e/conftest.py").status_code == 404


def test_cors_preflight_and_actual_request(server):
    with httpx.Client(base_url=server.url) as http:
        r = http.options(
            "/events",
            headers={
                "origin": "https://app.example.com",
                "access-control-request-method": "GET",
                "access-control-request-headers": "x-requested-with",
            },
        )
        assert r.status_code == 204
        assert r.headers["access-control-allow-origin"] == "https://app.example.com"
        assert r.headers["access-control-allow-credentials"] == "true"
        assert r.headers["access-control-max-age"] == "600"
        refused = http.options("/events", headers={"origin": "https://evil.test", "access-control-request-method": "GET"})
        assert refused.status_code == 403
        r = http.get("/files/big.bin", headers={"origin": "https://app.example.com", "range": "bytes=0-3"})
        assert r.status_code == 206 and r.headers["access-control-allow-origin"] == "https://app.example.com"


def test_header_bytes_reach_the_wire_unchanged(server):
    """A UTF-8 header value given as bytes goes out byte for byte on both
    interfaces (RSGI takes str pairs; heaven must not re-encode them)."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /labelled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    assert b"\r\nx-label: caf\xc3\xa9\r\n" in head
    assert b"\r\nx-plain: ascii only\r\n" in head


def test_the_request_line_reads_the_same_on_both_interfaces(server):
    assert httpx.get(f"{server.url}/line/a%20b?x=1&y=2").json() == {
        "method": "GET", "path": "/line/a b", "url": "/line/a b?x=1&y=2", "scheme": "http",
    }  # fmt: skip
    assert httpx.post(f"{server.url}/line/z").json()["method"] == "POST"


def test_a_failing_handler_is_a_logged_500(server):
    r = httpx.get(f"{server.url}/broken")
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert "unhandled error in GET /broken (route /broken)" in server.stop()


def test_a_client_leaving_a_stream_is_not_logged_as_an_error(server):
    with httpx.stream("GET", f"{server.url}/endless") as r:
        assert next(r.iter_text()).startswith("tick")
    httpx.get(f"{server.url}/line/after")  # the server still answers
    log = server.stop()
    assert "error while sending the body" not in log
    assert "Traceback" not in log
