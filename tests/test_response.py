"""`res` (docs/response.md): bodies, headers, cookies, redirects, abort/out, defer."""

import asyncio
import dataclasses
from datetime import datetime, timezone

import msgspec
import pytest

from heaven import App, Response
from helpers import Client, call_raw, http_scope

pytestmark = pytest.mark.interfaces


class Point(msgspec.Struct):
    x: int
    y: int


@dataclasses.dataclass
class Pair:
    a: str
    b: list


def body_route(value):
    def handler(req, res, ctx):
        res.body = value

    return handler


@pytest.mark.parametrize(
    "value, content, ctype",
    [
        (b"\x00raw", b"\x00raw", None),
        ("héllo", "héllo".encode(), "text/plain; charset=utf-8"),
        (42, b"42", "text/plain; charset=utf-8"),
        (1.5, b"1.5", "text/plain; charset=utf-8"),
        ({"a": [1, None]}, b'{"a":[1,null]}', "application/json"),
        ([1, "two"], b'[1,"two"]', "application/json"),
        (Point(1, 2), b'{"x":1,"y":2}', "application/json"),
        (Pair("a", [1]), b'{"a":"a","b":[1]}', "application/json"),
        (True, b"true", "application/json"),
        (None, b"", None),
        (bytearray(b"ba"), b"ba", None),
    ],
)
def test_body_types(value, content, ctype):
    app = App()
    app.GET("/", body_route(value))
    with Client(app) as c:
        r = c.get("/")
    assert r.status_code == 200
    assert r.content == content
    assert r.headers.get("content-type") == ctype
    assert r.headers["content-length"] == str(len(content))


def test_unencodable_body_is_a_500_not_a_crash():
    app = App()
    app.GET("/", body_route(object()))
    app.GET("/ok", body_route("fine"))
    with Client(app) as c:
        r = c.get("/")
        assert r.status_code == 500
        assert r.text == "Internal Server Error"
        assert c.get("/ok").text == "fine"


def test_status_forms():
    app = App()
    app.POST("/made", lambda req, res, ctx: setattr(res, "status", res.http.CREATED))
    app.GET("/teapot", lambda req, res, ctx: res.out(418, "short and stout", {"X-Tea": "earl grey"}))
    app.GET("/bad", lambda req, res, ctx: setattr(res, "status", 1000))
    with Client(app) as c:
        assert c.post("/made").status_code == 201
        r = c.get("/teapot")
        assert (r.status_code, r.text, r.headers["x-tea"]) == (418, "short and stout", "earl grey")
        assert c.get("/bad").status_code == 500


def test_header_set_replace_remove_join_and_chain():
    def handler(req, res, ctx):
        res.headers = "X-One", "1"
        res.headers = "x-one", "uno"  # replaces, case-insensitively
        res.header("X-List", ["a", "b", 3]).header("X-Gone", "soon")
        res.header("x-gone", None)
        res.headers = "Content-Type", "text/csv"
        res.body = "a,b"
        ctx.view = dict(res.headers.items())

    seen = {}

    def after(req, res, ctx):
        seen.update(ctx.view)

    app = App()
    app.GET("/", handler)
    app.AFTER("/", after)
    with Client(app) as c:
        r = c.get("/")
    assert r.headers["x-one"] == "uno"
    assert r.headers["x-list"] == "a, b, 3"
    assert "x-gone" not in r.headers
    assert r.headers["content-type"] == "text/csv"
    assert seen == {"x-one": "uno", "x-list": "a, b, 3", "content-type": "text/csv"}


@pytest.mark.parametrize("value", ["evil\r\nSet-Cookie: a=b", "line\nbreak", "nul\x00"])
def test_header_values_with_cr_lf_are_refused(value):
    errors = []

    def handler(req, res, ctx):
        try:
            res.headers = "X-Bad", value
        except ValueError as exc:
            errors.append(str(exc))
        res.body = "ok"

    app = App()
    app.GET("/", handler)
    with Client(app) as c:
        r = c.get("/")
    assert "x-bad" not in r.headers and "set-cookie" not in r.headers
    assert errors and "control character" in errors[0] and "X-Bad" in errors[0]


