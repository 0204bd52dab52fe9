"""Two small models of routing, used to explain every routing difference the
fuzz finds between heaven and Heaven 2.4.3:

- `spec_match`: what SPEC §3 asks of heaven (literal, then parameter, then
  wildcard at every segment, with full backtracking; empty segments
  ignored; typed segments converted as Python converts), written
  independently of heaven's Rust router;
- `greedy_match`: a port of 2.4.3's `Route.match` (a greedy walk that only
  falls back to a wildcard it passed beside a parameter).

A difference is explained when heaven answers as `spec_match` does, 2.4.3
answers as `greedy_match` does, and the gap between the two models is one
of the known differences (known.py). Both models convert values with the
functions 2.4.3 used (Python's `int`, `float`, `date.fromisoformat`, ...).
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, unquote
from uuid import UUID


def boolean(value: str) -> bool:
    try:
        return {"true": True, "1": True, "false": False, "0": False}[value.strip().lower()]
    except (AttributeError, KeyError):
        raise ValueError(value) from None


CONVERTERS = {"bool": boolean, "date": date.fromisoformat, "datetime": datetime.fromisoformat, "float": float,
              "int": int, "str": str, "uuid": UUID}
# heaven tries typed siblings narrow types first, `str` (anything) last.
TYPE_ORDER = ["int", "float", "bool", "date", "datetime", "uuid", "str"]


def show(value):
    if isinstance(value, dict):
        return {str(k): show(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [show(v) for v in value]
    return repr(value)


def parse_route(route: str) -> tuple[list[tuple], dict[str, str]]:
    path, _, hint = route.partition("?")
    segments = []
    for piece in [s for s in path.split("/") if s]:
        if piece == "*":
            segments.append(("*",))
        elif piece.startswith(":"):
            name, _, kind = piece[1:].partition(":")
            segments.append((":", name, (kind or "str").lower()))
        else:
            segments.append(("=", piece))
    hints = {}
    for pair in [p for p in hint.split("&") if p]:
        name, _, kind = pair.partition(":")
        hints[name] = (kind or "str").lower()
    return segments, hints


def convert(kind: str, text: str):
    try:
        return True, CONVERTERS[kind](text)
    except (ValueError, OverflowError):
        return False, None


def queries(query: str, hints: dict[str, str]) -> dict:
    """What both frameworks make of a query string: parse_qs with blank
    values, hinted values converted (a `:bool` that does not read is False,
    anything else that does not convert stays the string)."""
    out = {}
    for name, values in parse_qs(query, keep_blank_values=True).items():
        kind = hints.get(name)
        converted = []
        for value in values:
            if kind:
                ok, typed = convert(kind, value)
                value = typed if ok else (False if kind == "bool" else value)
            converted.append(value)
        out[name] = converted[0] if len(converted) == 1 else converted
    return out


def spec_match(routes: list[str], target: str, hints: bool = True):
    """SPEC §3 on a GET table: `(index, params, queries)` or None (404).
    `hints=False` reads the query as if the route declared no hints."""
    raw, _, query = target.partition("?")
    parts = [unquote(s) for s in raw.split("/") if s]
    best = None
    for index, route in enumerate(routes):
        segments, declared = parse_route(route)
        rank, params = [], {}
        ok = True
        for i, segment in enumerate(segments):
            if segment[0] == "*":
                if i >= len(parts):
                    ok = False
                    break
                params["*"] = "/".join(parts[i:])
                rank.append(9)
                break
            if i >= len(parts):
                ok = False
                break
            if segment[0] == "=":
                ok = segment[1] == parts[i]
                rank.append(0)
            else:
                ok, value = convert(segment[2], parts[i])
                params[segment[1]] = value
                rank.append(1 + TYPE_ORDER.index(segment[2]))
            if not ok:
                break
        if ok and segments and segments[-1][0] != "*" and len(segments) != len(parts):
            ok = False
        if ok and not segments and parts:
            ok = False
        if ok and (best is None or rank < best[0]):
            best = (rank, index, params, declared)
    if best is None:
        return None
    _, index, params, declared = best
    return index, show(params), show(queries(query, declared if hints else {}))


class _Node:
    def __init__(self):
        self.route = None
        self.children = {}
        self.parameterized = {}


def _build_greedy(routes: list[str]) -> _Node:
    root = _Node()
    for route in routes:
        path = route.partition("?")[0]
        if path == "/":
            root.route = route
            continue
        node = root
        parts = path.strip("/").split("/")
        for position, part in enumerate(parts):
            label = ":" if part.startswith(":") else part
            node = node.children.setdefault(label, _Node())
            if part.startswith(":"):
                node.parameterized[path] = part[1:]
            if position == len(parts) - 1:
                node.route = route
    return root


def greedy_match(routes: list[str], target: str):
    """2.4.3's walk (router.py `Route.match`, `Routes.resolve`), ported."""
    raw, _, query = target.partition("?")
    path = unquote(raw)
    root = _build_greedy(routes)
    index_of = {route: i for i, route in enumerate(routes)}
    if path == "/":
        # 2.4.3 answers `/` without reading the route's query hints.
        return (index_of[root.route], show({}), show(queries(query, {}))) if root.route else None
    walk = path.strip("/").split("/")
    node, params = root, []
    deviation = root.children.get("*")
    at_deviation = "/".join(walk)
    remaining = list(walk)

    def found(route, captured, hinted=True):
        # 2.4.3 reads a route's query hints only when the walk ends on the
        # route's own node, not when a wildcard takes the rest.
        hints = parse_route(route)[1] if hinted else {}
        return index_of[route], show(captured), show(queries(query, hints))

    while remaining:
        segment = remaining.pop(0)
        child = node.children.get(segment)
        if child is None:
            child = node.children.get(":")
            if child is not None:
                params.append((segment, child.parameterized))
                if node.children.get("*"):
                    at_deviation = "/".join([segment, *remaining])
                    deviation = node.children.get("*")
                node = child
                continue
            wildcard = node.children.get("*")
            if wildcard:
                return found(wildcard.route, {"*": "/".join([segment, *remaining])}, False)
            if deviation:
                return found(deviation.route, {"*": at_deviation}, False)
            return None
        node = child
    if deviation and not node.route:
        return found(deviation.route, {"*": at_deviation}, False)
    if not node.route:
        return None
    captured = {}
    key = node.route.partition("?")[0]
    for value, potentials in params:
        name, _, kind = potentials[key].partition(":")
        if kind:
            ok, converted = convert(kind.lower(), value)
            if not ok:
                return found(deviation.route, {"*": at_deviation}, False) if deviation else None
            value = converted
        captured[name] = value
    return found(node.route, captured)
