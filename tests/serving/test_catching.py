"""Error handlers (`app.ERROR`) and the problem+json format (`app.PROBLEMS()`),
docs/errors.md: by class along the MRO and by status, for every answer
heaven makes itself (400/404/405 refusals, 413, HTTPError, 422, 500), per
subdomain, per mounted app, and the fallbacks when a handler fails."""

from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus

import pytest
from msgspec import Struct

from heaven import App, HTTPError
from heaven.errors import HandlerError, MethodNotAllowed, NotFound, ValidationFailed
from helpers import Client, http_scope, raw_call

pytestmark = pytest.mark.interfaces

PROBLEM = "application/problem+json"


def crash(req, res, ctx):
    raise ZeroDivisionError("boom")


def heaven_logs(caplog):
    return [r for r in caplog.records if r.name == "heaven" and r.levelno >= logging.ERROR]


# -- statuses heaven answers itself ------------------------------------------------


def test_a_404_handler_answers_unrouted_paths_and_reads_the_request():
    app = App()
    app.GET("/here", lambda req, res, ctx: setattr(res, "body", "here"))

    @app.ERROR(404)
    def missing(req, res, ctx, exc):
        assert isinstance(exc, NotFound) and exc.status == 404 and res.status == 404
        res.body = {"missing": req.path, "query": req.queries.get("q"), "agent": req.headers.get("x-agent")}

    assert missing.__name__ == "missing"  # the decorator gives the function back
    with Client(app) as c:
        r = c.get("/nowhere/else?q=1", headers={"X-Agent": "probe"})
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/json"
        assert r.json() == {"missing": "/nowhere/else", "query": "1", "agent": "probe"}
        assert c.get("/here").text == "here"


def test_a_405_handler_gets_the_allow_header_and_the_methods():
    app = App()
    app.GET("/items", lambda req, res, ctx: None)
    app.PUT("/items", lambda req, res, ctx: None)

    def not_allowed(req, res, ctx, exc):
        assert isinstance(exc, MethodNotAllowed)
        res.body = f"use {exc.allow}"

    app.ERROR(405, not_allowed)
    with Client(app) as c:
        r = c.post("/items")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, PUT"
    assert r.text == "use GET, HEAD, PUT"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"


def test_a_400_handler_answers_a_malformed_path():
    app = App()
    app.GET("/a/:name", lambda req, res, ctx: None)
    app.ERROR(400, lambda req, res, ctx, exc: setattr(res, "body", {"bad": exc.message}))
    answer = asyncio.run(raw_call(app, http_scope("/a/a%00b", raw_path=b"/a/a%00b")))
    assert answer["status"] == 400
    assert answer["headers"]["content-type"] == "application/json"
    assert json.loads(answer["body"]) == {"bad": "Bad Request: NUL byte in path"}


def test_a_413_handler_answers_a_body_over_the_limit():
    app = App(max_body_size=4)
    app.POST("/upload", lambda req, res, ctx: setattr(res, "body", "stored"))
    app.ERROR(413, lambda req, res, ctx, exc: setattr(res, "body", f"at most 4 bytes on {req.path}"))
    with Client(app) as c:
        r = c.post("/upload", content=b"0123456789")
        assert (r.status_code, r.text) == (413, "at most 4 bytes on /upload")
        assert r.headers["connection"] == "close"
        assert c.post("/upload", content=b"0123").text == "stored"


def test_status_handlers_take_http_errors_raised_by_handlers_and_hooks():
    app = App()

    def gone(req, res, ctx):
        raise HTTPError("order 7 was cancelled", status=410)

    def guard(req, res, ctx):
        raise HTTPError(status=403, detail="members only", headers={"WWW-Authenticate": 'Bearer realm="shop"'})

    app.GET("/orders/7", gone)
    app.GET("/private", lambda req, res, ctx: None)
    app.BEFORE("/private", guard)
    app.ERROR(410, lambda req, res, ctx, exc: setattr(res, "body", {"gone": exc.message}))
    app.ERROR(403, lambda req, res, ctx, exc: setattr(res, "body", {"forbidden": exc.message}))
    with Client(app) as c:
        r = c.get("/orders/7")
        assert (r.status_code, r.json()) == (410, {"gone": "order 7 was cancelled"})
        r = c.get("/private")
        assert (r.status_code, r.json()) == (403, {"forbidden": "members only"})
        assert r.headers["www-authenticate"] == 'Bearer realm="shop"'


