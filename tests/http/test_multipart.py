"""The incremental multipart parser without a server: any chunking,
spilling to disk, bounded memory, limits, malformed framing, no leaked
temp files (`heaven.forms`' own helpers are in tests/test_forms_unit.py)."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import random
import tempfile
import tracemalloc

import pytest

from heaven._http.multipart import MultipartParser
from heaven.errors import BadRequest, FormError, PayloadTooLarge
from heaven.forms import File, Form

B = b"b0undary-x"
DELIMITER = b"\r\n--" + B
HAS_PROC_FD = os.path.isdir("/proc/self/fd")


def part(disposition: str, data: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in (f"Content-Disposition: {disposition}", *headers))
    return b"--" + B + b"\r\n" + head.encode() + b"\r\n" + data + b"\r\n"


def body(*parts: bytes, preamble: bytes = b"", epilogue: bytes = b"\r\n") -> bytes:
    return preamble + b"".join(parts) + b"--" + B + b"--" + epilogue


def parse(raw: bytes, chunks: list[bytes] | None = None, **limits) -> Form:
    parser = MultipartParser(B, **limits)
    for chunk in chunks if chunks is not None else [raw]:
        parser.feed(chunk)
    return parser.close()


def snapshot(form: Form) -> list:
    """The form as plain data, then closed."""
    out = [
        (name, value if isinstance(value, str) else (value.filename, value.content_type, value.headers, value.size, value.content))
        for name, value in form.multi_items()
    ]
    form.close()
    return out


def open_fds() -> int:
    gc.collect()  # garbage left by earlier tests must not count
    return len(os.listdir("/proc/self/fd"))


# Data that contains pieces of the delimiter, a CR just before it, and binary bytes.
TRICKY = b"line\r\n--b0undary-\r\n--b0undar\r\r\n--b0undaryX\r\n-" + bytes(range(256)) * 3 + b"\r\n--b0undar"
REFERENCE = body(
    part('form-data; name="title"', "Grüße".encode()),
    part('form-data; name="doc"; filename="a.bin"', TRICKY, "Content-Type: application/octet-stream"),
    part('form-data; name="empty"', b""),
    part('form-data; name="title"', b"second\r"),
    part('form-data; name="up"; filename="r.txt"', b"\r\n", "Content-Type: text/plain", "X-Extra:  kept "),
    preamble=b"This is the preamble.\r\n--b0undary-y is not it\r\n",
    epilogue=b"\r\nepilogue --b0undary-x garbage",
)
EXPECTED = [
    ("title", "Grüße"),
    ("doc", ("a.bin", "application/octet-stream", {"content-disposition": 'form-data; name="doc"; filename="a.bin"', "content-type": "application/octet-stream"}, len(TRICKY), TRICKY)),
    ("empty", ""),
    ("title", "second\r"),
    ("up", ("r.txt", "text/plain", {"content-disposition": 'form-data; name="up"; filename="r.txt"', "content-type": "text/plain", "x-extra": "kept"}, 2, b"\r\n")),
]


# -- any chunking gives the same form -----------------------------------------


@pytest.mark.parametrize("threshold", [1 << 20, 16])
def test_every_split_into_two_chunks(threshold):
    assert snapshot(parse(REFERENCE, spill_threshold=threshold)) == EXPECTED
    for cut in range(len(REFERENCE) + 1):
        chunks = [REFERENCE[:cut], REFERENCE[cut:]]
        assert snapshot(parse(REFERENCE, chunks, spill_threshold=threshold)) == EXPECTED, cut


@pytest.mark.parametrize("threshold", [1 << 20, 0])
def test_one_byte_chunks(threshold):
    chunks = [REFERENCE[i : i + 1] for i in range(len(REFERENCE))]
    assert snapshot(parse(REFERENCE, chunks, spill_threshold=threshold)) == EXPECTED


def test_random_chunkings():
    rng = random.Random(7578)
    for _ in range(300):
        cuts = sorted(rng.sample(range(len(REFERENCE) + 1), rng.randint(1, 40)))
        chunks = [REFERENCE[a:b] for a, b in zip([0, *cuts], [*cuts, len(REFERENCE)])]
        assert snapshot(parse(REFERENCE, chunks, spill_threshold=rng.choice([0, 64, 1 << 20]))) == EXPECTED, cuts


@pytest.mark.parametrize(
    "data",
    [
        b"\r",
        b"\r\n",
        b"\r\n-",
        b"\r\n--",
        b"\r\n--b0undary-",
        b"\r\n--b0undary-\r\n",
        b"x\r\n--b0undary-y",
        b"--b0undary-x at the start of a line is data: no CRLF before it",
        b"\r\n--b0undar" * 50,
        b"\r" * 40,
    ],
)
def test_delimiter_fragments_in_data_are_data(data):
    raw = body(part('form-data; name="f"; filename="x"', data), part('form-data; name="t"', data))
    for size in (1, 3, len(DELIMITER) - 1, len(DELIMITER), len(raw)):
        chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
        form = parse(raw, chunks)
        assert form["f"].content == data
        assert form["t"] == data.decode()
        form.close()


def test_only_a_delimiter_length_is_kept_between_feeds():
    parser = MultipartParser(B)
    parser.feed(b"--" + B + b'\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n')
    for tail in (b"abc", b"\r\n--b0undar", b"y" * 100_000, b"\r\n--b0undary-"):
        parser.feed(tail)
        assert len(parser._buffer) < len(DELIMITER)
    parser.feed(b"y\r\n--" + B + b"--")
    assert parser.close()["f"].content == b"abc\r\n--b0undar" + b"y" * 100_000 + b"\r\n--b0undary-y"


# -- framing details and decisions ----------------------------------------------


def test_empty_form_and_first_boundary_without_preamble():
    assert len(parse(b"--" + B + b"--")) == 0
    assert len(parse(b"--" + B + b"--\r\n")) == 0


def test_transport_padding_after_boundaries():
    raw = b"--" + B + b" \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--" + B + b"--  \r\n"
    assert snapshot(parse(raw)) == [("a", "1")]


def test_empty_filename_is_an_empty_file():
    raw = body(part('form-data; name="avatar"; filename=""', b"", "Content-Type: application/octet-stream"))
    form = parse(raw)
    avatar = form["avatar"]
    assert isinstance(avatar, File) and avatar.filename == "" and avatar.size == 0 and avatar.content == b""
    assert "avatar" in form.files and "avatar" not in form.fields
    form.close()


def test_file_without_content_type_has_none():
    """The part declares no type: `content_type` is None (Heaven 2.4.3)."""
    form = parse(body(part('form-data; name="f"; filename="a"', b"1")))
    assert form["f"].content_type is None
    form.close()


def test_filenames_quoted_escaped_extended_and_unicode():
    raw = body(
        part(r'form-data; name="q"; filename="say \"hi\".txt"', b""),
        part(r'form-data; name="win"; filename="C:\Users\me\a.txt"', b""),
        part("form-data; name=ext; filename=plain.txt; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt", b""),
        part('form-data; name="raw"; filename="résumé.pdf"', b""),
        part('form-data; name="semi;colon"', b"v"),
    )
    form = parse(raw)
    assert [f.filename for f in form.files.values()] == ['say "hi".txt', r"C:\Users\me\a.txt", "naïve €.txt", "résumé.pdf"]
    assert form["semi;colon"] == "v"
    form.close()


def test_text_field_charsets():
    latin = body(part('form-data; name="a"', "café".encode("latin-1"), "Content-Type: text/plain; charset=ISO-8859-1"))
    assert snapshot(parse(latin)) == [("a", "café")]
    # `_charset_` (the HTML form convention) sets the default, wherever it comes
    # in the body; a part's own charset parameter still wins.
    honoured = body(
        part('form-data; name="a"', "café".encode("cp1252")),
        part('form-data; name="b"', "é".encode(), "Content-Type: text/plain; charset=utf-8"),
        part('form-data; name="_charset_"', b"windows-1252"),
    )
    assert snapshot(parse(honoured)) == [("a", "café"), ("b", "é"), ("_charset_", "windows-1252")]
    assert snapshot(parse(body(part('form-data; name="_charset_"', b"")))) == [("_charset_", "")]
    assert snapshot(parse(body(part('form-data; name="a"', "é".encode("latin-1"))), charset="latin-1")) == [("a", "é")]


def test_headers_are_case_insensitive_and_folded_lines_joined():
    raw = b"--" + B + b'\r\ncontent-DISPOSITION: form-data;\r\n name="x"; filename="f"\r\nCONTENT-TYPE: image/png\r\n\r\nPNG\r\n--' + B + b"--"
    form = parse(raw)
    assert form["x"].content_type == "image/png" and form["x"].headers["content-type"] == "image/png"
    form.close()


def test_parser_refuses_use_after_failure_and_close_is_idempotent():
    parser = MultipartParser(B)
    with pytest.raises(FormError):
        parser.feed(b"--" + B + b"X")
    with pytest.raises(FormError):
        parser.feed(b"more")
    with pytest.raises(FormError):
        parser.close()
    parser = MultipartParser(B)
    parser.feed(body(part('form-data; name="f"; filename="f"', b"1")))
    form = parser.close()
    assert parser.close() is form
    parser.abort()  # too late: the form owns its files now
    assert form["f"].content == b"1"
    form.close()


# -- spilling and the File API ----------------------------------------------------


def test_small_file_in_memory_large_file_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    small, large = b"s" * 100, os.urandom(300_000)
    form = parse(
        body(part('form-data; name="s"; filename="s"', small), part('form-data; name="l"; filename="l"', large)),
        spill_threshold=100,
    )
    s, big = form["s"], form["l"]
    with pytest.raises(io.UnsupportedOperation):
        s.file.fileno()  # in memory: no descriptor
    fd = big.file.fileno()
    assert os.fstat(fd).st_size == len(large) == big.size
    if HAS_PROC_FD:  # an anonymous file in the temp dir, already unlinked
        assert os.readlink(f"/proc/self/fd/{fd}").startswith(str(tmp_path))
    for f, data in ((s, small), (big, large)):
        assert f.content == data
        handle, other = f.file, f.file  # each access is a new handle at the start
        assert handle.read(10) == data[:10] and other.read(20) == data[:20]
        assert handle.read() == data[10:] and handle.tell() == len(data)
        assert handle.seek(-5, io.SEEK_END) == len(data) - 5 and handle.read() == data[-5:]
        with f.file as closed_by_with:
            assert closed_by_with.read() == data
        assert closed_by_with.closed and not handle.closed
        assert f.save(tmp_path / f"saved-{f.filename}") == len(data)
        assert (tmp_path / f"saved-{f.filename}").read_bytes() == data
        assert asyncio.run(f.asave(tmp_path / f"async-{f.filename}")) == len(data)
        assert (tmp_path / f"async-{f.filename}").read_bytes() == data
        assert f.content == data  # still readable after saving
    form.close()
    assert s.content_type is None  # the part declared no type
    for f in (s, big):
        with pytest.raises(ValueError):
            f.content
    form.close()  # closing twice is harmless


def test_memory_stays_bounded_for_a_large_upload(tmp_path):
    chunk = b"x" * 65536
    count = 800  # 50 MiB
    head = b"--" + B + b'\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n\r\n'
    tracemalloc.start()
    try:
        parser = MultipartParser(B)
        parser.feed(head)
        for _ in range(count):
            parser.feed(chunk)
        parser.feed(b"\r\n--" + B + b"--\r\n")
        form = parser.close()
        parse_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        written = form["f"].save(tmp_path / "big")
        save_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert form["f"].size == written == count * len(chunk) == os.path.getsize(tmp_path / "big")
    assert parse_peak < 5 << 20, parse_peak
    assert save_peak < 5 << 20, save_peak
    form.close()


# -- limits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, limits, error",
    [
        (body(part('form-data; name="f"; filename="f"', b"x" * 101)), {"max_part_size": 100}, PayloadTooLarge),
        (body(part('form-data; name="t"', b"x" * 101)), {"max_part_size": 100}, PayloadTooLarge),
        (body(part('form-data; name="t"', b"x" * 11)), {"max_field_size": 10}, PayloadTooLarge),
        (body(part('form-data; name="t"', b"x" * 50)), {"max_total": 60}, PayloadTooLarge),
        (body(*[part(f'form-data; name="n{i}"', b"") for i in range(4)]), {"max_parts": 3}, FormError),
        (body(part('form-data; name="t"', b"", "X-Big: " + "y" * 200)), {"max_header_size": 100}, FormError),
    ],
)
def test_limits(raw, limits, error):
    at_limit = {"max_part_size": 101, "max_field_size": 11, "max_total": len(raw), "max_parts": 4, "max_header_size": 300}
    snapshot(parse(raw, **{k: at_limit[k] for k in limits}))  # exactly at the limit is fine
    for size in (1, 7, len(raw)):
        with pytest.raises(error):
            parse(raw, [raw[i : i + size] for i in range(0, len(raw), size)], **limits)


def test_file_part_is_not_held_by_max_field_size():
    form = parse(body(part('form-data; name="f"; filename="f"', b"x" * 100)), max_field_size=10)
    assert form["f"].size == 100
    form.close()


# -- malformed bodies -------------------------------------------------------------

GOOD = part('form-data; name="a"', b"1")
MALFORMED = {
    "no boundary at all": b"just some text",
    "preamble only": b"preamble\r\n--b0undary-",
    "no closing boundary": GOOD,
    "ends inside part data": GOOD + b"--" + B + b'\r\nContent-Disposition: form-data; name="b"\r\n\r\nhalf',
    "ends inside headers": b"--" + B + b'\r\nContent-Disposition: form-data; name="b"',
    "ends after the boundary": b"--" + B,
    "ends mid boundary line": b"--" + B + b"\r",
    "garbled boundary line": b"--" + B + b"X\r\n" + GOOD[len(B) + 4 :],
    "single dash after boundary": b"--" + B + b"-\r\n",
    "bare LF after boundary": b"--" + B + b'\nContent-Disposition: form-data; name="a"\n\n1\n--' + B + b"--\n",
    "bare LF in headers": b"--" + B + b'\r\nContent-Disposition: form-data; name="a"\nX: y\r\n\r\n1\r\n--' + B + b"--",
    "no headers": b"--" + B + b"\r\n\r\ndata\r\n--" + B + b"--",
    "no Content-Disposition": body(part('form-data; name="a"', b"1").replace(b"Content-Disposition", b"Content-Type")),
    "not form-data": body(part('attachment; name="a"', b"1")),
    "no name": body(part('form-data; filename="a"', b"1")),
    "header line without colon": body(part('form-data; name="a"', b"1", "garbage")),
    "no blank line after headers": b"--" + B + b'\r\nContent-Disposition: form-data; name="a"\r\n' + body(GOOD),
    "no blank line, body ends": b"--" + B + b'\r\nContent-Disposition: form-data; name="a"\r\n--' + B + b"--\r\n",
    "non-UTF-8 text field": body(part('form-data; name="a"', b"\xff\xfe")),
    "bad part charset": body(part('form-data; name="a"', b"1", "Content-Type: text/plain; charset=nope")),
    "unknown _charset_": body(part('form-data; name="_charset_"', b"klingon")),
    "non-text _charset_": body(part('form-data; name="_charset_"', b"base64")),
    "malformed filename*": body(part("form-data; name=a; filename*=no-quotes", b"")),
    "undecodable filename*": body(part("form-data; name=a; filename*=utf-8''%FF", b"")),
}


def test_an_empty_multipart_body_is_an_empty_form():
    """Heaven 2.4.3 (its changelog): an empty body with a multipart content
    type parses as an empty form."""
    assert len(parse(b"")) == 0


@pytest.mark.parametrize("raw", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_bodies_are_form_errors(raw):
    with pytest.raises(FormError) as info:
        parse(raw)
    assert isinstance(info.value, BadRequest) and info.value.status == 400
    assert info.value.message.startswith("Bad Request: ")
    if raw:
        with pytest.raises(FormError):
            parse(raw, [raw[i : i + 1] for i in range(len(raw))])


@pytest.mark.parametrize("boundary", [b"", b"x" * 71, b"ends with space ", b"semi;colon", b"quote\"", b"nul\x00", "é".encode()])
def test_invalid_boundaries(boundary):
    with pytest.raises(FormError):
        MultipartParser(boundary)


@pytest.mark.parametrize("boundary", [b"x", b"x" * 70, b"----WebKitFormBoundary7MA4YWxkTrZu0gW", b"a b'()+_,-./:=?z"])
def test_valid_boundaries(boundary):
    raw = b"--" + boundary + b'\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--' + boundary + b"--"
    parser = MultipartParser(boundary)
    parser.feed(raw)
    assert parser.close()["a"] == "1"


# -- temporary files never leak ---------------------------------------------------

SPILLED = part('form-data; name="f"; filename="f"', b"z" * 5000)
FAILURES = [
    (SPILLED, {}),  # no closing boundary
    (SPILLED + b"--" + B + b"X", {}),
    (SPILLED + part('form-data; name="g"; filename="g"', b"z" * 5000), {"max_part_size": 4999}),
    (body(SPILLED, SPILLED), {"max_total": 7000}),
    (body(SPILLED, SPILLED, SPILLED), {"max_parts": 2}),
    (body(SPILLED, part('form-data; name="t"', b"\xff")), {}),
]


@pytest.mark.skipif(not HAS_PROC_FD, reason="needs /proc/self/fd")
def test_no_temp_file_left_after_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = open_fds()
    for raw, limits in FAILURES:
        with pytest.raises((FormError, PayloadTooLarge)):
            parse(raw, [raw[i : i + 1000] for i in range(0, len(raw), 1000)], spill_threshold=100, **limits)
        assert open_fds() == before
    parser = MultipartParser(B, spill_threshold=100)
    parser.feed(SPILLED)
    assert open_fds() == before + 1
    parser.abort()  # what the caller does when the body stops arriving (a disconnect)
    assert open_fds() == before
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not HAS_PROC_FD, reason="needs /proc/self/fd")
def test_fd_count_stable_over_many_parses():
    raw = body(SPILLED, SPILLED, part('form-data; name="t"', b"v"))
    before = open_fds()
    for i in range(200):
        form = parse(raw, spill_threshold=100)
        assert [f.content for f in form.getlist("f")] == [b"z" * 5000] * 2
        if i % 2:
            form.close()
        else:
            del form  # dropping the form deletes the temporary files too
    assert open_fds() == before
