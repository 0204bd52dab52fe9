"""Response header names and values, checked before they can reach the wire:
a CR, LF or NUL in either would let a value forge headers of its own, and
servers refuse (granian: a 500 on ASGI, a silently dropped header on RSGI)
any other control character. Every header heaven sends passes `header_value`
(or the printable-ASCII fast path in `Response.header`)."""

from __future__ import annotations

import re
from typing import Any, Iterator

TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: Wire forms of the header names seen so far (`Response.header` reads it first).
NAME_CACHE: dict[str, bytes] = {}
# RFC 9110 field values: visible characters, space, tab and obs-text (0x80-0xFF).
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def header_name(name: str | bytes) -> bytes:
    """The lower-cased wire form of a header name; raises ValueError unless
    it is an HTTP token."""
    cached = NAME_CACHE.get(name) if isinstance(name, str) else None
    if cached is not None:
        return cached
    raw = name.encode("latin-1", "replace") if isinstance(name, str) else bytes(name)
    if not raw or any(b not in TOKEN for b in raw):
        raise ValueError(f"invalid header name {name!r}: use letters, digits and !#$%&'*+-.^_`|~")
    lowered = raw.lower()
    if isinstance(name, str) and len(NAME_CACHE) < 512:
        NAME_CACHE[name] = lowered
    return lowered


def header_value(name: str | bytes, value: Any) -> bytes:
    """The wire form of a value: lists join with ', '; str is latin-1.
    Raises ValueError, naming the header, for a control character (CR, LF,
    NUL, any other below 0x20 but tab, and DEL)."""
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        try:
            raw = value.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError(
                f"header {name!r}: value {value!r} has characters outside latin-1; percent-encode it"
            ) from None
    else:
        raw = str(value).encode("latin-1")
    bad = _CONTROL.search(raw)
    if bad is not None:
        raise ValueError(
            f"header {_shown(name)!r}: value {raw!r} contains the control character {bad.group()!r} and was refused"
        )
    return raw


def _shown(name: str | bytes) -> str:
    return name.decode("latin-1") if isinstance(name, bytes) else name


def text_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """Wire pairs as the str pairs RSGI takes. granian writes a str as UTF-8,
    so a value is decoded as UTF-8 (the same bytes reach the wire as on
    ASGI); only a value that is not UTF-8 (a lone latin-1 byte) falls back
    to latin-1, which granian then re-encodes. Names are ASCII tokens."""
    try:
        return [(name.decode(), value.decode()) for name, value in headers]
    except UnicodeDecodeError:
        return [(name.decode(), _text(value)) for name, value in headers]


def _text(value: bytes) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")


class HeaderView:
    """Read access to the headers a response will send (case-insensitive)."""

    __slots__ = ("_items",)

    def __init__(self, items: list[tuple[bytes, bytes]]) -> None:
        self._items = items

    def get(self, name: str, default: str | None = None) -> str | None:
        key = header_name(name)
        for k, v in self._items:
            if k == key:
                return v.decode("latin-1")
        return default

    def getlist(self, name: str) -> list[str]:
        key = header_name(name)
        return [v.decode("latin-1") for k, v in self._items if k == key]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def items(self) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self._items]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k.decode("latin-1") for k, _ in self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"HeaderView({self.items()!r})"
