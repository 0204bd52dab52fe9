"""Turns two runner.py outputs (2.4.3's and heaven's) into field-level
differences: one per status, header name, body (or JSON body key), raised
error, route answer and registration outcome that disagree. known.py then
explains them, or the suite fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Diff:
    """One disagreement. `where` names the request (or pattern), `what` the
    field; `old` is 2.4.3's value, `new` heaven's. `context` keeps both
    records, for the explanations that need more than the field."""

    area: str
    where: str
    what: str
    old: Any
    new: Any
    context: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"[{self.area}] {self.where} :: {self.what}\n    2.4.3:  {self.old!r}\n    heaven: {self.new!r}"


def header_map(headers: list[list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), []).append(value)
    return out


def body_json(record: dict) -> Any:
    text = record.get("body", {}).get("text")
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def compare_http(area: str, where: str, old: dict, new: dict, request: dict | None = None) -> list[Diff]:
    """Status, headers (by name), body (by key when both are JSON objects)
    and raised errors of one request."""
    diffs: list[Diff] = []
    context = {"old": old, "new": new, "request": request or {}}

    def add(what: str, a: Any, b: Any) -> None:
        if a != b:
            diffs.append(Diff(area, where, what, a, b, context))

    add("raised", old.get("raised"), new.get("raised"))
    add("status", old.get("status"), new.get("status"))
    if "headers" in old or "headers" in new:
        a, b = header_map(old.get("headers", [])), header_map(new.get("headers", []))
        for name in sorted(set(a) | set(b)):
            add(f"header {name}", a.get(name), b.get(name))
    if "payload" in old or "payload" in new:
        add("payload", old.get("payload"), new.get("payload"))
        add("typed", old.get("typed"), new.get("typed"))
    a, b = body_json(old), body_json(new)
    if a is not None and b is not None:
        for key in sorted(set(a) | set(b)):
            add(f"body.{key}", a.get(key, "<absent>"), b.get(key, "<absent>"))
    else:
        add("body", old.get("body"), new.get("body"))
    return diffs


def compare_apps(old: dict, new: dict, requests: dict[str, dict[str, dict]]) -> list[Diff]:
    diffs: list[Diff] = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, {}), new.get(name, {})
        if "build" in a or "build" in b:
            if a.get("build") != b.get("build"):
                diffs.append(Diff("app", name, "build", a.get("build"), b.get("build")))
            continue
        if a.get("lifespan") != b.get("lifespan"):
            diffs.append(Diff("app", name, "lifespan", a.get("lifespan"), b.get("lifespan")))
        for rid in a.get("requests", {}):
            ra, rb = a["requests"][rid], b.get("requests", {}).get(rid, {})
            request = requests.get(name, {}).get(rid)
            for via in ("asgi", "earth"):
                if via in ra or via in rb:
                    diffs += compare_http(via, f"{name}: {rid}", ra.get(via, {}), rb.get(via, {}), request)
    return diffs


def compare_registrations(old: dict, new: dict) -> list[Diff]:
    diffs = []
    for (pattern, kind, a), (_, _, b) in zip(old["singles"], new["singles"]):
        if a != b:
            diffs.append(Diff("register", pattern, kind, a, b, {"pattern": pattern, "kind": kind}))
    for (first, second, a1, a2), (_, _, b1, b2) in zip(old["pairs"], new["pairs"]):
        if (a1, a2) != (b1, b2):
            diffs.append(Diff("register-pair", f"{first} then {second}", "GET", [a1, a2], [b1, b2],
                              {"first": first, "second": second}))
    return diffs
