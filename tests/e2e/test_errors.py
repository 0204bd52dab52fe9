"""Error handlers and problem+json through a real granian, on both
interfaces: a custom 404 page, a problem+json 500 and 405 and HTTPError,
bodyless 204/304 answers, a redirect to a non-ASCII path, a str body UTF-8
cannot encode."""

import json
import socket

import httpx
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(serve):
    return serve("errors_app:app")


def raw_head(url: str, request: bytes) -> bytes:
    """The status line and headers of one answer, as they came on the wire."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    return data.partition(b"\r\n\r\n")[0]


def test_a_custom_404_and_problem_json_for_the_rest(server):
    with httpx.Client(base_url=server.url) as c:
        r = c.get("/nothing/here")
        assert r.status_code == 404
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.text == "<h1>Nothing at /nothing/here</h1>"

        r = c.get("/crash")
        assert r.status_code == 500
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500, "instance": "/crash"}

        r = c.delete("/")
        assert (r.status_code, r.headers["allow"], r.headers["content-type"]) == (405, "GET, HEAD", "application/problem+json")
        assert r.json()["title"] == "Method Not Allowed"

        r = c.post("/orders")
        assert (r.status_code, r.headers["retry-after"]) == (409, "5")
        assert json.loads(r.content) == {
            "type": "about:blank", "title": "Conflict", "status": 409,
            "detail": "the order was already paid", "instance": "/orders",
        }  # fmt: skip
        assert c.get("/").text == "up"
    output = server.stop()
    assert output.count("unhandled error in GET /crash (route /crash)") == 1, output
    assert "ZeroDivisionError: boom" in output


@pytest.mark.parametrize("path, status", [("/empty", b"204"), ("/unchanged", b"304")])
def test_204_and_304_go_out_without_content_length(server, path, status):
    head = raw_head(server.url, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 " + status + b" " + {b"204": b"No Content", b"304": b"Not Modified"}[status]
    assert b"content-length" not in head.lower(), head


def test_a_redirect_to_a_non_ascii_path(server):
    r = httpx.get(server.url + "/jp", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (307, "/%E6%97%A5%E6%9C%AC%20%E8%AA%9E")


@pytest.mark.parametrize("kind", ["usual", "bodiless", "general"])
def test_a_str_body_utf8_cannot_encode_is_heavens_500(server, kind):
    """Whichever path finishes the answer, the error reaches heaven's error
    answer (here problem+json), never the server's bare 500."""
    r = httpx.get(f"{server.url}/unencodable/{kind}")
    assert (r.status_code, r.headers["content-type"]) == (500, "application/problem+json")
    assert r.json()["instance"] == f"/unencodable/{kind}"
    assert "UnicodeEncodeError" in server.stop()