def test_a_422_handler_sees_the_contract_failure():
    class Order(Struct):
        qty: int

    app = App()
    app.schema.POST("/orders", expects=Order)
    app.POST("/orders", lambda req, res, ctx: setattr(res, "body", "ok"))

    def invalid(req, res, ctx, exc):
        assert isinstance(exc, ValidationFailed)
        res.body = {"fields": [e["path"] for e in exc.errors]}

    app.ERROR(422, invalid)
    with Client(app) as c:
        r = c.post("/orders", json={"qty": "many"})
    assert (r.status_code, r.json()) == (422, {"fields": ["$.qty"]})


# -- exceptions: by class along the MRO, then 500 ------------------------------------


def test_the_most_specific_class_along_the_mro_wins():
    app = App()
    app.GET("/key", lambda req, res, ctx: {}["missing"])
    app.GET("/index", lambda req, res, ctx: [][1])
    app.GET("/value", lambda req, res, ctx: int("x"))
    app.ERROR(LookupError, lambda req, res, ctx, exc: setattr(res, "body", f"lookup {type(exc).__name__}"))
    app.ERROR(KeyError, lambda req, res, ctx, exc: setattr(res, "body", f"key {exc.args[0]}"))
    with Client(app) as c:
        assert (c.get("/key").status_code, c.get("/key").text) == (500, "key missing")
        assert c.get("/index").text == "lookup IndexError"
        assert (c.get("/value").status_code, c.get("/value").text) == (500, "Internal Server Error")


def test_a_class_handler_sets_its_own_status_and_is_not_logged_as_unhandled(caplog):
    app = App()

    def bad_input(req, res, ctx, exc):
        res.status = 400
        res.body = {"error": str(exc)}

    app.GET("/n", lambda req, res, ctx: int(req.queries.get("v")))
    app.ERROR(ValueError, bad_input)
    with caplog.at_level(logging.ERROR, logger="heaven"), Client(app) as c:
        r = c.get("/n?v=x")
    assert (r.status_code, r.json()) == (400, {"error": "invalid literal for int() with base 10: 'x'"})
    assert heaven_logs(caplog) == []


def test_a_500_handler_comes_after_class_handlers_and_the_error_is_logged_once(caplog):
    app = App()
    app.GET("/crash", crash)
    app.GET("/lookup", lambda req, res, ctx: {}["k"])

    async def server_error(req, res, ctx, exc):
        await asyncio.sleep(0)
        res.body = {"error": "internal", "kind": type(exc).__name__}

    app.ERROR(500, server_error)
    app.ERROR(KeyError, lambda req, res, ctx, exc: setattr(res, "body", "key"))
    with caplog.at_level(logging.ERROR, logger="heaven"), Client(app) as c:
        r = c.get("/crash")
        assert (r.status_code, r.json()) == (500, {"error": "internal", "kind": "ZeroDivisionError"})
        assert c.get("/lookup").text == "key"
    records = heaven_logs(caplog)
    assert len(records) == 1
    assert records[0].getMessage() == "unhandled error in GET /crash (route /crash)"
    assert records[0].exc_info[0] is ZeroDivisionError


def test_a_status_handler_wins_over_http_error_and_exception_handlers():
    app = App()

    def missing(req, res, ctx):
        raise HTTPError("no such thing", status=404)

    app.GET("/thing", missing)
    app.GET("/crash", crash)
    app.ERROR(Exception, lambda req, res, ctx, exc: setattr(res, "body", "anything"))
    app.ERROR(HTTPError, lambda req, res, ctx, exc: setattr(res, "body", "http"))
    app.ERROR(404, lambda req, res, ctx, exc: setattr(res, "body", "404"))
    with Client(app) as c:
        assert (c.get("/thing").status_code, c.get("/thing").text) == (404, "404")
        assert (c.get("/nowhere").status_code, c.get("/nowhere").text) == (404, "404")
        assert (c.get("/thing", params={}).status_code, c.post("/thing").text) == (404, "http")  # a 405
        assert (c.get("/crash").status_code, c.get("/crash").text) == (500, "anything")


def test_an_error_handler_that_fails_is_logged_and_the_plain_500_goes_out(caplog):
    app = App()
    app.GET("/crash", crash)

    def broken(req, res, ctx, exc):
        res.header("X-Half", "done")
        raise RuntimeError("the handler broke")

    app.ERROR(ZeroDivisionError, broken)
    app.ERROR(404, broken)
    with caplog.at_level(logging.ERROR, logger="heaven"), Client(app) as c:
        r = c.get("/crash")
        assert (r.status_code, r.text) == (500, "Internal Server Error")
        assert "x-half" not in r.headers
        r = c.get("/missing")
        assert (r.status_code, r.text) == (500, "Internal Server Error")
    messages = [r.getMessage() for r in heaven_logs(caplog)]
    assert messages == [
        "the error handler test_an_error_handler_that_fails_is_logged_and_the_plain_500_goes_out.<locals>.broken "
        "failed while answering 500 for /crash",
        "the error handler test_an_error_handler_that_fails_is_logged_and_the_plain_500_goes_out.<locals>.broken "
        "failed while answering 404 for /missing",
    ]


