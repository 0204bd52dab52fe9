"""The real-work bench's heaven app (benches/http/apps/work_heaven.py) under
granian, on both interfaces: the 10 MB upload streamed and stored whole, the
form, the static file sent by the server (ASGI pathsend, RSGI response_file)
and its 304, the page. What benches/http/work.py's preflight checks, without
the peers."""

import json
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import Server

pytestmark = pytest.mark.e2e

APPS = Path(__file__).resolve().parents[2] / "benches" / "http" / "apps"


@pytest.fixture(scope="module")
def fx():
    sys.path.insert(0, str(APPS))
    try:
        import work_fixtures
    finally:
        sys.path.remove(str(APPS))
    return work_fixtures


def test_work_app_answers_every_scenario(interface, fx, tmp_path):
    # TMPDIR: the app's uploads and its static file go under tmp_path.
    server = Server("work_heaven:app", env={"TMPDIR": str(tmp_path)}, working_dir=APPS, interface=interface)
    try:
        server.wait_ready(path=fx.PAGE_PATH)
        with httpx.Client(base_url=server.url, timeout=60) as http:
            r = http.post(fx.UPLOAD_PATH, content=fx.upload_body(), headers={"content-type": fx.UPLOAD_CONTENT_TYPE})
            assert (r.status_code, r.json()) == (200, fx.expected_upload())
            assert list((tmp_path / "heaven-bench-work" / "uploads").iterdir()) == []
            r = http.post(fx.FORM_PATH, content=fx.form_body(), headers={"content-type": fx.FORM_CONTENT_TYPE})
            assert r.content == json.dumps(fx.expected_form(), separators=(",", ":")).encode()
            r = http.get(fx.STATIC_PATH)
            assert (r.status_code, r.headers["content-type"]) == (200, fx.STATIC_CONTENT_TYPE)
            assert r.content == (tmp_path / "heaven-bench-work" / "static" / fx.STATIC_NAME).read_bytes()
            assert r.content == fx.static_content()
            again = http.get(fx.STATIC_PATH, headers={"if-none-match": r.headers["etag"]})
            assert (again.status_code, again.content) == (304, b"")
            r = http.get(fx.PAGE_PATH)
            assert (r.status_code, r.text) == (200, fx.expected_page())
    finally:
        server.stop()
