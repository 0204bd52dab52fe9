"""The heaven app of the real-work bench (benches/http/apps/work_heaven.py)
answers every scenario of benches/http/work.py the way the bench's preflight
checks it, on both interfaces: the 10 MB upload stored whole (size and
CRC-32 read back from disk, the stored file removed), the form's computed
answer, the static file and a real 304 for its ETag, the page's exact HTML.
So the bench cannot rot while nobody runs it."""

import json
import sys
from pathlib import Path

import pytest

from helpers import Client

pytestmark = pytest.mark.interfaces

APPS = Path(__file__).resolve().parents[2] / "benches" / "http" / "apps"


@pytest.fixture(scope="module")
def bench():
    """work_fixtures and work_heaven, imported as the bench's granian does
    (apps/ on the path, the modules importing each other by name)."""
    sys.path.insert(0, str(APPS))
    try:
        import work_fixtures
        import work_heaven
    finally:
        sys.path.remove(str(APPS))
    return work_fixtures, work_heaven


@pytest.fixture
def fx(bench, tmp_path, monkeypatch):
    fixtures, _ = bench
    monkeypatch.setattr(fixtures, "UPLOAD_DIR", tmp_path / "uploads")
    return fixtures


@pytest.fixture
def client(bench):
    with Client(bench[1].build()) as c:
        yield c


def compact(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def test_upload_is_stored_whole_and_removed(fx, client):
    r = client.post(fx.UPLOAD_PATH, content=fx.upload_body(), headers={"content-type": fx.UPLOAD_CONTENT_TYPE})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.content == compact({"name": "upload.bin", "size": 10_000_000, "crc32": fx.expected_upload()["crc32"]})
    assert list(fx.UPLOAD_DIR.iterdir()) == []


def test_a_truncated_upload_is_refused(fx, client):
    body = fx.upload_body(b"x" * 1000)
    r = client.post(fx.UPLOAD_PATH, content=body[:-30], headers={"content-type": fx.UPLOAD_CONTENT_TYPE})
    assert r.status_code == 400
    assert not fx.UPLOAD_DIR.exists() or list(fx.UPLOAD_DIR.iterdir()) == []


def test_form_answer_is_computed_from_the_fields(fx, client):
    r = client.post(fx.FORM_PATH, content=fx.form_body(), headers={"content-type": fx.FORM_CONTENT_TYPE})
    assert r.status_code == 200
    assert r.content == compact({"name": "Ada Lovelace-Byron", "fields": 20, "chars": 696, "quantity": 65})
    assert 900 <= len(fx.form_body()) <= 1100  # "a 1 KB form"


def test_static_file_then_304_for_its_etag(fx, client):
    r = client.get(fx.STATIC_PATH)
    assert r.status_code == 200
    assert r.headers["content-type"] == fx.STATIC_CONTENT_TYPE
    assert r.headers["content-length"] == str(fx.STATIC_SIZE)
    assert r.content == fx.static_content()
    etag = r.headers["etag"]
    again = client.get(fx.STATIC_PATH, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    stale = client.get(fx.STATIC_PATH, headers={"if-none-match": '"not-it"'})
    assert stale.status_code == 200 and stale.content == fx.static_content()


def test_page_is_the_reference_html(fx, client):
    r = client.get(fx.PAGE_PATH)
    assert r.status_code == 200
    assert r.headers["content-type"] == fx.PAGE_CONTENT_TYPE
    assert r.text == fx.expected_page()
    # Escaped, looped and laid out: the reference itself is what the bench expects.
    assert r.text.count("<tr class=") == 50
    assert "&lt;script&gt;" in r.text and "<script>" not in r.text
    assert r.text.startswith("<!doctype html>") and "<title>Inventory &amp; &lt;Orders&gt; · Shop</title>" in r.text
