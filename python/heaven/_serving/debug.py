"""The development error page (`App(debug=True)`): the exception, its
traceback with source lines, and what the request was. Never used when
debug is off, where a 500 says only "Internal Server Error"."""

from __future__ import annotations

import traceback
from html import escape
from typing import Any

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#b3261e;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}
header p{margin:6px 0 0;font-family:ui-monospace,monospace;white-space:pre-wrap}
main{padding:8px 28px 28px}h2{font-size:15px;margin:22px 0 8px}
.frame{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:8px 0;padding:8px 12px}
.where{color:#555}.where b{color:#1d1d1f}code,pre{font-family:ui-monospace,monospace;font-size:13px}
pre{margin:6px 0 0;white-space:pre-wrap}table{border-collapse:collapse}
td{border-top:1px solid #eee;padding:3px 14px 3px 0;vertical-align:top;font-family:ui-monospace,monospace}
"""


def _frames(exc: BaseException) -> str:
    parts = []
    for frame in traceback.extract_tb(exc.__traceback__):
        line = f"<pre>{escape(frame.line)}</pre>" if frame.line else ""
        parts.append(
            f'<div class="frame"><div class="where"><b>{escape(frame.name)}</b> in '
            f"{escape(frame.filename)}, line {frame.lineno}</div>{line}</div>"
        )
    return "".join(parts)


def _rows(pairs: Any) -> str:
    return "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>" for k, v in pairs)


def error_page(exc: BaseException, req: Any) -> str:
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 5:
        chain.append(seen)
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    sections = "".join(
        f"<h2>{'Raised while handling' if i else 'Traceback'}: {escape(type(e).__name__)}: {escape(str(e))}</h2>{_frames(e)}"
        for i, e in enumerate(chain)
    )
    request = _rows(
        [
            ("method", req.method),
            ("url", req.url),
            ("route", req.route),
            ("params", _safe(lambda: req.params)),
            ("subdomain", req.subdomain),
            ("client", req.ip.address),
        ]
    )
    headers = _rows(_safe(lambda: req.headers.multi_items(), []))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(type(exc).__name__)}</title>"
        f"<style>{_STYLE}</style></head><body><header><h1>{escape(type(exc).__name__)}</h1>"
        f"<p>{escape(str(exc))}</p></header><main>{sections}<h2>Request</h2><table>{request}</table>"
        f"<h2>Headers</h2><table>{headers}</table>"
        "<p><small>heaven shows this page because the app runs with debug=True. Never in production.</small></p>"
        "</main></body></html>"
    )


def _safe(read: Any, default: Any = "?") -> Any:
    """A request view that fails to build (a bad query string...) must not
    break the error page."""
    try:
        return read()
    except Exception:
        return default
