"""`make docs` builds docs/ into a site with mkdocs in strict mode: a broken
link, a missing anchor or a page left out of the navigation is an error."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_docs_builds_every_page_without_warnings(tmp_path):
    site = tmp_path / "site"
    # -o: the venv is ready (the test runs in it); the recipe is `make docs` as documented.
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.deps-installed", "docs", f"DOCS_SITE={site}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    nav = re.findall(r"^\s+- .*?: ([a-z-]+)\.md$", (ROOT / "mkdocs.yml").read_text(), re.M)
    pages = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    assert sorted(nav) == pages  # every page is in the navigation, once
    for page in pages:
        built = site / ("index.html" if page == "index" else f"{page}/index.html")
        assert built.is_file(), f"{page}.md was not built"
    plugins = (site / "plugins" / "index.html").read_text()
    assert "heaven.plugins.pg" in plugins and "<table>" in plugins
    assert "cdnjs" not in plugins  # self-contained: nothing loaded from elsewhere
