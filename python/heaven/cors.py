"""CORS (docs/cors.md): which other origins a browser may let read our responses.

`CorsPolicy` checks its whole configuration once, up front, and prebuilds the
header lists it answers with, because it runs on every request of an app that
uses it: per request it does a header lookup or two and a set lookup.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Protocol

from ._http.headers import TOKEN, header_value

Headers = list[tuple[bytes, bytes]]

# Request headers browsers may send cross-origin without asking; allowed always
# (as Starlette does), so a JSON client works with `headers=['X-Token']`.
_SAFELISTED_HEADERS = ("accept", "accept-language", "content-language", "content-type")
_DEFAULT_PORTS = {"http": "80", "https": "443"}

_ALLOW_ORIGIN = b"access-control-allow-origin"
_ALLOW_METHODS = b"access-control-allow-methods"
_ALLOW_HEADERS = b"access-control-allow-headers"
_ALLOW_CREDENTIALS = b"access-control-allow-credentials"
_EXPOSE_HEADERS = b"access-control-expose-headers"
_MAX_AGE = b"access-control-max-age"
_VARY = b"vary"

# A DNS label: letters, digits and inner hyphens (IDNs must be given as xn--).
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_ORIGIN = re.compile(
    rf"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<wild>\*\.)?"
    rf"(?P<host>{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{{1,5}}))?"
)


class HeaderLookup(Protocol):
    """The request's header multi-map: a case-insensitive `get`."""

    def get(self, name: str, default: Any = None) -> Any: ...


# -- option names -------------------------------------------------------------

OPTION_NAMES = ("origin", "methods", "headers", "expose_headers", "credentials", "max_age")
_DEFAULTS: dict[str, Any] = {
    "origin": "*", "methods": "*", "headers": "*",
    "expose_headers": None, "credentials": False, "max_age": None,
}


def _spellings() -> dict[str, str]:
    """Every accepted spelling, squashed (lower case, no `_`/`-`), to its option."""
    table: dict[str, str] = {}
    for option, word in (("origin", "origin"), ("methods", "method"), ("headers", "header"),
                         ("credentials", "credential")):
        for prefix in ("", "allow", "allowed"):
            for suffix in ("", "s"):
                table[prefix + word + suffix] = option
    for word in ("expose", "exposed"):
        for suffix in ("", "header", "headers"):
            table[word + suffix] = "expose_headers"
    table["maxage"] = "max_age"
    return table


_SPELLINGS = _spellings()


def _canonical(name: str) -> str | None:
    """`allow_origins`, `allowedOrigins`, `access_control_max_age`... -> the option."""
    squashed = name.replace("_", "").replace("-", "").lower()
    if squashed.startswith("accesscontrol"):
        squashed = squashed[len("accesscontrol"):]
    return _SPELLINGS.get(squashed)


def resolve_options(given: dict[str, Any], aliases: dict[str, Any]) -> dict[str, Any]:
    """Merge alias keywords into the canonical ones. An alias overrides a
    canonical option left at its default (so `app.cors(origins=[...])` can pass
    every keyword through); giving one option a value twice is an error."""
    options = dict(given)
    spelled: dict[str, str] = {}
    for name, value in aliases.items():
        option = _canonical(name)
        if option is None:
            hint = " (use an origin pattern such as 'https://*.example.com')" if "regex" in name.lower() else ""
            raise TypeError(
                f"CORS got an unknown option {name!r}{hint}; valid options are {', '.join(OPTION_NAMES)} "
                "(also spelled like origins, allow_origins, allowedMethods, exposeHeaders, maxAge)"
            )
        if option in spelled:
            raise TypeError(f"CORS option {option!r} was given twice, as {spelled[option]!r} and {name!r}")
        if not _is_default(option, options[option]):
            raise TypeError(f"CORS option {option!r} was given twice, as {option!r} and {name!r}")
        spelled[option] = name
        options[option] = value
    return options


