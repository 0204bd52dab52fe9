"""The last exchange's `Request` and `Response` are reused by the next
request when nothing else holds them (rust/py's `recycle.rs`): a reused
pair must be indistinguishable from a new one, and a pair anybody kept
must never be touched."""

from __future__ import annotations

import asyncio
import json

import pytest

from heaven import App
from heaven._serving.exchange import EXCHANGE, begin
from heaven.context import Context
from heaven.request import Request
from heaven.response import Response
from helpers import http_scope, raw_call
from test_exchange import state

pytestmark = pytest.mark.interfaces


def serve(app: App, *paths: str) -> list[dict]:
    async def run() -> list[dict]:
        return [await raw_call(app, http_scope(path)) for path in paths]

    return asyncio.run(run())


def test_a_pair_nobody_holds_is_reused(interface):
    app = App()

    async def hello(req, res, ctx):
        res.body = "hi"

    app.GET("/", hello)
    serve(app, "/")  # compiles; leaves a pair behind
    before = EXCHANGE._reused
    answers = serve(app, *["/"] * 20)
    assert [a["body"] for a in answers] == [b"hi"] * 20
    assert EXCHANGE._reused - before == 20


def test_a_reused_pair_is_what_new_objects_would_be(interface):
    """Everything the first request left on its pair (status, headers, body,
    deferred work, caches, params, the context's keys) is gone from the next
    one, which has the state a new pair would have."""
    app = App()
    seen: list[tuple[dict, dict, dict]] = []

    async def messy(req, res, ctx):
        req.params, req.queries, req.headers, req.cookies  # views made and cached
        _ = req.json if req.body else None
        res.status = 201
        res.header("X-Left", "over")
        res.body = {"left": "over"}
        res.defer(lambda app: None)
        ctx.keep("user", "someone")

    def snapshot(obj: object) -> dict:
        return {k: list(v) if type(v) is list else v for k, v in state(obj).items()}  # the answer adds headers later

    async def look(req, res, ctx):
        seen.append((snapshot(req), snapshot(res), snapshot(ctx)))
        seen.append((dict(req.params), req.path, ctx.user))

    app.GET("/messy/:name", messy)
    app.GET("/look/:id:int", look)
    before = EXCHANGE._reused
    answers = serve(app, "/messy/a", "/look/7", "/messy/b", "/look/8")
    assert [a["status"] for a in answers] == [201, 200, 201, 200]
    assert "x-left" not in answers[1]["headers"] and answers[1]["body"] == b""
    assert EXCHANGE._reused - before >= 2  # the two `look` requests had reused pairs

    head = app._compile().route(http_scope("/look/7"))
    fresh_req = Request(head, b"", None, app, None, app)
    fresh_res = Response(app, None, fresh_req)
    fresh_ctx = Context(fresh_req, fresh_res)
    links = ("_req", "_ctx", "_res")
    for req_state, res_state, ctx_state in (seen[0], seen[2]):
        assert {k: v for k, v in res_state.items() if k not in links} == {
            k: v for k, v in state(fresh_res).items() if k not in links
        }
        assert {k: v for k, v in ctx_state.items() if k not in links} == {
            k: v for k, v in state(fresh_ctx).items() if k not in links
        }
        for name in ("_body", "_json", "_data", "_streamed", "_drained", "_form", "_id"):
            assert req_state[name] == state(fresh_req)[name], name
    assert seen[1] == ({"id": 7}, "/look/7", None)
    assert seen[3] == ({"id": 8}, "/look/8", None)


def test_a_kept_pair_is_never_touched(interface):
    """A handler that keeps `req`, `res` or `ctx` keeps them as they were."""
    app = App()
    kept: list[tuple] = []

    async def keeper(req, res, ctx):
        res.status = 202
        res.header("X-Mine", req.params["name"])
        res.body = req.params["name"]
        ctx.user = req.params["name"]
        kept.append((req, res, ctx))

    app.GET("/keep/:name", keeper)
    serve(app, "/keep/a", "/keep/b", "/keep/c", "/keep/d")
    assert [(r.params["name"], r.path, s.status, s.body, s._headers[0], c.user) for r, s, c in kept] == [
        (name, f"/keep/{name}", 202, name, (b"x-mine", name.encode()), name) for name in "abcd"
    ]
    assert len({id(obj) for trio in kept for obj in trio}) == 12


@pytest.mark.parametrize("holds", ["req", "res", "ctx"])
def test_holding_any_one_of_the_three_keeps_the_pair(interface, holds):
    app = App()
    kept: list = []

    async def keeper(req, res, ctx):
        res.body = req.params["name"]
        kept.append({"req": req, "res": res, "ctx": ctx}[holds])

    app.GET("/keep/:name", keeper)
    before = EXCHANGE._reused
    serve(app, "/keep/a", "/keep/b", "/keep/c")
    assert EXCHANGE._reused == before
    req = kept[0] if holds == "req" else kept[0]._req
    assert req.params["name"] == "a" and req.path == "/keep/a"


