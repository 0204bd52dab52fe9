"""`req.form` through the ASGI callable (docs/forms.md): urlencoded and multipart,
buffered and streamed, files, limits, errors, clean-up."""

import os

import pytest

from heaven import App, File
from helpers import Client, call_raw, http_scope

pytestmark = pytest.mark.interfaces

BOUNDARY = "XyZ123"


def multipart(*parts):
    body = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            body += b"Content-Type: text/plain\r\n"
        body += b"\r\n" + value + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


CTYPE = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def describe(form):
    if form is None:
        return {}
    out = {}
    for name, value in form.multi_items():
        if isinstance(value, File):
            value = {"filename": value.filename, "size": value.size, "content": value.content.decode(), "type": value.content_type}
        out.setdefault(name, []).append(value)
    return out


def test_urlencoded_and_multipart_on_buffered_routes():
    app = App()
    app.POST("/f", lambda req, res, ctx: setattr(res, "body", describe(req.form)))
    with Client(app) as c:
        r = c.post("/f", data={"a": "1", "b": ["x", "y z"]})
        assert r.json() == {"a": ["1"], "b": ["x", "y z"]}
        body = multipart(("title", b"hello", None), ("doc", b"file body", "notes.txt"), ("title", b"again", None))
        r = c.post("/f", content=body, headers=CTYPE)
        assert r.json() == {
            "title": ["hello", "again"],
            "doc": [{"filename": "notes.txt", "size": 9, "content": "file body", "type": "text/plain"}],
        }

    # A body that is not a form: req.form is None (Heaven 2.4.3).
    app.POST("/kind", lambda req, res, ctx: setattr(res, "body", {"form": repr(req.form)}))
    with Client(app) as c:
        assert c.post("/kind", json={"not": "a form"}).json() == {"form": "None"}


def test_await_form_on_streaming_routes_and_everywhere():
    seen = {}

    async def streamed(req, res, ctx):
        form = await req.form
        seen["again"] = req.form is form  # parsed once, then cached
        res.body = describe(form)

    async def buffered(req, res, ctx):
        res.body = describe(await req.form)

    app = App()
    app.POST("/s", streamed, stream=True)
    app.POST("/b", buffered)
    body = multipart(("k", b"v", None), ("up", b"x" * 5000, "big.txt"))
    with Client(app) as c:
        for path in ("/s", "/b"):
            r = c.post(path, content=body, headers=CTYPE)
            assert r.json()["k"] == ["v"] and r.json()["up"][0]["size"] == 5000
    assert seen == {"again": True}


def test_form_must_be_awaited_on_streaming_routes():
    app = App()
    app.POST("/s", lambda req, res, ctx: req.form["k"], stream=True)
    with Client(app) as c:
        assert c.post("/s", data={"k": "v"}).status_code == 500


@pytest.mark.parametrize(
    "body, status",
    [
        (b"--XyZ123\r\nno headers here", 400),
        (b"--XyZ123\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ123--\r\n", 400),
        (b"garbage without boundary", 400),
        (b"--XyZ123\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated", 400),
    ],
)
def test_malformed_multipart_is_400(body, status):
    app = App()
    app.POST("/f", lambda req, res, ctx: req.form)
    with Client(app) as c:
        assert c.post("/f", content=body, headers=CTYPE).status_code == status


def test_limits_from_the_app():
    app = App(form_max_part_size=10, form_max_parts=2, form_max_field_size=5)
    app.POST("/f", lambda req, res, ctx: setattr(res, "body", len(req.form)))
    with Client(app) as c:
        assert c.post("/f", content=multipart(("a", b"ok", None)), headers=CTYPE).text == "1"
        assert c.post("/f", content=multipart(("a", b"too long", None)), headers=CTYPE).status_code == 413
        assert c.post("/f", content=multipart(("f", b"x" * 11, "a.txt")), headers=CTYPE).status_code == 413
        many = multipart(("a", b"1", None), ("b", b"2", None), ("c", b"3", None))
        assert c.post("/f", content=many, headers=CTYPE).status_code == 400


