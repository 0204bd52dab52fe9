"""Sessions through the ASGI callable (docs/security.md): cookies written only when
changed, tampered/expired/truncated cookies give an empty session, never a 500."""

import time

import pytest

from heaven import App
from heaven.security import SecureSerializer
from helpers import Client

pytestmark = pytest.mark.interfaces


def build(**options):
    app = App()
    app.sessions("first secret", **options)

    def login(req, res, ctx):
        ctx.session.user = req.params["name"]
        ctx.session.visits = 0
        res.body = "in"

    def visit(req, res, ctx):
        if ctx.session.user is not None:
            ctx.session.visits += 1
        res.body = {"user": ctx.session.user, "visits": ctx.session.visits}

    def peek(req, res, ctx):
        res.body = {"user": ctx.session.user}

    def logout(req, res, ctx):
        ctx.session.clear()

    def untouched(req, res, ctx):
        res.body = "no session read"

    app.POST("/login/:name", login)
    app.GET("/visit", visit)
    app.GET("/peek", peek)
    app.POST("/logout", logout)
    app.GET("/plain", untouched)
    return app


def test_round_trip_and_cookie_only_when_modified():
    with Client(build()) as c:
        r = c.post("/login/ada")
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("session=") and "HttpOnly" in cookie and "Max-Age=3600" in cookie
        assert c.get("/visit").json() == {"user": "ada", "visits": 1}
        assert c.get("/visit").json() == {"user": "ada", "visits": 2}
        # Reading without changing writes no cookie; not reading costs nothing.
        assert "set-cookie" not in c.get("/peek").headers
        assert "set-cookie" not in c.get("/plain").headers
        r = c.post("/logout")
        assert "Max-Age=0" in r.headers["set-cookie"]
        assert c.get("/peek").json() == {"user": None}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda v: v[:-1],
        lambda v: v[:10],
        lambda v: v.replace(".", "x", 1),
        lambda v: "A" + v[1:],
        lambda v: "",
        lambda v: "garbage",
        lambda v: v + "%00",
        lambda v: "é" + v,
    ],
)
def test_tampered_cookies_give_an_empty_session(mangle):
    app = build()
    with Client(app) as c:
        token = c.post("/login/ada").headers["set-cookie"].split(";")[0].split("=", 1)[1]
        c.cookies.clear()
        r = c.get("/peek", headers={"cookie": f"session={mangle(token)}".encode()})
        assert (r.status_code, r.json()) == (200, {"user": None})


def test_expired_and_foreign_cookies_give_an_empty_session():
    app = build(max_age=60)
    old = SecureSerializer("first secret", salt="heaven.session", now=lambda: time.time() - 3600).dumps({"user": "old"})
    foreign = SecureSerializer("other secret", salt="heaven.session").dumps({"user": "mallory"})
    fresh = SecureSerializer("first secret", salt="heaven.session").dumps({"user": "ok"})
    with Client(app) as c:
        assert c.get("/peek", headers={"cookie": f"session={old}"}).json() == {"user": None}
        assert c.get("/peek", headers={"cookie": f"session={foreign}"}).json() == {"user": None}
        assert c.get("/peek", headers={"cookie": f"session={fresh}"}).json() == {"user": "ok"}


def test_key_rotation():
    old_app = build()
    with Client(old_app) as c:
        token = c.post("/login/ada").headers["set-cookie"].split(";")[0].split("=", 1)[1]
    rotated = App()
    rotated.sessions(["new secret", "first secret"])
    rotated.GET("/peek", lambda req, res, ctx: setattr(res, "body", {"user": ctx.session.user}))
    with Client(rotated) as c:
        assert c.get("/peek", headers={"cookie": f"session={token}"}).json() == {"user": "ada"}


def test_sessions_survive_abort_but_not_errors():
    app = App()
    app.sessions("s")

    def login_and_redirect(req, res, ctx):
        ctx.session.user = "ada"
        res.redirect("/home")
        res.abort()

    def broken(req, res, ctx):
        ctx.session.user = "eve"
        raise RuntimeError("no")

    app.POST("/login", login_and_redirect)
    app.POST("/broken", broken)
    with Client(app) as c:
        r = c.post("/login")
        assert r.status_code == 307 and "set-cookie" in r.headers
        r = c.post("/broken")
        assert r.status_code == 500 and "set-cookie" not in r.headers


def test_without_sessions_ctx_session_is_none():
    app = App()
    app.GET("/", lambda req, res, ctx: setattr(res, "body", {"session": ctx.session}))
    with Client(app) as c:
        assert c.get("/", headers={"cookie": "session=whatever"}).json() == {"session": None}


def test_bad_session_options_fail_at_configuration():
    with pytest.raises(TypeError):
        App().sessions("s", colour="blue")
    with pytest.raises(ValueError):
        App().sessions("")


def test_websocket_handlers_read_the_session():
    # The cookie comes with the handshake; before, ctx.session read None there.
    import asyncio

    app = build()
    seen = []

    async def whoami(send, receive, req, ctx):
        seen.append(ctx.session.user)
        await send("ok")

    app.WS("/whoami", whoami)
    with Client(app) as c:
        cookie = c.post("/login/ada").headers["set-cookie"].split(";")[0]

    async def talk():
        async with app.earth.SOCKET("/whoami", headers={"cookie": cookie}) as ws:
            assert await ws.receive() == "ok"
        async with app.earth.SOCKET("/whoami") as ws:
            assert await ws.receive() == "ok"

    asyncio.run(talk())
    assert seen == ["ada", None]


def test_sessions_turned_on_after_the_first_request_apply_at_once():
    """A served app is compiled; `app.sessions()` recompiles it, so the
    lifecycle's one test for CORS and sessions sees them."""
    app = App()

    def login(req, res, ctx):
        ctx.session.user = "ada"
        res.body = "in"

    app.POST("/login", login)
    with Client(app) as c:
        assert c.post("/login").status_code == 500  # no sessions yet: ctx.session fails
        app.sessions("late secret")
        r = c.post("/login")
        assert r.status_code == 200 and r.headers["set-cookie"].startswith("session=")