def test_requests_in_flight_together_keep_their_own_objects(interface):
    """One request waits inside its handler while others start and finish:
    each answers with its own path, and the waiting one finds its objects
    as it left them."""
    app = App()
    release = asyncio.Event()

    async def slow(req, res, ctx):
        res.header("X-Path", req.path)
        ctx.keep("mine", req.path)
        await release.wait()
        res.body = f"{req.path} {ctx.mine} {res._headers[0][1].decode()}"

    async def fast(req, res, ctx):
        res.body = req.path

    app.GET("/slow/:n", slow)
    app.GET("/fast/:n", fast)

    async def run() -> list[dict]:
        waiting = asyncio.create_task(raw_call(app, http_scope("/slow/1")))
        await asyncio.sleep(0)
        quick = [await raw_call(app, http_scope(f"/fast/{n}")) for n in range(5)]
        release.set()
        return [await waiting, *quick]

    answers = asyncio.run(run())
    assert answers[0]["body"] == b"/slow/1 /slow/1 /slow/1"
    assert [a["body"] for a in answers[1:]] == [f"/fast/{n}".encode() for n in range(5)]


def test_begin_outside_a_request_gives_new_objects_each_time():
    """`begin` (the lifecycle's, and tests') never hands out a pair a
    caller still holds."""
    app = App()
    app.GET("/", lambda req, res, ctx: None)
    head = app._compile().route(http_scope("/"))
    held = [begin(head, b"", None, app, None, app) for _ in range(5)]
    assert len({id(obj) for trio in held for obj in trio}) == 15


def test_requests_with_bodies_and_refusals_between_reused_ones_get_their_own(interface):
    """A request begun after its body is read, and a refusal answered by an
    error handler, start from the routing head alone: nothing of the
    request before them shows through."""
    app = App()

    async def echo(req, res, ctx):
        res.body = {"path": req.path, "body": req.body.decode(), "json": req.json}

    async def plain(req, res, ctx):
        res.status = 203
        res.body = req.path

    def not_found(req, res, ctx, error):
        res.status = 404
        res.body = {"missing": req.path, "body": req.body.decode()}

    app.POST("/echo", echo)
    app.GET("/plain/:n", plain)
    app.ERROR(404, not_found)

    async def run() -> list[dict]:
        out = []
        for n in range(3):
            out.append(await raw_call(app, http_scope(f"/plain/{n}")))
            body = f'{{"n": {n}}}'.encode()
            scope = http_scope("/echo", "POST", [(b"host", b"testserver"), (b"content-length", str(len(body)).encode())])
            out.append(await raw_call(app, scope, [body]))
            out.append(await raw_call(app, http_scope(f"/nowhere/{n}")))
        return out

    answers = asyncio.run(run())
    for n in range(3):
        plain_answer, echoed, missing = answers[3 * n : 3 * n + 3]
        assert (plain_answer["status"], plain_answer["body"]) == (203, f"/plain/{n}".encode())
        assert echoed["status"] == 200
        assert json.loads(echoed["body"]) == {"path": "/echo", "body": f'{{"n": {n}}}', "json": {"n": n}}
        assert missing["status"] == 404
        assert json.loads(missing["body"]) == {"missing": f"/nowhere/{n}", "body": ""}


def test_a_header_list_someone_holds_is_not_reused(interface):
    app = App()
    lists: list[list] = []

    async def keep_list(req, res, ctx):
        lists.append(res._headers)
        res.body = req.path

    async def later(req, res, ctx):
        res.header("X-Later", "1")

    app.GET("/h/:n", keep_list)
    app.GET("/later", later)
    answers = serve(app, *[f"/h/{n}" for n in range(5)], "/later", "/later")
    assert [a["body"] for a in answers[:5]] == [f"/h/{n}".encode() for n in range(5)]
    assert answers[-1]["headers"]["x-later"] == "1"
    assert len({id(kept) for kept in lists}) == 5
    assert not any((b"x-later", b"1") in kept for kept in lists)


def test_a_context_whose_keys_someone_holds_is_not_reused(interface):
    """`vars(ctx)` kept by a handler stays as that request left it: the next
    requests neither see its keys nor write into it."""
    app = App()
    kept: list[dict] = []

    async def keep_keys(req, res, ctx):
        assert ctx.mine is None  # nothing of an earlier request's keys
        ctx.mine = req.path
        kept.append(vars(ctx))
        res.body = req.path

    app.GET("/k/:n", keep_keys)
    answers = serve(app, *[f"/k/{n}" for n in range(4)])
    assert [a["body"] for a in answers] == [f"/k/{n}".encode() for n in range(4)]
    assert kept == [{"mine": f"/k/{n}"} for n in range(4)]


def test_a_context_is_reused_with_its_keys_gone(interface):
    app = App()
    seen: list[object] = []

    async def keys(req, res, ctx):
        seen.append((ctx.mine, ctx.peek("other"), "mine" in ctx))
        ctx.mine = req.path
        ctx.keep("other", 1)

    app.GET("/c/:n", keys)
    serve(app, *[f"/c/{n}" for n in range(4)])
    assert seen == [(None, None, False)] * 4
