"""The development error page (`App(debug=True)`) and what a 500 says without it."""

import pytest

from heaven import App
from helpers import Client

pytestmark = pytest.mark.interfaces


def boom(req, res, ctx):
    raise ValueError("bad <thing> & more")


def test_debug_page_shows_the_error_escaped():
    app = App(debug=True)
    app.GET("/x/:id", boom)
    with Client(app) as c:
        r = c.get("/x/7?q=1", headers={"X-Trace": "<script>"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "ValueError" in r.text and "bad &lt;thing&gt; &amp; more" in r.text
    assert "<b>boom</b>" in r.text  # the frame names the function
    assert "/x/:id" in r.text and "&lt;script&gt;" in r.text and "<script>" not in r.text


def test_without_debug_nothing_leaks():
    app = App()
    app.GET("/x", boom)
    with Client(app) as c:
        r = c.get("/x")
    assert (r.status_code, r.text, r.headers["content-type"]) == (500, "Internal Server Error", "text/plain; charset=utf-8")
