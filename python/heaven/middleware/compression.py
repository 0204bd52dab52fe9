"""`Compression`: gzip for whole response bodies the client accepts
compressed, done after the handler and its hooks, on both interfaces.

Only gzip, from the standard library: every client speaks it, and it
needs no native dependency. Brotli would need one (an optional extra
whose gain over gzip on dynamic responses at fast settings is small), and
zstd joins the standard library only in Python 3.14."""

from __future__ import annotations

import gzip
from typing import Any, Iterable

from .._http.files import FileBody
from ..response import encode_body
from ..streaming import StreamBody

#: Media types worth compressing; `text/*` and `+json`/`+xml` types count too.
COMPRESSIBLE = frozenset(
    {
        "application/json", "application/javascript", "application/xml", "application/x-javascript",
        "application/ecmascript", "application/graphql-response+json", "application/manifest+json",
        "application/wasm", "application/x-ndjson", "application/x-www-form-urlencoded", "image/svg+xml",
        "image/x-icon", "application/vnd.ms-fontobject", "font/ttf", "font/otf",
    }
)
# Statuses whose body is empty, partial, or not the resource's representation.
_SKIP_STATUS = frozenset({204, 206, 304})


def accepts_gzip(header: str | None) -> bool:
    """Whether an `Accept-Encoding` value lets us send gzip: `gzip` (or
    `x-gzip`, or `*`) with a q-value above 0 and not below identity's
    when identity is listed.
    `gzip;q=0` refuses it even when `*` allows everything."""
    if not header:
        return False
    gzip_q: float | None = None
    star_q: float | None = None
    identity_q: float | None = None  # unlisted: acceptable, with no preference to weigh
    for item in header.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        if coding in ("gzip", "x-gzip"):
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif coding == "*":
            star_q = q
        elif coding == "identity":
            identity_q = q
    chosen = gzip_q if gzip_q is not None else star_q
    return chosen is not None and chosen > 0.0 and (identity_q is None or chosen >= identity_q)


def compressible(content_type: str, types: frozenset[str]) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return (
        media.startswith("text/") or media in types or media.endswith("+json") or media.endswith("+xml")
    )


class Compression:
    """`Compression(minimum=500, level=6)`: gzip a whole body of at least
    `minimum` bytes when the request's `Accept-Encoding` allows it and its
    type is text-like (`text/*`, JSON, XML, JavaScript, SVG... or the
    media types given as `types`). Left alone: streams and files, bodies
    already encoded (a `Content-Encoding`), `Cache-Control: no-transform`,
    204/206/304 answers, and bodies gzip does not make smaller. A body that
    could have been compressed gets `Vary: Accept-Encoding` either way,
    so caches keep the two forms apart; a strong `ETag` becomes weak on
    the compressed form. Error answers (an exception out of the handler)
    are sent as they are."""

    __slots__ = ("minimum", "level", "types")

    def __init__(self, minimum: int = 500, level: int = 6, types: Iterable[str] | None = None) -> None:
        if not isinstance(minimum, int) or minimum < 0:
            raise ValueError(f"Compression(minimum=...) must be a non-negative int (bytes), got {minimum!r}")
        if not isinstance(level, int) or not 1 <= level <= 9:
            raise ValueError(f"Compression(level=...) must be 1 to 9, got {level!r}")
        self.minimum = minimum
        self.level = level
        self.types = COMPRESSIBLE if types is None else frozenset(t.strip().lower() for t in types)

    async def __call__(self, req: Any, res: Any, ctx: Any, call_next: Any) -> None:
        await call_next()
        self.compress(req, res)

    def compress(self, req: Any, res: Any) -> None:
        """Compress `res` in place if it should be."""
        body = res.body
        if type(body) in (StreamBody, FileBody) or hasattr(body, "__aiter__") or res.status in _SKIP_STATUS:
            return
        headers = res.headers
        if headers.get("content-encoding") is not None or "no-transform" in (headers.get("cache-control") or "").lower():
            return
        payload, default_type = encode_body(body)
        declared = headers.get("content-type")
        content_type = declared if declared is not None else default_type.decode() if default_type else None
        if type(body) is not bytes:
            # Encoded once: the response sends these bytes, as it would have sent the body.
            res.body = payload
            if declared is None and content_type is not None:
                res.header("Content-Type", content_type)
        if len(payload) < self.minimum or content_type is None or not compressible(content_type, self.types):
            return
        _vary(res, headers.get("vary"))
        if not accepts_gzip(req.headers.get("accept-encoding")):
            return
        packed = gzip.compress(payload, compresslevel=self.level, mtime=0)
        if len(packed) >= len(payload):
            return
        res.body = packed
        res.header("Content-Encoding", "gzip")
        etag = headers.get("etag")
        if etag is not None and etag.startswith('"'):
            res.header("ETag", "W/" + etag)

    def __repr__(self) -> str:
        return f"Compression(minimum={self.minimum}, level={self.level})"


def _vary(res: Any, vary: str | None) -> None:
    if vary is None:
        res.header("Vary", "Accept-Encoding")
        return
    names = [name.strip().lower() for name in vary.split(",")]
    if "accept-encoding" not in names and "*" not in names:
        res.header("Vary", f"{vary}, Accept-Encoding")
