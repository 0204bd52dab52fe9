"""`heaven.forms` without a server: `parse_urlencoded`, `parse_content_type`,
the `Form` multi-map, `File` handles read from several threads, and
`File.save` naming a spilled upload's temporary file instead of copying it."""

from __future__ import annotations

import asyncio
import os
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from heaven.errors import FormError
from heaven.forms import File, Form, parse_content_type, parse_urlencoded


# -- urlencoded and content types -------------------------------------------------


@pytest.mark.parametrize(
    "raw, pairs",
    [
        (b"", []),
        (b"a=1", [("a", "1")]),
        (b"a=1&b=2&a=3", [("a", "1"), ("b", "2"), ("a", "3")]),
        (b"q=hello+world&e=%C3%A9%26%3D", [("q", "hello world"), ("e", "é&=")]),
        (b"flag&empty=&=v", [("flag", ""), ("empty", ""), ("", "v")]),
        (b"a=1&&b=2&", [("a", "1"), ("b", "2")]),
        (b"x=a=b", [("x", "a=b")]),
    ],
)
def test_parse_urlencoded(raw, pairs):
    assert parse_urlencoded(raw).multi_items() == pairs


@pytest.mark.parametrize("raw", [b"a=%zz", b"a=%", b"a=%ff", b"%C3=1"])
def test_parse_urlencoded_malformed(raw):
    with pytest.raises(FormError) as info:
        parse_urlencoded(raw)
    assert info.value.status == 400


def test_parse_urlencoded_max_fields():
    assert len(parse_urlencoded(b"&".join(b"f%d=1" % i for i in range(1000)))) == 1000
    with pytest.raises(FormError):
        parse_urlencoded(b"&".join(b"f%d=1" % i for i in range(1001)))
    with pytest.raises(FormError):
        parse_urlencoded(b"a=1&b=2&c=3", max_fields=2)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("multipart/form-data; boundary=\"x\"", ("multipart/form-data", {"boundary": "x"})),
        ("Multipart/Form-Data;BOUNDARY=abc", ("multipart/form-data", {"boundary": "abc"})),
        ("text/plain ; charset = UTF-8 ", ("text/plain", {"charset": "UTF-8"})),
        ("application/x-www-form-urlencoded", ("application/x-www-form-urlencoded", {})),
        ("", ("", {})),
        ('a/b; x="semi;colon"; y=2', ("a/b", {"x": "semi;colon", "y": "2"})),
        (r'a/b; x="esc \"q\" \\ \d"', ("a/b", {"x": r'esc "q" \ \d'})),
        ('a/b; x="unterminated', ("a/b", {"x": "unterminated"})),
        ("a/b; novalue; x=1; x=2;;", ("a/b", {"x": "1"})),
        ('form-data; name="f"; filename=""', ("form-data", {"name": "f", "filename": ""})),
    ],
)
def test_parse_content_type(value, expected):
    assert parse_content_type(value) == expected


# -- Form -------------------------------------------------------------------------


def test_form_multimap():
    upload = File("a.txt", "text/plain")
    upload._write(b"hi")
    form = Form([("a", "1"), ("f", upload), ("a", "2"), ("b", "3")])
    # A name sent twice reads as the list of its values (Heaven 2.4.3).
    assert form["a"] == ["1", "2"] and form.get("a") == ["1", "2"] and form.get("zz") is None and form.get("zz", 0) == 0
    assert form["b"] == "3" and form.b == "3" and form.zz is None
    assert form.to_dict() == {"a": ["1", "2"], "f": upload, "b": "3"}
    assert form.getlist("a") == ["1", "2"] and form.getlist("zz") == []
    with pytest.raises(KeyError):
        form["zz"]
    assert "a" in form and "zz" not in form
    assert len(form) == 3 and list(form) == ["a", "f", "b"] and list(form.keys()) == ["a", "f", "b"]
    assert list(form.items()) == [("a", ["1", "2"]), ("f", upload), ("b", "3")]
    assert form.multi_items() == [("a", "1"), ("f", upload), ("a", "2"), ("b", "3")]
    assert dict(form.files) == {"f": upload} and form.files["f"].content == b"hi"
    assert form.fields.multi_items() == [("a", "1"), ("a", "2"), ("b", "3")]
    form.getlist("a").append("x")  # a copy: the form stays read-only
    assert form.getlist("a") == ["1", "2"]
    assert "a.txt" in repr(form)
    form.close()
    with pytest.raises(ValueError):
        upload.content
    assert len(Form()) == 0


