"""The API reference page (Redoc or Scalar, loaded from a CDN) and the two
routes `install_docs` registers: the page and the document it renders,
rebuilt only after routes or contracts were added."""

from __future__ import annotations

import html
from typing import Any, Callable

import msgspec

from .document import DEFAULT_SUBDOMAIN, openapi_document

#: The reference renderer the page loads unless told otherwise (pinned).
DEFAULT_SCRIPT = "https://cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js"


def install_docs(
    app: Any,
    route: str = "/docs",
    title: str = "API",
    version: str = "0.1.0",
    subdomain: str = DEFAULT_SUBDOMAIN,
    script_url: str = DEFAULT_SCRIPT,
    style_url: str | None = None,
    *,
    description: str | None = None,
    document_subdomain: str | None = None,
    favicon: str | None = None,
) -> None:
    """Serve the document at `GET {route}/openapi.json` and a reference page
    at `GET {route}`, on `subdomain`. The document is built on first request
    and again only after routes or contracts are added."""
    base = route.rstrip("/")
    json_route = f"{base}/openapi.json"
    document = _Cached(app, lambda: openapi_document(app, title, version, description, document_subdomain))
    page = reference_page(title, json_route, script_url, style_url, favicon).encode()

    def openapi_json(req: Any, res: Any, ctx: Any) -> None:
        res.body = document.payload()
        res.header("Content-Type", "application/json")

    def docs_page(req: Any, res: Any, ctx: Any) -> None:
        res.body = page
        res.header("Content-Type", "text/html; charset=utf-8")

    for handler in (openapi_json, docs_page):
        handler._heaven_docs = True  # type: ignore[attr-defined]  # not listed in the document
    app.GET(json_route, openapi_json, subdomain)
    app.GET(base or "/", docs_page, subdomain)


class _Cached:
    """The encoded document, rebuilt when the app's routes or contracts
    have changed since it was built."""

    def __init__(self, app: Any, build: Callable[[], dict[str, Any]]) -> None:
        self._app = app
        self._build = build
        self._stamp: tuple[int, int] | None = None
        self._payload = b""

    def payload(self) -> bytes:
        stamp = (len(self._app.routes), len(self._app._contracts))
        if stamp != self._stamp:
            self._payload = msgspec.json.encode(self._build())
            self._stamp = stamp
        return self._payload


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def reference_page(
    title: str, json_url: str, script_url: str = DEFAULT_SCRIPT, style_url: str | None = None, favicon: str | None = None
) -> str:
    """The HTML page: it names the document for both Redoc (`<redoc
    spec-url>`) and Scalar (`<script id="api-reference" data-url>`), so
    either bundle works as `script_url`; no inline script."""
    esc = _escape
    style = f'\n<link rel="stylesheet" href="{esc(style_url)}">' if style_url else ""
    if favicon:
        style += f'\n<link rel="icon" href="{esc(favicon)}">'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>{style}
<style>body {{ margin: 0; }}</style>
</head>
<body>
<redoc spec-url="{esc(json_url)}"></redoc>
<script id="api-reference" data-url="{esc(json_url)}"></script>
<noscript>This reference needs JavaScript. The OpenAPI document is at <a href="{esc(json_url)}">{esc(json_url)}</a>.</noscript>
<script src="{esc(script_url)}"></script>
</body>
</html>
"""