def test_bad_header_names_are_refused():
    app = App()
    app.GET("/", lambda req, res, ctx: res.header("Bad Name", "x"))
    with Client(app) as c:
        assert c.get("/").status_code == 500


def test_cookies_accumulate_with_attributes():
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

    def handler(req, res, ctx):
        res.cookie("a", "1")
        res.cookie("b", "2", max_age=60, expires=when, path="/x", domain="example.com", secure=True, httponly=True, samesite="strict")
        res.cookie("c", "3", samesite="none", partitioned=True)
        res.headers = "Set-Cookie", "d=4"

    app = App()
    app.GET("/", handler)
    with Client(app) as c:
        cookies = c.get("/").headers.get_list("set-cookie")
    assert cookies == [
        "a=1; Path=/; SameSite=Lax",
        "b=2; Max-Age=60; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/x; Domain=example.com; SameSite=Strict; Secure; HttpOnly",
        "c=3; Path=/; SameSite=None; Partitioned; Secure",
        "d=4",
    ]


@pytest.mark.parametrize("name, value", [("a;b", "1"), ("ok", "semi;colon"), ("ok", "new\nline"), ("", "x")])
def test_bad_cookies_are_refused(name, value):
    app = App()
    with pytest.raises(ValueError):
        from heaven.response import Response

        Response(app).cookie(name, value)


def test_redirects():
    app = App()
    app.GET("/old", lambda req, res, ctx: res.redirect("/new"))
    app.GET("/gone", lambda req, res, ctx: res.redirect("https://example.com/", permanent=True))
    with Client(app) as c:
        r = c.get("/old")
        assert (r.status_code, r.headers["location"]) == (307, "/new")
        r = c.get("/gone")
        assert (r.status_code, r.headers["location"]) == (308, "https://example.com/")


def test_defer_runs_after_the_response_sync_and_async():
    order = []

    async def later(app):
        await asyncio.sleep(0)
        order.append(("async", app is the_app))

    def also(app):
        order.append(("sync", app is the_app))

    def boom(app):
        raise RuntimeError("deferred failure is logged, not sent")

    def handler(req, res, ctx):
        res.defer(later).defer(boom).defer(also)
        res.body = "sent"
        order.append("handler")

    the_app = App()
    the_app.GET("/", handler)

    call_raw(the_app, http_scope("/"), on_answer=lambda: order.append("answered"))
    assert order == ["handler", "answered", ("async", True), ("sync", True)]


CONTROL_VALUES = ["a\x01b", "tab\tthen\x1f", "del\x7f", "bell\x07", "esc\x1b[0m", "cr\r", "nul\x00"]


@pytest.mark.parametrize("value", CONTROL_VALUES)
def test_every_header_path_refuses_control_characters_when_set(value):
    """One check for every way a value reaches a header: res.header, res.headers=,
    res.redirect, res.out, res.stream's content type, res.cookie (value and
    attributes) and res.file's download name. The error names the header."""
    attempts = [
        ("X-Bad", lambda res: res.header("X-Bad", value)),
        ("X-Assigned", lambda res: setattr(res, "headers", ("X-Assigned", value))),
        ("Location", lambda res: res.redirect("/next" + value)),
        ("X-Out", lambda res: res.out(200, "x", headers={"X-Out": value})),
        ("Content-Type", lambda res: res.stream(_empty(), content_type="text/plain" + value)),
        ("Set-Cookie", lambda res: res.cookie("sid", "1", path="/" + value)),
        ("Set-Cookie", lambda res: res.cookie("sid", "1", domain="example.com" + value)),
        ("Content-Disposition", lambda res: res.file(__file__, filename="report" + value + ".csv")),
    ]
    errors = []

    def handler(req, res, ctx):
        for header, attempt in attempts:
            try:
                attempt(res)
            except ValueError as exc:
                errors.append((header, str(exc)))
        res.status = 200
        res.body = "ok"

    app = App()
    app.GET("/", handler)
    with Client(app) as c:
        r = c.get("/")
    assert r.status_code == 200 and r.text == "ok"
    assert "x-bad" not in r.headers and "location" not in r.headers and "set-cookie" not in r.headers
    assert [h for h, _ in errors] == [h for h, _ in attempts], errors
    for header, message in errors:
        assert header in message or "cookie" in message, message