def test_streamed_body_over_max_body_size_is_413_and_leaves_no_temp_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app = App(max_body_size=64 * 1024, form_spill_threshold=1024)

    async def upload(req, res, ctx):
        await req.form

    app.POST("/up", upload, stream=True)
    head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\n".encode()
    chunks = [head] + [b"x" * 16384] * 8 + [f"\r\n--{BOUNDARY}--\r\n".encode()]
    scope = http_scope("/up", method="POST", headers=[(b"content-type", CTYPE["content-type"].encode()), (b"transfer-encoding", b"chunked")])
    fds_before = len(os.listdir("/proc/self/fd"))
    out = call_raw(app, scope, chunks)
    assert out["status"] == 413
    assert list(tmp_path.iterdir()) == []
    assert len(os.listdir("/proc/self/fd")) == fds_before


def test_uploads_are_closed_when_the_request_ends():
    kept = {}

    def upload(req, res, ctx):
        kept["file"] = req.form["doc"]
        res.body = kept["file"].content

    app = App(form_spill_threshold=4)
    app.POST("/f", upload)
    with Client(app) as c:
        assert c.post("/f", content=multipart(("doc", b"spilled to disk", "d.txt")), headers=CTYPE).text == "spilled to disk"
    with pytest.raises(Exception):
        kept["file"].content  # the temp file went with the request


def test_saving_an_upload_names_its_temporary_file(tmp_path, monkeypatch):
    # docs/forms.md "Saving uploads": a spilled upload saved on its own file system becomes the saved
    # file (same inode: no byte copied); a second save, one on another file system, and one over an
    # existing file are copies; every one outlives the request, with the copy's mode.
    import stat
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    other = f"/dev/shm/heaven-test-forms-{os.getpid()}"  # tmpfs: another file system than tmp_path
    (tmp_path / "existing.bin").write_bytes(b"an older file")
    data = os.urandom(300_000)

    async def upload(req, res, ctx):
        form = await req.form
        doc = form["doc"]
        spool = os.fstat(doc.file.fileno()).st_ino
        sizes = [await doc.asave(tmp_path / "first.bin"), doc.save(tmp_path / "second.bin")]
        sizes += [await doc.asave(other), await doc.asave(tmp_path / "existing.bin")]
        names = ("first.bin", "second.bin", "existing.bin")
        res.body = {
            "sizes": sizes,
            "same_file": [os.stat(tmp_path / name).st_ino == spool for name in names] + [os.stat(other).st_ino == spool],
            "content": doc.content == data,
        }

    app = App(form_spill_threshold=1024)
    app.POST("/up", upload, stream=True)
    try:
        with Client(app) as c:
            r = c.post("/up", content=multipart(("doc", data, "d.bin")), headers=CTYPE)
        assert (r.status_code, r.json()) == (
            200,
            {"sizes": [len(data)] * 4, "same_file": [True, False, False, False], "content": True},
        )
        mask = os.umask(0)
        os.umask(mask)
        for path in (tmp_path / "first.bin", tmp_path / "second.bin", tmp_path / "existing.bin", other):
            saved = os.stat(path)
            assert (saved.st_size, saved.st_nlink, stat.S_IMODE(saved.st_mode)) == (len(data), 1, 0o666 & ~mask), path
            with open(path, "rb") as handle:
                assert handle.read() == data, path
        assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.bin", "first.bin", "second.bin"]
    finally:
        if os.path.exists(other):
            os.remove(other)


def test_a_memory_held_upload_is_written(tmp_path):
    async def upload(req, res, ctx):
        doc = (await req.form)["doc"]
        res.body = {"written": await doc.asave(tmp_path / "small.txt"), "in_memory": "in memory" in repr(doc)}

    app = App()
    app.POST("/up", upload, stream=True)
    with Client(app) as c:
        r = c.post("/up", content=multipart(("doc", b"a few bytes", "s.txt")), headers=CTYPE)
    assert (r.status_code, r.json()) == (200, {"written": 11, "in_memory": True})
    assert (tmp_path / "small.txt").read_bytes() == b"a few bytes"
