"""Middleware that ships with heaven. Each one is an AROUND hook (a callable
`(req, res, ctx, call_next)`), so it runs inside the one request lifecycle
and serves ASGI and RSGI alike:

    app.use(Compression(minimum=500))          # every route, every subdomain
    app.AROUND('/api/*', Compression())        # or only where a pattern says

See docs/middleware.md."""

from __future__ import annotations

from .compression import Compression
from .hosts import TrustedHosts
from .https import HttpsRedirect
from .request_id import RequestId, RequestIdFilter, current_request_id

__all__ = ["Compression", "HttpsRedirect", "RequestId", "RequestIdFilter", "TrustedHosts", "current_request_id"]