async def _empty():
    if False:
        yield b""


def test_tab_and_non_ascii_latin1_values_are_allowed(interface):
    app = App()
    app.GET("/", lambda req, res, ctx: res.header("X-Tab", "a\tb").header("X-Latin", "café"))
    with Client(app) as c:
        r = c.get("/")
    assert r.headers["x-tab"] == "a\tb"
    # RSGI takes header values as text and granian writes them as UTF-8 (docs/serving.md).
    assert dict(r.headers.raw)[b"x-latin"] == "café".encode("latin-1" if interface == "asgi" else "utf-8")


def test_download_name_with_non_ascii_text_uses_rfc_6266_filename_star(tmp_path):
    (tmp_path / "r.csv").write_text("a,b\n")
    app = App()
    app.GET("/r", lambda req, res, ctx: res.file(tmp_path / "r.csv", filename="отчёт 2026/日本.csv"))
    with Client(app) as c:
        r = c.get("/r")
    assert r.status_code == 200 and r.text == "a,b\n"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%202026%2F%E6%97%A5%E6%9C%AC.csv" in disposition


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_204_and_304_carry_no_content_length(method):
    app = App()

    def empty(req, res, ctx):
        res.status = 204

    def unchanged(req, res, ctx):
        res.status = 304
        res.header("ETag", '"v1"')

    def stray_body(req, res, ctx):
        res.status = 204
        res.body = "ignored"

    app.GET("/empty", empty)
    app.GET("/unchanged", unchanged)
    app.GET("/stray", stray_body)
    for path, status in (("/empty", 204), ("/unchanged", 304), ("/stray", 204)):
        out = call_raw(app, http_scope(path, method=method))
        assert out["status"] == status, path
        assert "content-length" not in out["headers"], (path, out["headers"])
        assert out["body"] == b"", path


def test_a_returned_value_is_the_body_and_a_contradicting_one_is_refused(caplog):
    app = App()

    async def returns_dict(req, res, ctx):
        return {"id": 1}

    def returns_text(req, res, ctx):
        res.status = 201
        return "created"

    def returns_res(req, res, ctx):
        return res.out(202, "accepted")

    def returns_both(req, res, ctx):
        res.body = "assigned"
        return "returned"

    def returns_the_body(req, res, ctx):
        res.body = {"same": True}
        return res.body

    app.GET("/dict", returns_dict)
    app.GET("/text", returns_text)
    app.GET("/res", returns_res)
    app.GET("/both", returns_both)
    app.GET("/same", returns_the_body)
    app.GET("/class", "handlers.Returning#returning")
    with caplog.at_level("ERROR", logger="heaven"), Client(app) as c:
        r = c.get("/dict")
        assert (r.status_code, r.headers["content-type"], r.text) == (200, "application/json", '{"id":1}')
        assert (c.get("/text").status_code, c.get("/text").text) == (201, "created")
        assert (c.get("/res").status_code, c.get("/res").text) == (202, "accepted")
        assert c.get("/same").json() == {"same": True}
        assert c.get("/class").json() == {"from": "a method"}
        r = c.get("/both")
        assert (r.status_code, r.text) == (500, "Internal Server Error")
    message = next(r for r in caplog.records if r.name == "heaven").exc_info[1].args[0]
    assert message == (
        "the handler of /both returned a str and also set res.body to a str: return the body or assign it, not both"
    )


def test_abort_takes_a_status():
    app = App()
    app.BEFORE("/admin", lambda req, res, ctx: res.abort({"error": "members only"}, status=403))
    app.GET("/admin", lambda req, res, ctx: setattr(res, "body", "secret"))
    with Client(app) as c:
        r = c.get("/admin")
    assert (r.status_code, r.json()) == (403, {"error": "members only"})


