"""Malformed input gets a clear 4xx (or a registration error), never a 500
or a crash: docs/errors.md."""

import pytest

from heaven import App, UrlDuplicateError, UrlError
from helpers import Client, call_raw, http_scope

pytestmark = pytest.mark.interfaces


@pytest.fixture
def app():
    app = App(max_body_size=64)
    app.GET("/items/:name", lambda req, res, ctx: setattr(res, "body", req.params["name"]))
    app.POST("/items", lambda req, res, ctx: setattr(res, "body", len(req.body)))
    app.GET("/q", lambda req, res, ctx: setattr(res, "body", dict(req.queries.items())))
    return app


@pytest.mark.parametrize(
    "raw_path, asgi, rsgi",
    [
        (b"/items/%ff", (400, b"Bad Request: not valid UTF-8"), (200, "\ufffd".encode())),
        (b"/items/%zz", (400, b"Bad Request: malformed percent-encoding"), (200, b"%zz")),
        (b"/items/%4", (400, b"Bad Request: malformed percent-encoding"), (200, b"%4")),
        (b"/items/abc%", (400, b"Bad Request: malformed percent-encoding"), (200, b"abc%")),
        (b"/items/a%00b", (400, b"Bad Request: NUL byte in path"), (400, b"Bad Request: NUL byte in path")),
        (b"/items/%C3%A9", (200, "é".encode()), (200, "é".encode())),
    ],
)
def test_bad_paths(app, raw_path, asgi, rsgi, interface):
    """ASGI hands over the raw path, and heaven refuses what does not decode.
    RSGI hands over a path granian already decoded (bad UTF-8 becomes U+FFFD,
    a malformed escape stays as typed): heaven routes what it is given, and
    still refuses a NUL (docs/serving.md)."""
    out = call_raw(app, http_scope("/items/x", raw_path=raw_path))
    assert (out["status"], out["body"]) == (asgi if interface == "asgi" else rsgi)


@pytest.mark.asgi_only  # RSGI scopes are granian's: no raw bytes reach the app
def test_raw_bytes_that_are_not_utf8_are_400(app):
    out = call_raw(app, http_scope("/items/x", raw_path=b"/items/\xff\xfe"))
    assert (out["status"], out["body"]) == (400, b"Bad Request: not valid UTF-8")


def test_bad_query_string_encoding(app):
    out = call_raw(app, http_scope("/q", query_string=b"a=%zz"))
    assert (out["status"], out["body"]) == (400, b"Bad Request: malformed percent-encoding")
    out = call_raw(app, http_scope("/q", query_string=b"a=%ff"))
    assert out["status"] == 400
    assert call_raw(app, http_scope("/q", query_string=b"a=1&a=2&b"))["status"] == 200


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1, 2", b""])
def test_invalid_content_length(app, length):
    scope = http_scope("/items", method="POST", headers=[(b"content-length", length)])
    out = call_raw(app, scope, [b"x"])
    assert out["status"] == 400
    assert out["body"] == b"Bad Request: invalid Content-Length"


@pytest.mark.asgi_only  # under granian, hyper refuses these before an RSGI app sees them
def test_conflicting_content_lengths(app):
    scope = http_scope("/items", method="POST", headers=[(b"content-length", b"1"), (b"content-length", b"2")])
    assert call_raw(app, scope, [b"x"])["status"] == 400


def test_oversized_bodies(app):
    with Client(app) as c:
        assert c.post("/items", content=b"x" * 64).text == "64"
        assert c.post("/items", content=b"x" * 65).status_code == 413
        assert c.post("/items", content=b"x" * 10_000_000).status_code == 413


CHUNKED = (b"transfer-encoding", b"chunked")


@pytest.mark.parametrize(
    "chunks, headers, answer",
    [
        ([b"x" * 30, b"y" * 30], [CHUNKED], (200, b"60")),  # several messages, assembled
        ([b"x" * 64], [(b"content-length", b"64")], (200, b"64")),  # one message, at the limit
        ([b"x" * 32, b"y" * 33], [CHUNKED], (413, None)),  # the running total passes the limit
        ([b"x" * 65], [CHUNKED], (413, None)),  # the first message alone passes it
        # A length beside chunked encoding does not bound the body.
        ([b"x" * 40, b"y" * 40], [(b"content-length", b"1"), CHUNKED], (413, None)),
    ],
)
def test_body_limit_while_reading_messages(app, chunks, headers, answer):
    out = call_raw(app, http_scope("/items", method="POST", headers=headers), chunks)
    assert out["status"] == answer[0]
    if answer[1] is not None:
        assert out["body"] == answer[1]


@pytest.mark.parametrize(
    "scope_changes",
    [
        {"raw_path": None},  # server without raw_path: the decoded path is used
        {"headers": []},
        {"headers": [[b"host", b"x.example.com"]]},  # lists instead of tuples
        {"headers": [(b"weird",)]},  # a malformed header entry is skipped
        {"headers": [("str-name", "str-value")]},  # not bytes: ignored
        {"client": None, "server": None},
        {"query_string": None},
    ],
)
@pytest.mark.asgi_only  # odd shapes of ASGI's scope dict; RSGI's scope is granian's object
def test_odd_scopes_do_not_crash(app, scope_changes):
    scope = http_scope("/items/ok")
    scope.update(scope_changes)
    out = call_raw(app, scope)
    assert (out["status"], out["body"]) == (200, b"ok")


def test_decoded_path_fallback_keeps_percent_literal(app):
    scope = http_scope("/items/100%", raw_path=None)
    assert call_raw(app, scope)["body"] == b"100%"


def test_registration_errors_name_the_route():
    app = App()
    app.GET("/users/:id", lambda req, res, ctx: None)
    with pytest.raises(UrlError, match=r'route "/users/:id:number": parameter "id" has unknown type "number"'):
        app.GET("/users/:id:number", lambda req, res, ctx: None)
    with pytest.raises(UrlDuplicateError, match=r'route "/users/:id" is already registered for GET on subdomain "www"'):
        app.GET("/users/:id", lambda req, res, ctx: None)


@pytest.mark.parametrize("stream", [False, True])
def test_a_body_that_breaks_off_is_a_400_not_silence(stream):
    """Servers report a malformed chunked body, and a client that leaves
    mid-upload, as `http.disconnect` while the body is read (ASGI) or as an
    early end (RSGI). heaven answers 400 (granian delivers it when the
    connection is still open) instead of returning without an answer, which
    granian turns into its own 500, or reading a shortened body."""
    app = App()

    async def upload(req, res, ctx):
        res.body = b"".join([chunk async for chunk in req.stream()])

    app.POST("/up", upload, stream=stream)
    scope = http_scope("/up", method="POST", headers=[(b"host", b"t"), (b"transfer-encoding", b"chunked")])
    out = call_raw(app, scope, [b"hel"], broken=True)
    assert out["status"] == 400
    assert out["body"] == b"Bad Request: the request body ended early or was malformed"
