"""The 1,000 routes the `params_1000` apps register before the benchmarked
`/users/:id:int/posts/:post:int` route.

First every GET route of benches/data/github_routes.txt (in file order),
skipping those under the benchmarked prefixes (`/users`, ...) so the table
stays unrelated to the route being measured, and the one route the original
Heaven 2.4.3 cannot register next to its sibling (see `_github`); then
synthetic routes of varied shapes under top-level prefixes GitHub does not
use, until there are 1,000.

Patterns are written in heaven syntax (`/a/:id:int/b/:slug/*`) and translated
for each framework by the `to_*` functions. Standard library only: the
original Heaven 2.4.3 app imports this from its own virtualenv.
"""

from __future__ import annotations

import re
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "data" / "github_routes.txt"
COUNT = 1000
BENCHMARKED_PREFIXES = ("/users", "/plaintext", "/json", "/hooks", "/validate")

# Synthetic routes: area x resource x shape. Every area is a top-level
# literal GitHub does not use, so no synthetic route shares a tree node with a
# GitHub one, and within one resource each position has one parameter name
# and type (heaven refuses `/a/:x` next to `/a/:y`, as do several routers).
_AREAS = ("shop", "billing", "crm", "cms", "inventory", "analytics", "support", "media", "hr", "admin")
_RESOURCES = (
    "customers", "invoices", "orders", "products", "payments", "shipments", "coupons", "reviews",
    "tickets", "articles", "assets", "reports", "employees", "vendors", "contracts", "campaigns",
)  # fmt: skip
_SUBS = ("notes", "history", "attachments", "events", "tags")


def _synthetic():
    for res in _RESOURCES:
        for area in _AREAS:
            base = f"/{area}/{res}"
            yield base
            yield f"{base}/search"
            yield f"{base}/:id:int"
            yield f"{base}/by-slug/:slug"
            for sub in _SUBS[:3]:
                yield f"{base}/:id:int/{sub}"
            yield f"{base}/:id:int/notes/:note_id:int"
            yield f"{base}/:id:int/files/*"


def _shape(pattern: str) -> str:
    return re.sub(r"/:[^/]+", "/:", pattern)


def _github() -> list[str]:
    out, shapes = [], set()
    for line in TABLE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        method, pattern = line.split()
        if method != "GET" or pattern.startswith(BENCHMARKED_PREFIXES):
            continue
        # A route that differs from an earlier one only by a parameter's type
        # (`.../workflows/:workflow_file` after `.../workflows/:workflow_id:int`)
        # is left out: the original Heaven 2.4.3 keeps one parameter node per
        # position and refuses it, and every contender gets the same table.
        if _shape(pattern) in shapes:
            continue
        shapes.add(_shape(pattern))
        out.append(pattern)
    return out


def patterns(count: int = COUNT) -> list[str]:
    """`count` GET patterns in heaven syntax: GitHub's first, then synthetic."""
    out = _github()[:count]
    seen = set(out)
    for p in _synthetic():
        if len(out) == count:
            break
        if p not in seen:
            seen.add(p)
            out.append(p)
    if len(out) != count:
        raise RuntimeError(f"only {len(out)} routes available, {count} asked")
    return out


# Kept for benches that asked for the old name.
heaven_patterns = patterns

_PARAM = re.compile(r"^:(\w+)(?::(\w+))?$")


def _convert(pattern: str, param, wildcard) -> str:
    parts = []
    for seg in pattern.split("/"):
        m = _PARAM.match(seg)
        if seg == "*":
            parts.append(wildcard)
        elif m:
            parts.append(param(m.group(1), m.group(2) or "str"))
        else:
            parts.append(seg)
    return "/".join(parts) or "/"


def to_starlette(pattern: str) -> str:
    """`/a/:id:int/*` -> `/a/{id:int}/{rest:path}` (Starlette and FastAPI)."""
    return _convert(pattern, lambda n, t: "{%s}" % n if t == "str" else "{%s:%s}" % (n, t), "{rest:path}")


def to_litestar(pattern: str) -> str:
    """`/a/:id:int/*` -> `/a/{id:int}/{rest:path}` (Litestar types every parameter)."""
    return _convert(pattern, lambda n, t: "{%s:%s}" % (n, t), "{rest:path}")


def to_blacksheep(pattern: str) -> str:
    """`/a/:id:int/*` -> `/a/{int:id}/*`."""
    return _convert(pattern, lambda n, t: "{%s}" % n if t == "str" else "{%s:%s}" % (t, n), "*")


def sample_path(pattern: str) -> str:
    """A concrete path the pattern matches (for the preflight)."""
    return _convert(pattern, lambda n, t: "7" if t == "int" else "abc", "a/b.txt")


if __name__ == "__main__":
    ps = patterns()
    gh = len(_github())
    print(f"{len(ps)} routes: {min(gh, len(ps))} from {TABLE.name}, {len(ps) - min(gh, len(ps))} synthetic")
    for p in ps[:: len(ps) // 12]:
        print(f"  {p:<50} {to_starlette(p):<55} {to_blacksheep(p)}")