def test_error_answers_keep_before_hook_headers_and_drop_the_handlers():
    app = App()

    def half(req, res, ctx):
        res.header("X-Handler", "1")
        raise ZeroDivisionError

    app.GET("/half", half)
    app.BEFORE("/*", lambda req, res, ctx: res.header("X-Trace", "t-1"))

    def oops(req, res, ctx, exc):
        assert res.headers.get("x-trace") == "t-1" and res.headers.get("x-handler") is None
        res.body = "oops"

    app.ERROR(500, oops)
    with Client(app) as c:
        r = c.get("/half")
    assert (r.status_code, r.text) == (500, "oops")
    assert r.headers["x-trace"] == "t-1" and "x-handler" not in r.headers


def test_an_error_handler_may_defer_work_and_use_the_import_string_form():
    app = App()
    done = []
    app.GET("/crash", crash)

    def later(req, res, ctx, exc):
        res.body = "later"
        res.defer(lambda a: done.append(a))

    app.ERROR(500, later)
    app.ERROR(404, "handlers.not_found")
    with Client(app) as c:
        assert c.get("/crash").text == "later"
        r = c.get("/no/such/page")
        assert (r.status_code, r.text) == (404, "not found: /no/such/page")
    assert done == [app]


# -- scopes: subdomains, mounted apps, path prefixes -----------------------------------


def test_subdomain_handlers_win_over_app_wide_ones_there():
    app = App()
    api = app.subdomain("api")
    api.GET("/v1", lambda req, res, ctx: None)
    app.GET("/", lambda req, res, ctx: None)
    app.ERROR(404, lambda req, res, ctx, exc: setattr(res, "body", "www 404"))

    @api.ERROR(404)
    def api_missing(req, res, ctx, exc):
        res.body = {"error": "not found"}

    api.GET("/crash", crash)
    app.ERROR(500, lambda req, res, ctx, exc: setattr(res, "body", "app-wide 500"))
    with Client(app, host="api.example.com") as c:
        assert c.get("/nope").json() == {"error": "not found"}
        assert c.get("/crash").text == "app-wide 500"
    with Client(app, host="example.com") as c:
        assert c.get("/nope").text == "www 404"


def test_a_mounted_apps_handlers_come_first_on_its_routes_then_the_parents():
    child = App()
    child.GET("/child/crash", crash)
    child.GET("/child/lookup", lambda req, res, ctx: {}["k"])
    child.ERROR(ZeroDivisionError, lambda req, res, ctx, exc: setattr(res, "body", f"child saw it on {req.app is child}"))
    parent = App()
    parent.GET("/crash", crash)
    parent.ERROR(ZeroDivisionError, lambda req, res, ctx, exc: setattr(res, "body", "parent"))
    parent.ERROR(KeyError, lambda req, res, ctx, exc: setattr(res, "body", "parent key"))
    parent.mount(child)
    child.ERROR(404, lambda req, res, ctx, exc: setattr(res, "body", "child 404"))  # registered later: it follows
    with Client(parent) as c:
        assert c.get("/child/crash").text == "child saw it on True"
        assert c.get("/child/lookup").text == "parent key"
        assert c.get("/crash").text == "parent"
        # a request no route takes is the parent's own: the child's 404 does not answer it
        assert (c.get("/child/none").status_code, c.get("/child/none").text) == (404, "Not found")


def test_a_path_prefix_scope_covers_its_routes_and_refused_paths_only():
    """The internal registration route groups use (`app._catch(..., prefix)`)."""
    app = App()
    app.GET("/v1/crash", crash)
    app.GET("/crash", crash)
    app._catch(500, lambda req, res, ctx, exc: setattr(res, "body", "v1 500"), None, "/v1/")
    app._catch(404, lambda req, res, ctx, exc: setattr(res, "body", "v1 404"), None, "/v1")
    app.ERROR(404, lambda req, res, ctx, exc: setattr(res, "body", "app 404"))
    with Client(app) as c:
        assert c.get("/v1/crash").text == "v1 500"
        assert c.get("/crash").text == "Internal Server Error"
        assert c.get("/v1/nothing").text == "v1 404"
        assert c.get("/v1").text == "v1 404"
        assert c.get("/v10").text == "app 404"


