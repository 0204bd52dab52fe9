"""Heaven 2.4.3's `heaven.utils`: `Lookup` (dot access over a dict),
`CONVERTERS` (the readers behind typed route segments and query hints) and
`preprocessor` (a scope's subdomain and headers)."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from . import _core
from .context import Look

__all__ = ["CONVERTERS", "Lookup", "boolean", "preprocessor"]

#: Dot access over a dict: `Lookup({'db': {'port': 5432}}).db.port`.
Lookup = Look

#: `:name:type` readers by type name, the ones routes and query hints use
#: (heaven's Rust core; the same readings as Python's `int`, `float`,
#: `date.fromisoformat`, ...). Each raises ValueError on what it cannot read.
CONVERTERS: dict[str, Callable[[str], Any]] = {
    name: partial(_core.convert, name) for name in ("bool", "date", "datetime", "float", "int", "str", "uuid")
}


def boolean(value: str) -> bool:
    """`true`/`false`/`1`/`0` (any case, surrounding spaces ignored)."""
    answer: bool = _core.convert("bool", value)
    return answer


def preprocessor(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`(subdomain, headers)` of an ASGI scope: the subdomain its `Host`
    asks for and its headers as a dict (a repeated header as a list)."""
    headers: dict[str, Any] = {}
    for raw_key, raw_value in scope.get("headers") or ():
        key = raw_key.decode("latin-1") if isinstance(raw_key, bytes) else raw_key
        value = raw_value.decode("latin-1") if isinstance(raw_value, bytes) else raw_value
        if key in headers:
            existing = headers[key]
            headers[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            headers[key] = value
    host = headers.get("host")
    if isinstance(host, list):
        host = host[0]
    return (_core.subdomain_of(host) if host else "www"), headers
