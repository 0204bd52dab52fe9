"""The wires' `send` for a whole body (native: rust/py's answer.rs): the
headers and messages each interface gets, for every kind of answer."""

from __future__ import annotations

from typing import Any

import pytest

from heaven._serving.asgi import WIRE as ASGI
from heaven._serving.rsgi import WIRE as RSGI


class Proto:
    """Records the one call the RSGI wire makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def response_str(self, status: int, headers: list[tuple[str, str]], body: str) -> None:
        self.calls.append(("str", status, headers, body))

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.calls.append(("bytes", status, headers, body))

    def response_empty(self, status: int, headers: list[tuple[str, str]]) -> None:
        self.calls.append(("empty", status, headers))


def asgi(status: int, headers: list[Any], payload: bytes | str, content_type: bytes | None, head_only: bool = False):
    send = object()
    post, start, body = ASGI.send((None, send, {}), status, headers, payload, content_type, head_only)
    assert post is send
    assert start["type"] == "http.response.start" and body["type"] == "http.response.body"
    assert start["headers"] is headers  # appended to, not copied
    return start["status"], start["headers"], body["body"]


def rsgi(status: int, headers: list[Any], payload: bytes | str, content_type: bytes | None, head_only: bool = False):
    proto = Proto()
    assert RSGI.send(proto, status, headers, payload, content_type, head_only) == ()
    (call,) = proto.calls
    return call


def test_asgi_adds_the_type_and_length():
    assert asgi(200, [], "héllo", b"text/plain; charset=utf-8") == (
        200, [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"6")], "héllo".encode()
    )  # fmt: skip
    assert asgi(201, [(b"x-a", b"1")], b"\x00" * 5000, None) == (
        201, [(b"x-a", b"1"), (b"content-length", b"5000")], b"\x00" * 5000
    )  # fmt: skip


def test_asgi_head_keeps_the_length_and_drops_the_body():
    assert asgi(200, [], b"abc", None, head_only=True) == (200, [(b"content-length", b"3")], b"")


@pytest.mark.parametrize("status", [204, 304])
@pytest.mark.parametrize("head_only", [False, True])
def test_bodyless_statuses_send_no_length_and_no_body(status: int, head_only: bool):
    assert asgi(status, [], "stray", None, head_only) == (status, [], b"")
    assert rsgi(status, [], "stray", None, head_only) == ("empty", status, [])


def test_rsgi_sends_str_and_bytes_as_given():
    # No header but a Content-Type heaven sets: that type's header list, made
    # once, as a tuple (granian reads any sequence of pairs; nobody can change it).
    assert rsgi(200, [], "héllo", b"text/plain; charset=utf-8") == (
        "str", 200, (("content-type", "text/plain; charset=utf-8"),), "héllo"
    )  # fmt: skip
    assert rsgi(200, [], b"{}", b"application/json")[2] is rsgi(201, [], b"[]", b"application/json")[2]
    # Another type, or a header of the handler's: a list of its own.
    assert rsgi(200, [], b"x", b"text/csv")[2] == [("content-type", "text/csv")]
    assert rsgi(200, [(b"x-a", b"1")], b"raw", b"application/octet-stream") == (
        "bytes", 200, [("x-a", "1"), ("content-type", "application/octet-stream")], b"raw"
    )  # fmt: skip


def test_rsgi_head_says_the_length_of_what_a_get_would_send():
    assert rsgi(200, [], "héllo", None, head_only=True) == ("empty", 200, [("content-length", "6")])


def test_rsgi_header_values_are_utf8_else_latin1():
    """granian writes a str as UTF-8: UTF-8 values reach the wire as they
    would on ASGI; a latin-1 byte is kept as that character."""
    headers = [(b"x-utf8", "café".encode()), (b"x-latin", "café".encode("latin-1")), [b"x-list", b"ok"]]
    assert rsgi(200, headers, b"", None)[2] == [("x-utf8", "café"), ("x-latin", "café"), ("x-list", "ok")]


def test_a_body_that_cannot_be_utf8_raises_on_both():
    with pytest.raises(UnicodeEncodeError):
        asgi(200, [], "\ud800", None)
    with pytest.raises(UnicodeEncodeError):
        rsgi(200, [], "\ud800", None, head_only=True)


def test_a_malformed_header_pair_is_refused():
    with pytest.raises(ValueError, match="pair"):
        rsgi(200, [(b"only-a-name",)], b"", None)


def test_asgi_messages_are_fresh_each_time():
    """A server may keep or change a message: no two answers share one."""
    send = object()
    one = ASGI.send((None, send, {}), 200, [], b"", None, False)
    two = ASGI.send((None, send, {}), 200, [], b"x" * 10, None, False)
    assert one[1] is not two[1] and one[2] is not two[2]
    one[1]["status"] = 599
    assert (one[1]["headers"], one[2]["body"]) == ([(b"content-length", b"0")], b"")
    assert (two[1]["status"], two[1]["headers"], two[2]["body"]) == (200, [(b"content-length", b"10")], b"x" * 10)
