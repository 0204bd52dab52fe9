"""Every ```python block in docs/ runs, and its expectation comments hold.

An expectation is a comment line in the block:

    # GET /users/42 (Host: api.example.com) -> 200 [Content-Type: application/json] {"id":42}

request headers go in `(Name: value)` before `->` (a `(body: ...)` group is
the request body); after the status, `[Name: value]` checks a response
header and the rest of the line, if any, must equal the response body.
A line that starts `# asgi: GET ...` or `# rsgi: GET ...` holds on that
interface only (where granian's RSGI differs, see docs/serving.md).
The app (named `app` in the block) runs with its lifespan, once on each
interface (ASGI and RSGI).
A block that reads `DATABASE_URL` gets a fresh database on the test run's
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
import sys
import types
from pathlib import Path

import pytest

from heaven.testing import AsyncClient

pytestmark = pytest.mark.interfaces

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
EXPECT = re.compile(r"^# (?:(asgi|rsgi): )?(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE) (\S+)(.*?) -> (\d{3})(.*)$", re.M)


def blocks():
    for page in sorted(DOCS.glob("*.md")):
        for number, match in enumerate(BLOCK.finditer(page.read_text()), 1):
            yield pytest.param(match.group(1), id=f"{page.stem}-{number}")


def parse_groups(text: str, opener: str, closer: str) -> tuple[list[tuple[str, str]], str]:
    """Leading `(Name: value)` / `[Name: value]` groups, and what follows.
    A group must start with a header-like name, so a JSON array body is not one."""
    group = re.compile(rf"^\{opener}([A-Za-z][A-Za-z0-9-]*): ([^{closer}]*)\{closer}\s*")
    groups = []
    text = text.strip()
    while match := group.match(text):
        groups.append((match.group(1), match.group(2).strip()))
        text = text[match.end() :]
    return groups, text


async def check(app, expectations, interface):
    async with AsyncClient(app, base_url="http://example.com", interface=interface) as client:
        for only, method, path, request_part, status, response_part in expectations:
            if only and only != interface:
                continue
            sent, _ = parse_groups(request_part, "(", ")")
            headers = {k: v for k, v in sent if k != "body"}
            body = next((v for k, v in sent if k == "body"), None)
            response = await client.request(method, path, headers=headers, content=body)
            where = f"{method} {path}"
            assert response.status_code == int(status), f"{where}: {response.status_code} {response.text}"
            wanted_headers, wanted_body = parse_groups(response_part, "[", "]")
            for name, value in wanted_headers:
                assert response.headers.get(name) == value, f"{where}: header {name}"
            if wanted_body:
                assert response.text == wanted_body, f"{where}: body"


@pytest.mark.parametrize("code", list(blocks()))
def test_doc_example(code, monkeypatch, interface, request):
    if "DATABASE_URL" in code:
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("new_database")("docs"))
    # A real module, so type hints in the example resolve like in user code;
    # dont_inherit keeps this file's `from __future__` out of the example.
    module = types.ModuleType("docs_example")
    monkeypatch.setitem(sys.modules, "docs_example", module)
    exec(compile(code, "<docs>", "exec", dont_inherit=True), module.__dict__)
    expectations = EXPECT.findall(code)
    if expectations:
        asyncio.run(check(module.__dict__["app"], expectations, interface))


def test_every_capability_has_a_page():
    pages = {p.stem for p in DOCS.glob("*.md")}
    assert {
        "index", "routing", "subdomains", "hooks", "request", "response", "context", "application",
        "lifecycle", "mounting", "websockets", "errors", "serving", "architecture", "performance",
        "quickstart", "plugins", "deployment", "compatibility",
    } <= pages
