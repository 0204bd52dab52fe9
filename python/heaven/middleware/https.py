"""`HttpsRedirect`: a request that came over plain HTTP is answered with a
redirect to the same URL on https, so no handler serves it unencrypted."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

# What may stay as is in a path (RFC 3986 pchar and '/'); the rest is quoted.
_PATH_SAFE = "/!$&'()*+,;=:@~-._"
_QUERY_SAFE = _PATH_SAFE + "?%"
# A name, an IPv4 or a bracketed IPv6 address, and a port: nothing else goes into Location.
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]+)?|\[[0-9A-Fa-f:.]+\](:[0-9]+)?")


class HttpsRedirect:
    """`HttpsRedirect()` answers an `http` request with 308 (method and
    body kept) to `https://` + the same host, path and query; the port is
    dropped when it is 80. Behind a proxy that ends TLS, pass
    `trust_forwarded=True` to believe its `X-Forwarded-Proto` (only do so
    when every request comes through that proxy: a client can send the
    header too). `permanent=False` answers 307."""

    __slots__ = ("trust_forwarded", "status")

    def __init__(self, *, trust_forwarded: bool = False, permanent: bool = True) -> None:
        self.trust_forwarded = bool(trust_forwarded)
        self.status = 308 if permanent else 307

    def secure(self, req: Any) -> bool:
        """Whether the request reached us (or the trusted proxy) over TLS."""
        if self.trust_forwarded:
            forwarded: str | None = req.headers.get("x-forwarded-proto")
            if forwarded:
                return forwarded.split(",")[0].strip().lower() == "https"
        scheme: str = req.scheme
        return scheme == "https"

    def __call__(self, req: Any, res: Any, ctx: Any, call_next: Any) -> Any:
        if self.secure(req):
            return call_next()
        host = req.headers.get("host") or req.host
        if not _HOST.fullmatch(host):
            res.status = 400
            res.body = "Invalid host header"
            return None
        if host.endswith(":80"):
            host = host[:-3]
        location = "https://" + host + quote(req.path, safe=_PATH_SAFE)
        query = req.querystring
        if query:
            location += "?" + quote(query.encode("latin-1"), safe=_QUERY_SAFE)
        res.status = self.status
        res.body = b""
        res.header("Location", location)
        return None

    def __repr__(self) -> str:
        return f"HttpsRedirect(trust_forwarded={self.trust_forwarded}, permanent={self.status == 308})"
