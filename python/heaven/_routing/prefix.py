"""Path prefixes (`mount(prefix=)`, `app.group`, controllers): checked once
and joined to patterns at registration, so a prefixed route is an ordinary
route by the time a request arrives."""

from __future__ import annotations

from .. import _core


def checked(prefix: str | None, where: str) -> str:
    """`prefix` in one spelling: '' (none) or '/a/b' with no trailing slash.
    Parameters are allowed (`/orgs/:org`); a wildcard or query hints are not."""
    if prefix is None or prefix in ("", "/"):
        return ""
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ValueError(f"{where}: prefix must be a path starting with '/', got {prefix!r}")
    prefix = prefix.rstrip("/")
    if "?" in prefix or "*" in prefix:
        raise ValueError(f"{where}: prefix {prefix!r} cannot hold a wildcard or query hints")
    _core.pattern_parts(prefix)  # a malformed prefix raises here, naming itself
    return prefix


def join(prefix: str, pattern: str) -> str:
    """`prefix` + `pattern`, where the pattern `/` is the prefix itself and
    query hints (`?page:int`) stay at the end."""
    if not prefix or not isinstance(pattern, str):
        return pattern
    path, mark, hints = pattern.partition("?")
    return (prefix if path in ("", "/") else prefix + path) + mark + hints


def literal(prefix: str, where: str) -> str:
    """A prefix with no parameters (a foreign app's `root_path` is fixed)."""
    segments = _core.pattern_parts(prefix)[0] if prefix else []
    if any(segment[0] != "literal" for segment in segments):
        raise ValueError(f"{where}: the prefix of a mounted ASGI app must be literal, got {prefix!r}")
    return prefix