# -- registration -------------------------------------------------------------------


def test_bad_registrations_raise_at_once():
    app = App()
    with pytest.raises(ValueError, match=r"app.ERROR takes an exception class or an error status \(400-599\), not 200"):
        app.ERROR(200, lambda req, res, ctx, exc: None)
    with pytest.raises(ValueError, match="not 'oops'"):
        app.ERROR("oops", lambda req, res, ctx, exc: None)
    with pytest.raises(HandlerError, match=r"app.ERROR\(404\): the handler must take \(req, res, ctx, exc\)"):
        app.ERROR(404, lambda req, res, ctx: None)
    with pytest.raises(ValueError, match="must start with '/'"):
        app._catch(404, lambda req, res, ctx, exc: None, None, "v1")
    assert app.ERROR(KeyError, lambda req, res, ctx, exc: None) is app


# -- problem+json ---------------------------------------------------------------------


def problem_app() -> App:
    class Order(Struct):
        qty: int
        note: str

    app = App(max_body_size=64).PROBLEMS()
    app.GET("/items", lambda req, res, ctx: setattr(res, "body", ["a"]))
    app.GET("/crash", crash)
    app.schema.POST("/orders", expects=Order)
    app.POST("/orders", lambda req, res, ctx: None)

    def teapot(req, res, ctx):
        raise HTTPError(status=418, detail={"brew": "coffee", "status": 200}, headers=[("Retry-After", "60")])

    app.GET("/tea", teapot)
    return app


def test_problems_cover_every_answer_heaven_makes():
    with Client(problem_app()) as c:
        assert c.get("/items").json() == ["a"]  # the success path is as it was
        r = c.get("/missing")
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
        assert r.json() == {"type": "about:blank", "title": "Not Found", "status": 404, "instance": "/missing"}
        r = c.delete("/items")
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD" and r.headers["content-type"] == PROBLEM
        assert r.json() == {"type": "about:blank", "title": "Method Not Allowed", "status": 405, "instance": "/items"}
        r = c.post("/orders", content=b"x" * 100)
        assert r.status_code == 413 and r.headers["content-type"] == PROBLEM and r.headers["connection"] == "close"
        assert r.json()["status"] == 413 and r.json()["detail"] == "Payload too large"
        r = c.post("/orders", json={"qty": "two", "note": "x"})
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
        assert r.json() == {
            "type": "about:blank", "title": "Unprocessable Entity", "status": 422,
            "detail": "Expected `int`, got `str` (at $.qty)", "instance": "/orders",
            "errors": [{"path": "$.qty", "message": "Expected `int`, got `str`"}],
        }  # fmt: skip
        r = c.post("/orders", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 400 and r.headers["content-type"] == PROBLEM
        problem = r.json()
        assert problem.pop("detail") == "the body is not valid JSON (JSON is malformed: object keys must be strings (byte 1))"
        assert problem == {"type": "about:blank", "title": "Bad Request", "status": 400, "instance": "/orders", "path": "$"}
        r = c.get("/crash")
        assert r.status_code == 500 and r.headers["content-type"] == PROBLEM
        assert r.json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500, "instance": "/crash"}
        r = c.get("/tea")
        assert r.status_code == 418 and r.headers["retry-after"] == "60"
        assert r.json() == {
            "type": "about:blank", "title": "I'm a Teapot", "status": 418, "instance": "/tea", "brew": "coffee",
        }  # fmt: skip


def test_problems_for_a_malformed_path_and_a_failed_startup():
    app = problem_app()
    answer = asyncio.run(raw_call(app, http_scope("/a/a%00b", raw_path=b"/a/a%00b")))
    assert answer["status"] == 400 and answer["headers"]["content-type"] == PROBLEM
    problem = json.loads(answer["body"])
    # `instance` is the path as the interface gave it (RSGI's arrives decoded)
    assert problem.pop("instance") in ("/a/a%00b", "/a/a\x00b")
    assert problem == {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "NUL byte in path"}

    async def while_starting():
        failed = asyncio.get_running_loop().create_future()
        failed.set_exception(RuntimeError("the database is down"))
        app._matcher, app._starting = None, failed
        return await raw_call(app, http_scope("/items"))

    answer = asyncio.run(while_starting())
    assert answer["status"] == 503 and answer["headers"]["content-type"] == PROBLEM
    assert json.loads(answer["body"]) == {"type": "about:blank", "title": "Service Unavailable", "status": 503}