def test_redirect_quotes_non_ascii_and_spaces_and_keeps_what_is_encoded():
    app = App()
    cases = {
        "/jp": "/日本",
        "/spaced": "/a b/c?q=x y&r=日",
        "/kept": "/already%20encoded?a=1&b=%2F#frag",
        "/stray": "/100%",
        "/host": "https://例え.jp/パス",
    }
    for route, target in cases.items():
        app.GET(route, lambda req, res, ctx, target=target: res.redirect(target))
    app.GET("/see-other", lambda req, res, ctx: res.redirect("/done", status=303))
    app.GET("/bad", lambda req, res, ctx: res.redirect("/next\r\nSet-Cookie: a=1"))
    with Client(app) as c:
        locations = {route: c.get(route, follow_redirects=False).headers["location"] for route in cases}
        assert locations == {
            "/jp": "/%E6%97%A5%E6%9C%AC",
            "/spaced": "/a%20b/c?q=x%20y&r=%E6%97%A5",
            "/kept": "/already%20encoded?a=1&b=%2F#frag",
            "/stray": "/100%25",
            "/host": "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9",
        }
        r = c.get("/jp", follow_redirects=False)
        assert r.status_code == 307
        r = c.get("/see-other", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/done")
        assert c.get("/bad").status_code == 500
    with pytest.raises(ValueError, match="contains the control character '\\\\r'"):
        Response(App()).redirect("/a\rb")
    with pytest.raises(ValueError, match="must be a 3xx status"):
        Response(App()).redirect("/a", status=200)


# -- res.header's native fast path (rust/py/src/put_header.rs) -------------------

_HEADER_STEPS = [
    [("X-One", "1"), ("X-Two", "2")],  # names new, then cached
    [("X-One", "1"), ("x-one", "uno")],  # a replacement, case-insensitive
    [("Set-Cookie", "a=1"), ("set-cookie", "b=2")],  # cookies accumulate
    [("Content-Type", "text/csv"), ("X-After", "z")],  # the Content-Type flag
    [("X-Gone", "soon"), ("x-gone", None)],  # removal
    [("X-List", ["a", 3])],  # a list joins
    [("X-Bytes", b"raw")],  # bytes, checked by the Python path
    [("X-Tab", "a\tb"), ("X-High", "caf\u00e9"), ("X-Del", "a\x7fb")],  # not printable ASCII
    [("X-Int", 7)],  # not a str
    [(b"X-Raw-Name", "v")],  # a bytes name
]


def _apply(res, steps, method):
    outcomes = []
    for name, value in steps:
        try:
            outcomes.append(method(res, name, value) is res)
        except ValueError as exc:
            outcomes.append(str(exc))
    return outcomes, list(res._headers), res._typed


@pytest.mark.parametrize("steps", _HEADER_STEPS)
def test_the_native_fast_path_sets_headers_as_the_python_method_does(steps):
    """Each case twice (the second time every name is cached, so the fast
    path takes what it can), against the Python method alone."""
    for _ in range(2):
        native = _apply(Response(App()), steps, Response.header)
        python = _apply(Response(App()), steps, Response._header)
        assert native == python


def test_headers_set_by_hooks_reach_the_client_in_order():
    def before(req, res, ctx):
        res.header("X-Before", "b").header("Content-Type", "text/csv")

    def handler(req, res, ctx):
        res.header("X-Handler", "h").header("x-before", "replaced")
        res.body = "a,b"

    def after(req, res, ctx):
        res.header("X-After", "a").header("Set-Cookie", "k=1").header("set-cookie", "j=2")

    app = App()
    app.BEFORE("/", before)
    app.GET("/", handler)
    app.AFTER("/", after)
    with Client(app) as c:
        for _ in range(2):
            r = c.get("/")
            assert r.text == "a,b" and r.headers["content-type"] == "text/csv"
            assert [k for k in r.headers if k.startswith("x-")] == ["x-handler", "x-before", "x-after"]
            assert r.headers["x-before"] == "replaced"
            assert r.headers.get_list("set-cookie") == ["k=1", "j=2"]