def _is_default(option: str, value: Any) -> bool:
    default = _DEFAULTS[option]
    return value is default or (type(value) is type(default) and value == default)


# -- value checks -------------------------------------------------------------


def _no_crlf(text: str, what: str) -> None:
    """The one header-value check, with the CORS option in the message."""
    header_value(f"CORS {what}", text)


def _items(value: Any, what: str) -> list[str]:
    """A comma-separated string or an iterable of strings, split and stripped."""
    if isinstance(value, str):
        parts: Iterable[Any] = [value]
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts = value
    else:
        raise ValueError(f"CORS {what} must be '*', a comma-separated string or a list, got {value!r}")
    items: list[str] = []
    for part in parts:
        if not isinstance(part, str):
            raise ValueError(f"CORS {what} must be strings, got {part!r}")
        _no_crlf(part, what)
        items.extend(p.strip() for p in part.split(",") if p.strip())
    return items


def _tokens(value: Any, what: str) -> list[str] | None:
    """None for '*' (anything), else the names, checked to be HTTP tokens."""
    items = _items(value, what)
    if "*" in items:
        return None
    for item in items:
        if not _is_token(item):
            raise ValueError(f"CORS {what}: {item!r} is not a valid name (letters, digits and !#$%&'*+-.^_`|~)")
    return list(dict.fromkeys(items))


def _is_token(text: str) -> bool:
    return bool(text) and all(ord(c) in TOKEN for c in text)  # TOKEN holds byte values


def parse_origin(text: str) -> tuple[str, bool]:
    """`(normalized origin, is_pattern)`; lower case, default port dropped,
    as browsers serialize the `Origin` header."""
    value = text.strip().lower()
    if value == "null":
        raise ValueError(
            "CORS origin 'null' is refused: sandboxed frames, file:// pages and some redirects "
            "all send it, so allowing it allows all of them"
        )
    match = _ORIGIN.fullmatch(value)
    if match is None:
        head, sep, rest = value.partition("://")
        hint = ""
        if sep and "/" in rest:
            hint = f"; without a path or trailing slash: {head + '://' + rest.split('/')[0]!r}"
        raise ValueError(
            f"CORS origin {text!r} is not scheme://host[:port] (or https://*.domain){hint}; "
            "write internationalized names in their xn-- form"
        )
    scheme, host, port = match["scheme"], match["host"], match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise ValueError(f"CORS origin {text!r} has an invalid port")
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    wild = match["wild"] is not None
    if wild and (host.startswith("[") or (host.count(".") < 1 and host != "localhost")):
        raise ValueError(
            f"CORS origin pattern {text!r} is too broad: '*.' must be followed by a domain of "
            "two or more labels (https://*.example.com) or by localhost"
        )
    return f"{scheme}://{'*.' if wild else ''}{host}{':' + port if port else ''}", wild


def _origins(value: Any) -> tuple[tuple[str, ...], dict[str, bytes], re.Pattern[str] | None] | None:
    """None for any origin; else the normalized origins, the exact ones (to
    their header value) and one compiled pattern for the wildcard ones."""
    items = _items(value, "origin")
    if "*" in items:
        return None
    if not items:
        raise ValueError("CORS origin: no origins given; use '*' for any, or list them")
    normalized = tuple(dict.fromkeys(parse_origin(item) for item in items))
    exact = {origin: origin.encode("latin-1") for origin, wild in normalized if not wild}
    patterns = [
        re.escape(origin.split("*.", 1)[0]) + _LABEL + re.escape("." + origin.split("*.", 1)[1])
        for origin, wild in normalized if wild
    ]
    pattern = re.compile("|".join(patterns)) if patterns else None
    return tuple(origin for origin, _ in normalized), exact, pattern