def test_handlers_come_before_problems_and_a_mounted_apps_problems_cover_its_routes():
    child = App().PROBLEMS()
    child.GET("/child/crash", crash)
    parent = App()
    parent.GET("/crash", crash)
    parent.mount(child)
    with Client(parent) as c:
        assert c.get("/child/crash").headers["content-type"] == PROBLEM
        assert c.get("/crash").text == "Internal Server Error"
        assert c.get("/nothing").text == "Not found"
    late = App()
    late.GET("/late/crash", crash)
    parent.mount(late)
    with Client(parent) as c:
        assert c.get("/late/crash").text == "Internal Server Error"
        late.PROBLEMS()  # after mounting, and after the parent compiled: it follows
        assert c.get("/late/crash").headers["content-type"] == PROBLEM
    parent.PROBLEMS().ERROR(404, lambda req, res, ctx, exc: setattr(res, "body", "custom"))
    with Client(parent) as c:
        assert c.get("/crash").headers["content-type"] == PROBLEM
        assert (c.get("/nothing").status_code, c.get("/nothing").text) == (404, "custom")


def test_debug_keeps_its_page_over_problems():
    app = App(debug=True).PROBLEMS()
    app.GET("/crash", crash)
    with Client(app) as c:
        r = c.get("/crash")
    assert r.status_code == 500 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "ZeroDivisionError" in r.text


# -- HTTPError's constructor ----------------------------------------------------------


def test_http_error_keeps_its_spellings_and_takes_detail_and_headers():
    from http import HTTPStatus

    from heaven import BadRequest, PayloadTooLarge

    assert (HTTPError().status, HTTPError().message, HTTPError().headers) == (500, "Internal Server Error", [])
    assert (HTTPError("gone", 410).status, HTTPError("gone", 410).message) == (410, "gone")
    assert HTTPError("no", status=HTTPStatus.NOT_FOUND).status == 404
    assert (BadRequest("bad").status, PayloadTooLarge().message) == (400, "Payload too large")
    error = HTTPError(status=404, detail="no order 7")
    assert (error.message, error.detail, str(error)) == ("no order 7", "no order 7", "no order 7")
    error = HTTPError("Not found", status=404, detail="no order 7")
    assert (error.message, error.detail) == ("Not found", "no order 7")
    assert HTTPError(status=429, detail={"limit": 10}).detail == {"limit": 10}
    assert HTTPError(headers={"Retry-After": 5}).headers == [(b"retry-after", b"5")]
    assert HTTPError(headers=[("X-A", "1"), ("X-A", "2")]).headers == [(b"x-a", b"1"), (b"x-a", b"2")]
    with pytest.raises(ValueError, match="header 'X-Evil'.*control character"):
        HTTPError(headers={"X-Evil": "a\r\nSet-Cookie: x=1"})
    with pytest.raises(ValueError, match="invalid header name"):
        HTTPError(headers={"Bad Name": "1"})
    with pytest.raises(ValueError, match="between 100 and 599, got 99"):
        HTTPError(status=99)
    with pytest.raises(TypeError, match="detail must be a str or a dict, got list"):
        HTTPError(detail=["x"])


# -- a body that cannot be encoded ---------------------------------------------------


@pytest.mark.parametrize("route", ["plain", "hooked", "cors", "enum_status"])
def test_a_str_body_with_a_lone_surrogate_is_heavens_500_on_every_path(route, caplog):
    """A `str` body UTF-8 cannot encode is a handler's bug: heaven's 500 and
    the app's error handler answer it, whichever path finishes the response
    (the native usual answer, or the general one a hook or CORS takes)."""
    app = App()

    def handler(req, res, ctx):
        res.body = "bad \ud800 text"
        if route == "enum_status":  # not a plain int: the general path finishes it
            res.status = HTTPStatus.OK

    app.GET("/bad", handler)
    if route == "hooked":
        app.AFTER("/bad", lambda req, res, ctx: res.header("X-After", "1"))
    if route == "cors":
        app.cors()
    seen = []

    @app.ERROR(UnicodeEncodeError)
    def encode_failed(req, res, ctx, exc):
        seen.append(type(exc))
        res.status, res.body = 500, "the page could not be encoded"

    with Client(app, raise_app_exceptions=False) as client:
        response = client.get("/bad", headers={"Origin": "http://elsewhere.test"})
    assert (response.status_code, response.text) == (500, "the page could not be encoded")
    assert seen == [UnicodeEncodeError]
    if route == "cors":
        assert response.headers["access-control-allow-origin"] == "*"
