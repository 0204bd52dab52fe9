"""heaven against PyPI's Heaven 2.4.3, side by side (docs/compatibility.md).

runner.py runs the same workload under each framework, in a subprocess of
each venv (they share the import name `heaven`): the small apps of apps.py
through their ASGI callables and their `earth` clients, seeded random route
tables with thousands of request paths, and route patterns registered alone
and in pairs. Every field that differs must be a known difference
(known.py), each of which is listed on docs/compatibility.md; a difference
none of them explains fails, and so does a known difference that no longer
shows up.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from compare import compare_apps  # noqa: E402
from known import (  # noqa: E402
    APP_DIFFERENCES,
    DOCUMENTED_ONLY,
    all_tags,
    classify_pair,
    classify_registration,
    classify_route,
    same_outcome,
)
from models import spec_match  # noqa: E402

H243 = REPO / "benches" / "http" / ".venv-heaven243" / "bin" / "python"
TABLES = int(os.environ.get("HEAVEN_COMPAT_TABLES", "120"))
FIRED: Counter = Counter()


def _run(python: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([str(python), str(HERE / "runner.py"), str(out), "--tables", str(TABLES)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(HERE))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Both runs, side by side (they take a second or two each)."""
    if not H243.exists():
        pytest.fail(f"no Heaven 2.4.3 venv at {H243}: run `make compat-venv` (make test does)")
    folder = tmp_path_factory.mktemp("compat")
    jobs = {"2.4.3": _run(H243, folder / "old.json"), "heaven": _run(Path(sys.executable), folder / "new.json")}
    for name, job in jobs.items():
        _, err = job.communicate(timeout=300)
        assert job.returncode == 0, f"the {name} run failed:\n{err.decode()[-3000:]}"
    old = json.loads((folder / "old.json").read_text())
    new = json.loads((folder / "new.json").read_text())
    assert old["heaven"] == "2.4.3", old["heaven"]
    return old, new


def _requests():
    from apps import APPS

    table = {}
    for name, build in APPS.items():
        try:
            _, requests = build()
        except Exception:  # an app heaven refuses to build; the build difference is compared
            requests = []
        table[name] = {r["id"]: r for r in requests}
    return table


def test_apps_answer_alike_or_as_documented(runs):
    old, new = runs
    unexplained = []
    for diff in compare_apps(old["apps"], new["apps"], _requests()):
        tags = [k.tag for k in APP_DIFFERENCES if k.matches(diff)]
        if not tags:
            unexplained.append(str(diff))
        FIRED.update(tags[:1])
    assert not unexplained, f"{len(unexplained)} unexplained differences:\n" + "\n".join(unexplained[:40])


def test_both_ran_every_app_and_request(runs):
    old, new = runs
    assert old["apps"].keys() == new["apps"].keys()
    requests = sum(len(a.get("requests", {})) for a in old["apps"].values())
    earth = sum(1 for a in old["apps"].values() for r in a.get("requests", {}).values() if "earth" in r)
    print(f"\ncompat: {len(old['apps'])} apps, {requests} requests over ASGI, {earth} through earth")
    assert len(old["apps"]) >= 25 and requests >= 200 and earth >= 20


def test_random_route_tables_route_alike_or_as_documented(runs):
    old, new = runs
    unexplained, compared = [], 0
    for a, b in zip(old["fuzz"], new["fuzz"], strict=True):
        assert a["routes"] == b["routes"] and a["paths"] == b["paths"]
        assert a["accepted"] == b["accepted"] == ["ok"] * len(a["routes"]), (a["routes"], a["accepted"], b["accepted"])
        for path, x, y in zip(a["paths"], a["answers"], b["answers"], strict=True):
            compared += 1
            spec = spec_match(a["routes"], path)
            expected = [404, None, None] if spec is None else [200, {"r": spec[0], "p": spec[1], "q": spec[2]}, None]
            if y != expected:
                unexplained.append(f"heaven is not SPEC §3: {a['routes']} {path}\n  heaven {y}\n  model  {expected}")
                continue
            if x == y:
                continue
            tag = classify_route(a["routes"], path, x, y)
            if tag is None:
                unexplained.append(f"{a['routes']} {path}\n  2.4.3  {x}\n  heaven {y}")
            FIRED[tag] += 1
    print(f"\ncompat: {len(old['fuzz'])} route tables, {compared} routed requests")
    assert compared >= 4000
    assert not unexplained, f"{len(unexplained)} unexplained:\n" + "\n".join(unexplained[:30])


def test_registrations_agree_or_as_documented(runs):
    old, new = runs
    singles = list(zip(old["registrations"]["singles"], new["registrations"]["singles"], strict=True))
    pairs = list(zip(old["registrations"]["pairs"], new["registrations"]["pairs"], strict=True))
    unexplained = []
    for (pattern, kind, a), (_, _, b) in singles:
        if same_outcome(a, b):
            continue
        tag = classify_registration(pattern, kind, a, b)
        if tag is None:
            unexplained.append(f"{kind} {pattern!r}: 2.4.3 {a}, heaven {b}")
        FIRED[tag] += 1
    for (first, second, a1, a2), (_, _, b1, b2) in pairs:
        if same_outcome(a1, b1) and same_outcome(a2, b2):
            continue
        tag = classify_pair(first, second, [a1, a2], [b1, b2])
        if tag is None:
            unexplained.append(f"{first!r} then {second!r}: 2.4.3 {[a1, a2]}, heaven {[b1, b2]}")
        FIRED[tag] += 1
    print(f"\ncompat: {len(singles)} single registrations, {len(pairs)} pairs")
    assert not unexplained, f"{len(unexplained)} unexplained:\n" + "\n".join(unexplained[:30])


def test_every_known_difference_shows_and_is_documented():
    """Runs last in this module: each known difference showed up in the
    comparisons above (else it is stale) and is a row of the page's list."""
    if len(FIRED) == 0:
        pytest.skip("the comparisons did not run")
    stale = sorted(all_tags() - set(FIRED) - set(DOCUMENTED_ONLY))
    assert not stale, f"known differences that no comparison showed: {stale}"
    page = (REPO / "docs" / "compatibility.md").read_text()
    listed = set(re.findall(r"^\| `(K-[a-z0-9-]+)` \|", page.split("## Known differences", 1)[1], re.M))
    assert listed == all_tags(), f"page only: {sorted(listed - all_tags())}; suite only: {sorted(all_tags() - listed)}"
    for tag, test in DOCUMENTED_ONLY.items():
        path, _, name = test.partition("::")
        assert f"def {name}(" in (REPO / path).read_text(), f"{tag}: {test} does not exist"
    print("\ncompat: known differences seen " + ", ".join(f"{t} x{n}" for t, n in sorted(FIRED.items()) if t))


def test_the_audit_has_no_blank_cell():
    """docs/compatibility.md: every row of every table says what 2.4.3 does,
    what heaven does and the verdict (a cell left empty is an unexplained row)."""
    page = (REPO / "docs" / "compatibility.md").read_text()
    blank = []
    for number, line in enumerate(page.splitlines(), 1):
        if not line.startswith("|") or line.startswith("|---"):
            continue
        # Pipes inside `code` are not cell borders.
        cells = re.sub(r"`[^`]*`", "code", line).strip().strip("|").split("|")
        if any(not cell.strip() for cell in cells):
            blank.append(number)
    assert not blank, f"docs/compatibility.md rows with a blank cell, lines {blank}"