def _max_age(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value <= 0:
        raise ValueError(f"CORS max_age must be a positive whole number of seconds, got {value!r}")
    return value


def _join(names: Iterable[str]) -> bytes:
    return ", ".join(names).encode("latin-1")


# -- the policy ---------------------------------------------------------------


class CorsPolicy:
    """One app's (or subdomain's) CORS answers: `preflight()` for OPTIONS
    requests, `response_headers()` for the rest."""

    __slots__ = (
        "origins", "methods", "headers", "expose_headers", "credentials", "max_age",
        "_exact", "_pattern", "_methods", "_methods_value", "_headers", "_headers_value",
        "_actual_any", "_actual_tail", "_vary_origin", "_preflight_tail", "_preflight_refused",
    )

    def __init__(
        self,
        origin: Any = "*",
        methods: Any = "*",
        headers: Any = "*",
        expose_headers: Any = None,
        credentials: bool = False,
        max_age: int | None = None,
        **aliases: Any,
    ) -> None:
        opts = resolve_options(
            {"origin": origin, "methods": methods, "headers": headers, "expose_headers": expose_headers,
             "credentials": credentials, "max_age": max_age},
            aliases,
        )
        if not isinstance(opts["credentials"], bool):
            raise ValueError(f"CORS credentials must be True or False, got {opts['credentials']!r}")
        self.credentials: bool = opts["credentials"]
        origins = _origins(opts["origin"])
        if origins is None and self.credentials:
            raise ValueError(
                "CORS credentials=True cannot be used with origin='*': browsers refuse it; "
                "list the origins that may send cookies"
            )
        allowed_methods = _tokens(opts["methods"], "methods")
        allowed_headers = _tokens(opts["headers"], "headers")
        exposed = [] if opts["expose_headers"] is None else _tokens(opts["expose_headers"], "expose_headers")
        if exposed is None and self.credentials:
            raise ValueError(
                "CORS expose_headers='*' exposes nothing on credentialed requests (browsers read it "
                "literally); list the headers to expose"
            )
        self.max_age: int | None = _max_age(opts["max_age"])

        # The normalized configuration, for reading back ('*' means any).
        self.origins: tuple[str, ...] | str = "*"
        self._exact: dict[str, bytes] = {}
        self._pattern: re.Pattern[str] | None = None
        if origins is not None:
            self.origins, self._exact, self._pattern = origins
        self.methods: tuple[str, ...] | str = "*"
        self._methods: frozenset[str] | None = None
        self._methods_value = b""
        if allowed_methods is not None:
            self.methods = tuple(dict.fromkeys(m.upper() for m in allowed_methods))
            self._methods = frozenset(self.methods)
            self._methods_value = _join(self.methods)
        self.headers: tuple[str, ...] | str = "*"
        self._headers: frozenset[str] | None = None
        self._headers_value = b""
        if allowed_headers is not None:
            self.headers = tuple(dict.fromkeys([*(h.lower() for h in allowed_headers), *_SAFELISTED_HEADERS]))
            self._headers = frozenset(self.headers)
            self._headers_value = _join(self.headers)
        self.expose_headers: tuple[str, ...] | str = "*" if exposed is None else tuple(exposed)

        common: Headers = []
        if self.credentials:
            common.append((_ALLOW_CREDENTIALS, b"true"))
        actual = list(common)
        if exposed is None:
            actual.append((_EXPOSE_HEADERS, b"*"))
        elif exposed:
            actual.append((_EXPOSE_HEADERS, _join(exposed)))

        # Actual requests. Any origin: one static answer whether or not Origin
        # was sent, so caches need no Vary. Listed origins: reflected, Vary: Origin.
        self._vary_origin: Headers = [] if origins is None else [(_VARY, b"Origin")]
        self._actual_any: Headers | None = [(_ALLOW_ORIGIN, b"*"), *actual] if origins is None else None
        self._actual_tail: Headers = [*actual, *self._vary_origin]

        # Preflights. Vary names every request header the answer depends on.
        vary = [] if origins is None else ["Origin"]
        if self._methods is not None or self.credentials:
            vary.append("Access-Control-Request-Method")
        vary.append("Access-Control-Request-Headers")
        vary_header = (_VARY, _join(vary))
        tail = [] if self.max_age is None else [(_MAX_AGE, b"%d" % self.max_age)]
        self._preflight_tail: Headers = [*tail, *common, vary_header]
        self._preflight_refused: Headers = [vary_header]

    # -- per request ----------------------------------------------------------

    def _allow_origin(self, origin: str) -> bytes | None:
        """The Access-Control-Allow-Origin value for `origin`, None if refused
        (only called for listed origins)."""
        key = origin.lower()
        value = self._exact.get(key)
        if value is None and self._pattern is not None and self._pattern.fullmatch(key):
            value = key.encode("latin-1")
        return value

    def preflight(self, headers: HeaderLookup) -> tuple[int, Headers] | None:
        """The answer to an OPTIONS request: None when it is not a CORS
        preflight (no Origin or no Access-Control-Request-Method), else
        `(204, headers)` when everything asked for is allowed and
        `(403, [vary])` when anything is not."""
        origin = headers.get("origin")
        method = headers.get("access-control-request-method")
        if origin is None or method is None:
            return None
        refused = 403, list(self._preflight_refused)
        allow_origin: bytes | None
        if self._actual_any is not None:
            allow_origin = b"*"
        else:
            allow_origin = self._allow_origin(origin)
            if allow_origin is None:
                return refused
        method = method.strip()
        if not _is_token(method):
            return refused
        if self._methods is None:
            allow_methods = method.encode("latin-1") if self.credentials else b"*"
        elif method.upper() not in self._methods:
            return refused
        elif method in self._methods:
            allow_methods = self._methods_value
        else:
            # `fetch(..., {method: 'patch'})` asks for "patch", and browsers
            # compare case-sensitively: name it as asked.
            allow_methods = self._methods_value + b", " + method.encode("latin-1")
        answer = [(_ALLOW_ORIGIN, allow_origin), (_ALLOW_METHODS, allow_methods)]
        requested = headers.get("access-control-request-headers")
        names = [n.strip().lower() for n in requested.split(",")] if requested else []
        names = [n for n in names if n]
        if not all(_is_token(n) for n in names):
            return refused
        if self._headers is None:
            # Reflected, never '*': '*' does not cover Authorization, nor
            # anything on credentialed requests.
            if names:
                answer.append((_ALLOW_HEADERS, _join(dict.fromkeys(names))))
        elif all(n in self._headers for n in names):
            answer.append((_ALLOW_HEADERS, self._headers_value))
        else:
            return refused
        answer.extend(self._preflight_tail)
        return 204, answer

    def response_headers(self, headers: HeaderLookup) -> Headers:
        """CORS headers for an actual (non-preflight) response. The list is
        new each time; the caller may keep or extend it."""
        if self._actual_any is not None:
            return list(self._actual_any)
        origin = headers.get("origin")
        if origin is None:
            return list(self._vary_origin)
        allow_origin = self._allow_origin(origin)
        if allow_origin is None:
            return list(self._vary_origin)
        return [(_ALLOW_ORIGIN, allow_origin), *self._actual_tail]

    def __repr__(self) -> str:
        return (
            f"CorsPolicy(origin={self.origins!r}, methods={self.methods!r}, "
            f"headers={self.headers!r}, expose_headers={self.expose_headers!r}, "
            f"credentials={self.credentials!r}, max_age={self.max_age!r})"
        )


class CorsTable(dict[str | None, CorsPolicy]):
    """The app's CORS policies by subdomain. A policy set for a subdomain
    covers the requests its route table serves, so a host without a table
    of its own gets the policy of the table that serves it (`*`, else
    `www`), as Heaven 2.4.3's hook on that table did."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._app = app

    def get(self, key: Any, default: Any = None) -> Any:
        if key is None or dict.__contains__(self, key):
            return dict.get(self, key, default)
        tables = self._app._tables()
        if key in tables:
            return default
        return dict.get(self, "*" if "*" in tables else "www", default)
