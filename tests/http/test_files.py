"""`res.file()` and `app.ASSETS()` (docs/files.md): confinement, validators,
304, ranges, downloads."""

import os
import sys
from email.utils import formatdate

import pytest

from heaven import App
from heaven._http import files
from heaven.errors import NotFound
from helpers import Client, call_raw, http_scope

pytestmark = pytest.mark.interfaces

CONTENT = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture(params=["kernel", "realpath"])
def lookup(request, monkeypatch):
    """Confinement is resolved by the kernel (an O_PATH lookup, Linux) or by
    os.path.realpath (elsewhere): both must refuse the same escapes."""
    if request.param == "realpath":
        monkeypatch.setattr(files, "_KERNEL_LOOKUP", False)
    else:
        assert files._KERNEL_LOOKUP or sys.platform != "linux"
    return request.param


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "public"
    (root / "css").mkdir(parents=True)
    (root / "css" / "site.css").write_text("body { color: red }")
    (root / "data.bin").write_bytes(CONTENT)
    (root / "page.html").write_text("<h1>hi</h1>")
    (root / "odd name %2e%2e.txt").write_text("literal")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    (root / "escape-link").symlink_to(tmp_path / "secret.txt")
    (root / "inner-link.css").symlink_to(root / "css" / "site.css")
    (root / "folder-link").symlink_to(tmp_path)
    app = App()
    app.ASSETS("public", relative_to=str(tmp_path))
    app.GET("/download/*", lambda req, res, ctx: res.file(req.params["*"], filename="report ü.bin", within=str(root)))
    app.GET("/raw", lambda req, res, ctx: res.file(str(root / "data.bin")))
    with Client(app) as c:
        yield c, root


def test_serves_files_with_type_length_and_validators(site):
    c, root = site
    r = c.get("/public/css/site.css")
    assert r.status_code == 200
    assert r.text == "body { color: red }"
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    assert r.headers["content-length"] == "19"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["etag"].startswith('"') and r.headers["etag"].endswith('"')
    assert r.headers["last-modified"] == formatdate(os.stat(root / "css" / "site.css").st_mtime, usegmt=True)
    assert c.get("/public/data.bin").headers["content-type"] == "application/octet-stream"
    assert c.get("/public/data.bin").content == CONTENT
    assert c.get("/public/page.html").headers["content-type"] == "text/html; charset=utf-8"
    assert c.get("/raw").content == CONTENT


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/public/../secret.txt",
        b"/public/%2e%2e/secret.txt",
        b"/public/css/..%2f..%2fsecret.txt",
        b"/public/css/%2e%2e%2f%2e%2e%2fsecret.txt",
        b"/public/%2fetc%2fpasswd",
        b"/public//etc/passwd",
        b"/public/escape-link",
        b"/public/folder-link/secret.txt",
        b"/public/css",
        b"/public/missing.txt",
        b"/public/a%00b",
    ],
)
def test_escape_attempts_are_404(site, lookup, raw_path):
    c, root = site
    out = call_raw(c_app(c), http_scope(raw_path.decode(), raw_path=raw_path))
    assert out["status"] in (404, 400), out
    assert b"SECRET" not in out["body"] and b"root:" not in out["body"]
    if b"%00" not in raw_path:
        assert out["status"] == 404


def c_app(client):
    return client.app


def test_symlink_inside_the_root_and_literal_percent_names_are_served(site, lookup):
    c, _ = site
    assert c.get("/public/inner-link.css").text == "body { color: red }"
    assert c.get("/public/odd%20name%20%252e%252e.txt").text == "literal"


def test_within_refuses_absolute_and_parent_paths(tmp_path, lookup):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "ok.txt").write_text("ok")
    (tmp_path / "outside.txt").write_text("no")
    app = App()
    app.GET("/f", lambda req, res, ctx: res.file(req.queries["p"], within=str(tmp_path / "root")))
    with Client(app) as c:
        assert c.get("/f", params={"p": "ok.txt"}).text == "ok"
        for bad in ["../outside.txt", str(tmp_path / "outside.txt"), "/etc/passwd", "ok.txt\0x", "..", ""]:
            assert c.get("/f", params={"p": bad}).status_code == 404, bad