def test_handles_read_concurrently_from_threads():
    data = os.urandom(1 << 20)
    upload = File("f", spill_threshold=0)
    upload._write(data)

    def read_in_pieces() -> bytes:
        with upload.file as handle:
            return b"".join(iter(lambda: handle.read1(512), b""))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: read_in_pieces(), range(4)))
    assert all(result == data for result in results)
    upload.close()


# -- File.save: a spilled upload is named, not copied -------------------------------


OTHER_FS = "/dev/shm"  # tmpfs: not the file system of tmp_path, so a link there fails (EXDEV)


@pytest.fixture
def spilled(tmp_path, monkeypatch):
    """A File past its threshold, its temporary file in tmp_path's file system."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made = []

    def make(data: bytes) -> File:
        upload = File("f.bin", "application/octet-stream", spill_threshold=16)
        upload._write(data[:10])
        upload._write(data[10:])  # spills: now in an unnamed temporary file
        made.append(upload)
        return upload

    yield make
    for upload in made:
        upload.close()


def inode(upload: File) -> int:
    return os.fstat(upload.file.fileno()).st_ino


def in_memory(data: bytes) -> File:
    upload = File("f.bin", spill_threshold=len(data))
    upload._write(data)
    return upload


def test_save_of_a_spilled_upload_names_its_temporary_file(tmp_path, spilled):
    data = os.urandom(100_000)
    upload = spilled(data)
    assert upload._disk is not None and os.fstat(upload.file.fileno()).st_nlink == 0
    assert upload.save(tmp_path / "saved.bin") == len(data)
    saved = os.stat(tmp_path / "saved.bin")
    assert saved.st_ino == inode(upload) and saved.st_nlink == 1  # the upload's own file: no byte copied
    assert (tmp_path / "saved.bin").read_bytes() == data
    assert upload.content == data and upload.file.read(5) == data[:5]  # the upload still reads the same bytes
    upload.close()
    assert (tmp_path / "saved.bin").read_bytes() == data  # and closing it leaves the saved file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved.bin"]


def test_asave_links_too(tmp_path, spilled):
    data = os.urandom(50_000)
    upload = spilled(data)
    assert asyncio.run(upload.asave(tmp_path / "a.bin")) == len(data)
    assert os.stat(tmp_path / "a.bin").st_ino == inode(upload) and (tmp_path / "a.bin").read_bytes() == data


def test_linked_save_equals_the_copy(tmp_path, spilled):
    # Same bytes, mode and owner as the copy a memory-held upload (or another file system) gets.
    data = os.urandom(40_000)
    old = os.umask(0o027)
    try:
        spilled(data).save(tmp_path / "linked")
        in_memory(data).save(tmp_path / "from-memory")
        spilled(data).save(os.path.join(OTHER_FS, f"heaven-forms-{os.getpid()}"))
    finally:
        os.umask(old)
    other = os.path.join(OTHER_FS, f"heaven-forms-{os.getpid()}")
    try:
        stats = [os.stat(p) for p in (tmp_path / "linked", tmp_path / "from-memory", other)]
        assert {(stat.S_IMODE(s.st_mode), s.st_uid, s.st_gid, s.st_size, s.st_nlink) for s in stats} == {
            (0o640, os.geteuid(), os.getegid(), len(data), 1)
        }
        assert (tmp_path / "linked").read_bytes() == (tmp_path / "from-memory").read_bytes() == Path(other).read_bytes() == data
    finally:
        os.remove(other)


def test_save_to_another_file_system_copies(tmp_path, spilled):
    data = os.urandom(30_000)
    upload = spilled(data)
    assert os.stat(tmp_path).st_dev != os.stat(OTHER_FS).st_dev
    target = os.path.join(OTHER_FS, f"heaven-forms-{os.getpid()}")
    try:
        assert upload.save(target) == len(data)
        assert os.stat(target).st_ino != inode(upload) and Path(target).read_bytes() == data
        assert os.fstat(upload.file.fileno()).st_nlink == 0  # still unnamed: a later save may still link
    finally:
        os.remove(target)
    upload.save(tmp_path / "then")
    assert os.stat(tmp_path / "then").st_ino == inode(upload)


def test_a_failing_link_falls_back_to_the_copy(tmp_path, spilled, monkeypatch):
    # Whatever makes linkat fail (no /proc, EPERM, EXDEV...), the copy is made as before.
    from heaven._http import spool

    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(spool.os, "link", refuse)
    data = os.urandom(20_000)
    upload = spilled(data)
    assert upload.save(tmp_path / "copy") == len(data)
    assert os.stat(tmp_path / "copy").st_ino != inode(upload) and (tmp_path / "copy").read_bytes() == data
    assert stat.S_IMODE(os.stat(tmp_path / "copy").st_mode) == stat.S_IMODE(in_memory_mode(tmp_path, data))


def in_memory_mode(tmp_path, data: bytes) -> int:
    in_memory(data).save(tmp_path / "reference")
    return os.stat(tmp_path / "reference").st_mode


def test_save_over_an_existing_file_overwrites_it_in_place(tmp_path, spilled):
    # As the copy always did: the existing file is truncated and rewritten (its inode, mode and other
    # names kept; a symlink followed), for a spilled upload and a memory-held one alike.
    data = os.urandom(25_000)
    for name, upload in (("spilled", spilled(data)), ("memory", in_memory(data))):
        target, alias, link = tmp_path / f"{name}.bin", tmp_path / f"{name}.alias", tmp_path / f"{name}.link"
        target.write_bytes(b"old content that is longer than nothing")
        os.chmod(target, 0o600)
        os.link(target, alias)
        os.symlink(target, link)
        before = os.stat(target).st_ino
        assert upload.save(link) == len(data)
        assert os.path.islink(link) and os.stat(target).st_ino == before
        assert target.read_bytes() == alias.read_bytes() == data
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        assert upload.content == data


def test_saving_twice_gives_two_files(tmp_path, spilled):
    data = os.urandom(60_000)
    upload = spilled(data)
    upload.save(tmp_path / "one")
    upload.save(tmp_path / "two")
    one, two = os.stat(tmp_path / "one"), os.stat(tmp_path / "two")
    assert one.st_ino == inode(upload) != two.st_ino  # the first is the upload's file, the second a copy
    assert one.st_nlink == two.st_nlink == 1 and stat.S_IMODE(one.st_mode) == stat.S_IMODE(two.st_mode)
    with open(tmp_path / "two", "r+b") as second:
        second.write(b"CHANGED")
    assert (tmp_path / "one").read_bytes() == upload.content == data  # the copy is independent
    # The first save IS the upload's file (docs/forms.md): changing it while the upload is open
    # changes what the upload reads.
    with open(tmp_path / "one", "r+b") as first:
        first.write(b"CHANGED")
    assert upload.content == b"CHANGED" + data[7:]
    os.remove(tmp_path / "one")
    assert upload.content == b"CHANGED" + data[7:]  # removing the name leaves the upload readable
    upload.save(tmp_path / "three")  # a file once named is copied from then on
    assert os.stat(tmp_path / "three").st_ino != inode(upload)


def test_concurrent_saves_link_at_most_once(tmp_path, spilled):
    data = os.urandom(200_000)
    upload = spilled(data)

    async def both():
        return await asyncio.gather(*(upload.asave(tmp_path / f"c{i}") for i in range(4)))

    assert asyncio.run(both()) == [len(data)] * 4
    inodes = [os.stat(tmp_path / f"c{i}").st_ino for i in range(4)]
    assert len(set(inodes)) == 4 and inodes.count(inode(upload)) == 1
    assert all((tmp_path / f"c{i}").read_bytes() == data for i in range(4))


def test_writing_after_a_linked_save_leaves_the_saved_file(tmp_path, spilled):
    upload = spilled(b"0123456789abcdefghij")
    upload.save(tmp_path / "saved")
    linked = inode(upload)
    upload._write(b"-more")
    assert (tmp_path / "saved").read_bytes() == b"0123456789abcdefghij"
    assert upload.content == b"0123456789abcdefghij-more" and upload.size == 25
    assert inode(upload) != linked and os.fstat(upload.file.fileno()).st_nlink == 0
    upload.save(tmp_path / "again")  # its new temporary file is unnamed: linked again
    assert os.stat(tmp_path / "again").st_ino == inode(upload)
    assert (tmp_path / "again").read_bytes() == b"0123456789abcdefghij-more"


def test_memory_held_uploads_are_written(tmp_path):
    upload = in_memory(b"small")
    assert upload._disk is None
    assert upload.save(tmp_path / "s") == 5 and (tmp_path / "s").read_bytes() == b"small"
    assert upload.save(tmp_path / "s") == 5 and (tmp_path / "s").read_bytes() == b"small"


def test_save_of_a_closed_upload_raises(tmp_path, spilled):
    upload = spilled(b"x" * 100)
    upload.close()
    with pytest.raises(ValueError):
        upload.save(tmp_path / "x")
    assert not (tmp_path / "x").exists()
