"""A redirect's `Location`, made safe to send: a header value must be
ASCII without control characters, but users write paths in their own
script (`/日本`) and with spaces. What URLs allow as they are stays as it
is, so a location that is already encoded is sent unchanged."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

# RFC 3986 unreserved and reserved characters: sent as they are.
_KEPT = "-._~:/?#[]@!$&'()*+,;="
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_AS_IS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*")


def quote_location(location: str) -> str:
    """`location` with everything a URL may not hold percent-encoded as
    UTF-8 (`%XX` escapes already there are kept; a `%` that starts none
    becomes `%25`) and a non-ASCII host in its IDNA form. Raises
    ValueError for a control character (CR, LF, NUL, TAB...)."""
    if not isinstance(location, str):
        raise TypeError(f"res.redirect needs a str location, got {type(location).__name__}")
    bad = _CONTROL.search(location)
    if bad is not None:
        raise ValueError(
            f"header 'Location': res.redirect({location!r}) contains the control character {bad.group()!r} and was refused"
        )
    if _AS_IS.fullmatch(location):
        return location
    parts = urlsplit(location)
    netloc = parts.netloc
    if netloc and not netloc.isascii():
        netloc = _idna_netloc(netloc)
    escaped = [_quote(part) for part in (parts.path, parts.query, parts.fragment)]
    return urlunsplit((parts.scheme, netloc, escaped[0], escaped[1], escaped[2]))


def _quote(part: str) -> str:
    return quote(_STRAY_PERCENT.sub("%25", part), safe=_KEPT + "%")


def _idna_netloc(netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"res.redirect: the host {host!r} cannot be encoded: {exc}") from None
    return f"{_quote(userinfo)}{at}{host}{colon}{port}"
