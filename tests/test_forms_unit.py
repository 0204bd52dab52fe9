"""`heaven.forms` without a server: `parse_urlencoded`, `parse_content_type`,
the `Form` multi-map, and `File` handles read from several threads."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

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
