"""`app.url_for`: a path from a route name or pattern and its parameters.
Every value is formatted, checked against its parameter's type with the
same rules the router matches with, and percent-quoted."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote, urlencode

from .. import _core


def _text(name: str, kind: str, value: Any) -> str:
    """The URL text of one value, or ValueError when it cannot be a `kind`."""
    if kind == "bool" and isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, bool):
        text = ""  # True is not an int (nor a str) in a URL
    elif kind == "datetime" and isinstance(value, dt.datetime):
        text = value.isoformat()
    elif kind == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        text = value.isoformat()
    elif kind == "uuid" and isinstance(value, uuid.UUID):
        text = str(value)
    elif kind == "float" and isinstance(value, (int, float)):
        text = repr(float(value))
    elif isinstance(value, (str, int)) and kind in ("str", "int", "float", "bool", "date", "datetime", "uuid"):
        text = str(value)
    else:
        text = ""
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            raise ValueError(f"url_for: {name}={value!r} is not valid Unicode text") from None
    if not text or not _core.accepts(kind, text):
        raise ValueError(f"url_for: {name}={value!r} does not fit the parameter type {kind}")
    return text


def _segment(name: str, text: str) -> str:
    """One quoted path segment, or ValueError for a value the router (or the
    client, which collapses dot segments) would not hand back unchanged."""
    if "\0" in text:
        raise ValueError(f"url_for: {name}={text!r} contains NUL, which no request path may carry")
    if text in (".", ".."):
        raise ValueError(f"url_for: {name}={text!r} is a dot segment, which clients remove from paths")
    return quote(text, safe="")


def build(pattern: str, params: dict[str, Any]) -> str:
    segments, hints, _ = _core.pattern_parts(pattern)
    params = dict(params)
    parts: list[str] = []
    for segment in segments:
        if segment[0] == "literal":
            parts.append(quote(segment[1], safe=""))
        elif segment[0] == "param":
            _, name, kind = segment
            if name not in params:
                raise ValueError(f"url_for {pattern!r}: missing parameter {name!r}")
            parts.append(_segment(name, _text(name, kind, params.pop(name))))
        else:
            if "*" not in params:
                raise ValueError(f"url_for {pattern!r}: missing the wildcard value (pass **{{'*': 'a/b'}})")
            rest = str(params.pop("*")).strip("/")
            if not rest:
                raise ValueError(f"url_for {pattern!r}: the wildcard needs at least one segment")
            parts.append("/".join(_segment("*", _text("*", "str", piece)) for piece in rest.split("/") if piece))
    path = "/" + "/".join(parts)
    if not params:
        return path
    hinted = dict(hints)
    query = []
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            kind = hinted.get(name, "str")
            query.append((name, _text(name, kind, item) if name in hinted else str(item)))
    return f"{path}?{urlencode(query)}"
