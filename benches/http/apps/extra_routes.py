"""The 100 extra routes the `_100` contenders register before the benchmarked
ones: the first GET routes of benches/data/github_routes.txt, skipping any
under `/users` so they stay unrelated to the benchmarked `/users/...` route."""

from __future__ import annotations

import re
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "data" / "github_routes.txt"
BENCHMARKED_PREFIXES = ("/users", "/plaintext", "/json")


def heaven_patterns(count: int = 100) -> list[str]:
    """`count` GET patterns in heaven syntax, in file order."""
    out: list[str] = []
    for line in TABLE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        method, pattern = line.split()
        if method != "GET" or pattern.startswith(BENCHMARKED_PREFIXES):
            continue
        out.append(pattern)
        if len(out) == count:
            return out
    raise RuntimeError(f"{TABLE} has fewer than {count} usable GET routes")


_PARAM = re.compile(r"^:(\w+)(?::(\w+))?$")
# heaven type -> Starlette convertor
_STARLETTE_TYPES = {None: "", "str": "", "int": ":int", "float": ":float", "uuid": ":uuid"}


def to_starlette(pattern: str) -> str:
    """`/a/:id:int/*` -> `/a/{id:int}/{rest:path}`."""
    parts = []
    for seg in pattern.split("/"):
        m = _PARAM.match(seg)
        if seg == "*":
            parts.append("{rest:path}")
        elif m:
            parts.append("{%s%s}" % (m.group(1), _STARLETTE_TYPES[m.group(2)]))
        else:
            parts.append(seg)
    return "/".join(parts) or "/"