def test_kernel_lookup_resolves_as_realpath_does(site, monkeypatch):
    _, root = site
    (root / "css" / "up-link").symlink_to("..")
    paths = ["css/site.css", "inner-link.css", "/css/site.css", "css/../data.bin", "css/up-link/data.bin",
             "css/up-link/../secret.txt", "escape-link", "folder-link/public/data.bin", "folder-link/secret.txt",
             "css", "", ".", "missing", "css/site.css/x", "data.bin\0"]  # fmt: skip

    def outcome(path):
        try:
            return files.confined_path(path, str(root))
        except NotFound:
            return "404"

    kernel = [outcome(p) for p in paths]
    monkeypatch.setattr(files, "_KERNEL_LOOKUP", False)
    assert kernel == [outcome(p) for p in paths]
    assert kernel[:6] == [str(root / "css" / "site.css")] * 3 + [str(root / "data.bin")] * 2 + ["404"]
    assert kernel[7] == str(root / "data.bin")  # out through the folder link and back in: still inside
    assert set(kernel[5:7] + kernel[8:]) == {"404"}


def test_304_on_if_none_match_and_if_modified_since(site, lookup):
    c, _ = site
    first = c.get("/public/css/site.css")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    r = c.get("/public/css/site.css", headers={"if-none-match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    assert c.get("/public/css/site.css", headers={"if-none-match": f'"nope", W/{etag}'}).status_code == 304
    assert c.get("/public/css/site.css", headers={"if-none-match": "*"}).status_code == 304
    assert c.get("/public/css/site.css", headers={"if-none-match": '"other"'}).status_code == 200
    assert c.get("/public/css/site.css", headers={"if-modified-since": modified}).status_code == 304
    assert c.get("/public/css/site.css", headers={"if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT"}).status_code == 200
    assert c.get("/public/css/site.css", headers={"if-modified-since": "garbage"}).status_code == 200
    # If-None-Match wins over If-Modified-Since.
    r = c.get("/public/css/site.css", headers={"if-none-match": '"other"', "if-modified-since": modified})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "spec, status, start, end",
    [
        ("bytes=0-99", 206, 0, 99),
        ("bytes=100-", 206, 100, 10239),
        ("bytes=-50", 206, 10190, 10239),
        ("bytes=10000-99999", 206, 10000, 10239),
        ("bytes=0-0", 206, 0, 0),
    ],
)
def test_single_ranges(site, spec, status, start, end):
    c, _ = site
    r = c.get("/public/data.bin", headers={"range": spec})
    assert r.status_code == status
    assert r.content == CONTENT[start : end + 1]
    assert r.headers["content-range"] == f"bytes {start}-{end}/{len(CONTENT)}"
    assert r.headers["content-length"] == str(end - start + 1)


@pytest.mark.parametrize("spec", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
def test_unsatisfiable_ranges_are_416(site, spec):
    c, _ = site
    r = c.get("/public/data.bin", headers={"range": spec})
    assert r.status_code == 416
    assert r.headers["content-range"] == f"bytes */{len(CONTENT)}"


@pytest.mark.parametrize("spec", ["bytes=0-1,5-6", "lines=1-2", "bytes=abc", "bytes=5-1", "bytes"])
def test_ignored_ranges_send_the_whole_file(site, spec):
    c, _ = site
    r = c.get("/public/data.bin", headers={"range": spec})
    assert r.status_code == 200 and r.content == CONTENT


def test_if_range(site):
    c, _ = site
    etag = c.get("/public/data.bin").headers["etag"]
    r = c.get("/public/data.bin", headers={"range": "bytes=0-9", "if-range": etag})
    assert r.status_code == 206 and r.content == CONTENT[:10]
    r = c.get("/public/data.bin", headers={"range": "bytes=0-9", "if-range": '"stale"'})
    assert r.status_code == 200 and r.content == CONTENT


def test_head_and_download_name(site):
    c, _ = site
    r = c.request("HEAD", "/public/data.bin")
    assert r.status_code == 200 and r.content == b"" and r.headers["content-length"] == str(len(CONTENT))
    r = c.get("/download/data.bin")
    assert r.content == CONTENT
    assert r.headers["content-disposition"] == "attachment; filename=\"report ?.bin\"; filename*=UTF-8''report%20%C3%BC.bin"


def test_assets_route_option_and_validation(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.js").write_text("let x = 1;")
    app = App()
    app.ASSETS("static", route="/assets/*", relative_to=str(tmp_path / "anyfile.py"))
    with Client(app) as c:
        r = c.get("/assets/app.js")
        assert r.text == "let x = 1;" and r.headers["content-type"].startswith("text/javascript")
        assert c.get("/static/app.js").status_code == 404
    with pytest.raises(ValueError, match="must end in"):
        App().ASSETS("static", route="/assets", relative_to=str(tmp_path))
    with pytest.raises(ValueError, match="does not exist"):
        App().ASSETS("nope", relative_to=str(tmp_path))


def test_large_file_is_sent_in_chunks(tmp_path):
    big = os.urandom(3 * 1024 * 1024 + 17)
    (tmp_path / "big.bin").write_bytes(big)
    app = App()
    app.GET("/big", lambda req, res, ctx: res.file("big.bin", within=str(tmp_path)))
    out = call_raw(app, http_scope("/big"))
    assert out["body"] == big


@pytest.mark.asgi_only  # an ASGI extension; RSGI always hands files to granian (next test)
def test_pathsend_when_the_server_offers_it(tmp_path):
    """A whole file goes out as `http.response.pathsend` (the server sends it);
    a range still streams, since pathsend has no offset."""
    (tmp_path / "f.bin").write_bytes(CONTENT)
    app = App()
    app.GET("/f", lambda req, res, ctx: res.file("f.bin", within=str(tmp_path)))
    sent = []

    async def run(headers):
        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            sent.append(message)

        scope = http_scope("/f", headers=headers, extensions={"http.response.pathsend": {}})
        await app(scope, receive, send)

    import asyncio

    asyncio.run(run([]))
    assert sent[1] == {"type": "http.response.pathsend", "path": str((tmp_path / "f.bin").resolve())}
    assert dict(sent[0]["headers"])[b"content-length"] == str(len(CONTENT)).encode()
    sent.clear()
    asyncio.run(run([(b"range", b"bytes=5-9")]))
    assert sent[0]["status"] == 206 and sent[1]["body"] == CONTENT[5:10]


@pytest.mark.rsgi_only  # RSGI's own calls: granian sends the file, no bytes cross into Python
def test_rsgi_hands_whole_files_and_ranges_to_granian(tmp_path):
    import asyncio

    from heaven._testing.rsgi import HTTPProtocol
    from helpers import rsgi_scope

    (tmp_path / "f.bin").write_bytes(CONTENT)
    app = App()
    app.GET("/f", lambda req, res, ctx: res.file("f.bin", within=str(tmp_path)))
    calls = []

    async def run(headers):
        proto = HTTPProtocol()
        for name in ("response_file", "response_file_range", "response_bytes", "response_stream"):
            original = getattr(proto, name)
            setattr(proto, name, lambda *args, _n=name, _o=original: (calls.append((_n, args[0], *args[2:])), _o(*args))[1])
        await app.__rsgi__(rsgi_scope(http_scope("/f", headers=headers)), proto)
        return proto.response

    whole = asyncio.run(run([]))
    ranged = asyncio.run(run([(b"range", b"bytes=5-9")]))
    path = str((tmp_path / "f.bin").resolve())
    assert calls == [("response_file", 200, path), ("response_file_range", 206, path, 5, 10)]
    assert whole.body == CONTENT and ranged.body == CONTENT[5:10]


def test_kernel_lookup_is_used_only_where_it_answers_right(monkeypatch):
    assert files._kernel_lookup_works() is (sys.platform == "linux")
    monkeypatch.setattr(files.os, "readlink", lambda path: "/proc-that-lies")
    assert files._kernel_lookup_works() is False
    monkeypatch.setattr(files, "_O_PATH", 0)
    assert files._kernel_lookup_works() is False
