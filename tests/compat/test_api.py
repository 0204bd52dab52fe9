"""Heaven 2.4.3's documented API on heaven, where a request alone does not
show it (a signature, a module, a token, `app.listen()`); and the three
known differences no request can show (docs/compatibility.md)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Annotated, List, TypedDict

import httpx
import pytest

import heaven
from heaven import App, Application, Context, Key, Pytastic, PytasticError, Router, Server, ValidationError
from heaven.security import BadSignature, SecureSerializer, SecurityError, SignatureExpired

REPO = Path(__file__).resolve().parents[2]
H243 = REPO / "benches" / "http" / ".venv-heaven243" / "bin" / "python"


def run(coro):
    return asyncio.run(coro)


# -- the differences no request shows ----------------------------------------------------


def test_session_cookies_have_their_own_salt():
    """K-session-salt: a token signed for another purpose with the app's
    secret (2.4.3 sessions used SecureSerializer's default salt) is not a
    session."""
    app = App()
    app.sessions("shared secret")
    app.GET("/me", lambda req, res, ctx: setattr(res, "body", {"user": ctx.session.get("user_id")}))
    forged = SecureSerializer("shared secret").dumps({"user_id": 1})

    async def go():
        async with app.earth.test(track_session=False) as earth:
            _, res, _ = await earth.GET("/me", headers={"cookie": f"session={forged}"})
            return res.json

    assert run(go()) == {"user": None}


def test_res_metadata_is_kept_not_sent():
    """K-metadata: res.metadata is a dict the app may set; nothing of it is sent."""
    app = App()

    def handler(req, res, ctx):
        assert res.metadata == {}
        res.metadata = {"more_body": True}
        with pytest.raises(ValueError):
            res.metadata = ["not", "a", "dict"]
        res.body = "ok"

    app.GET("/", handler)

    async def go():
        _, res, _ = await app.earth.GET("/")
        return res

    res = run(go())
    assert (res.status, res.body, res.metadata) == (200, b"ok", {"more_body": True})


def test_route_tree_classes_are_not_provided():
    """K-internals: the route tree is heaven's Rust core."""
    import heaven.router

    assert heaven.router.Router is App and heaven.router.SchemaRegistry
    for name in ("Route", "Routes", "Parameter", "MethodDispatch"):
        assert not hasattr(heaven.router, name)


# -- the application object ----------------------------------------------------------


def test_app_constructor_as_2_4_3_documents_it():
    assert App is Application is Router is Server
    app = App({"DB_URL": "x"}, False, True, False, True, None, 5)
    assert (app.protect_output, app.allow_partials, app.fail_on_output, app.debug, app.max_body_size) == (
        False, True, False, True, 5)
    assert app.CONFIG("DB_URL") == "x" and App(configurator=lambda: {"a": 1}).CONFIG("a") == 1
    # The output options are the defaults of app.schema's protect/partial/strict.
    contract = app.schema.GET("/x", returns=TypedDict("Out", {"id": int}))
    assert (contract.protect, contract.output_partial, contract.strict) == (False, True, False)


def test_lifecycle_spellings():
    app = App()
    seen = []
    app.ONCE(lambda a: seen.append("once"))
    app.ON(lambda a: seen.append("on"))
    app.ONCE("startup", lambda a: seen.append("once startup"))
    app.ON("STARTUP", lambda a: seen.append("on STARTUP"))
    app.ONCE("Shutdown", lambda a: seen.append("down"))
    with pytest.raises(TypeError):
        app.ONCE("startup", lambda a: None, "extra")
    with pytest.raises(ValueError):
        app.ON("boot", lambda a: None)
    with pytest.raises(TypeError):
        app.ON("startup", 42)

    async def go():
        async with app.earth.test():
            pass

    run(go())
    assert seen == ["once", "on", "once startup", "on STARTUP", "down"]


def test_state_helpers():
    app = App()
    app.keep("settings", {"theme": "dark", "nested": {"n": 1}})
    assert app._.settings.theme == "dark" and app._.settings.nested.n == 1 and app._.missing is None
    calls = []
    assert app.call(lambda a, x, y=0: calls.append((a, x, y)), 1, y=2) is app and calls == [(app, 1, 2)]
    assert app.ws is None
    app.websocket()
    assert app.ws is True
    child = App()
    app.abettor("GET", "/a", lambda req, res, ctx: setattr(res, "body", {"child": req.app is child}), router=child)
    app.abettor("SOCKET", "/ws", lambda send, receive, req, ctx: None)
    assert [(e.method, e.pattern) for e in app.routes] == [("GET", "/a"), ("WEBSOCKET", "/ws")]

    async def go():
        _, res, _ = await app.earth.GET("/a")
        return res.json

    assert run(go()) == {"child": True}
    with pytest.raises(ValueError):
        app.mount(App(), prefer="nobody")
    app.mount(App(), prefer="parent")


def test_openapi_and_docs_spellings():
    app = App()

    class Item(TypedDict):
        name: Annotated[str, "min_len=1; description=What it is called"]
        size: Annotated[int, "exclusive_min=0; step=5; title=Size"]

    app.schema.add("POST", "/items", expects=Item, summary="Add")
    app.POST("/items", lambda req, res, ctx: None)
    api = app.subdomain("api")
    api.GET("/v1", lambda req, res, ctx: None)
    api.doc("/docs", title="API", version="1.0.0", favicon="/static/favicon.ico")
    app.DOCS("/docs", "Shop", "2.0", "www", "/favicon.ico")
    document = app.openapi()  # titled as the last DOCS() call said (as in 2.4.3)
    assert document["info"] == {"title": "Shop", "version": "2.0"}
    props = document["components"]["schemas"]["Item"]["properties"]
    assert props["name"]["description"] == "What it is called"
    assert props["size"] == {"type": "integer", "exclusiveMinimum": 0, "multipleOf": 5, "title": "Size"}
    assert set(app.openapi("api")["paths"]) == {"/v1"}

    async def go():
        _, page, _ = await app.earth.GET("/docs")
        _, api_doc, _ = await app.earth.GET("/docs/openapi.json", subdomain="api")
        return page, api_doc

    page, api_doc = run(go())
    assert b'rel="icon" href="/favicon.ico"' in page.body and list(api_doc.json["paths"]) == ["/v1"]


def test_listen_serves_with_granian(tmp_path):
    """app.listen() (2.4.3 ran uvicorn in-process; heaven runs granian's
    embedded server): it serves until interrupted."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = tmp_path / "listen_app.py"
    script.write_text(textwrap.dedent(f"""
        from heaven import App
        app = App()
        app.GET("/", lambda req, res, ctx: setattr(res, "body", {{"debug": req.app.debug}}))
        app.listen(host="localhost", port="{port}", debug=True, log_enabled=False)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/", timeout=1).json() == {"debug": True}
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "app.listen() did not serve"
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


# -- modules and names --------------------------------------------------------------------


def test_modules_and_names():
    from heaven import constants, errors, utils
    from heaven.context import Key as ContextKey, Look
    from heaven.earth import Earth, EarthContextManager, MockSocket
    from heaven.form import FIELD_LIMIT, HEADERS_LIMIT, PARTS_LIMIT, SPOOL_LIMIT, File, Form

    assert (constants.DEFAULT, constants.WILDCARD, constants.STARTUP, constants.SHUTDOWN) == ("www", "*", "startup", "shutdown")
    assert (constants.OK, constants.CREATED, constants.NOT_FOUND, constants.SOCKET) == (200, 201, 404, "SOCKET")
    assert set(constants.METHODS) == {"GET", "HEAD", "POST", "PUT", "PATCH", "CONNECT", "TRACE", "DELETE", "OPTIONS"}
    assert (FIELD_LIMIT, SPOOL_LIMIT, HEADERS_LIMIT, PARTS_LIMIT) == (1 << 20, 256 << 10, 16 << 10, 1000)
    assert File and Form and Earth and EarthContextManager and MockSocket and ContextKey is Key
    assert utils.Lookup({"db": {"port": 5432}}).db.port == 5432 and Look({"a": 1}).a == 1
    assert utils.CONVERTERS["int"]("1_000") == 1000 and utils.CONVERTERS["date"]("2024W094").isoformat() == "2024-02-29"
    with pytest.raises(ValueError):
        utils.CONVERTERS["uuid"]("nope")
    assert utils.preprocessor({"headers": [(b"host", b"api.example.com"), (b"x", b"1"), (b"x", b"2")]}) == (
        "api", {"host": "api.example.com", "x": ["1", "2"]})
    for name in ("AbortException", "SubdomainError", "UrlError", "UrlDuplicateError", "HandlerError", "ParameterError"):
        assert issubclass(getattr(errors, name), Exception)
    assert issubclass(heaven.PluginError, ValueError) and issubclass(BadSignature, SecurityError)
    assert issubclass(SignatureExpired, BadSignature) and issubclass(ValidationError, PytasticError)
    assert heaven.__version__


def test_context_and_response_constructed_as_documented():
    app = App()
    ctx = Context(app)
    ctx.user = {"id": 1}
    ctx.keep(Key[int]("n"), 3)
    assert (ctx.app, ctx.user, ctx.peek("n"), ctx.unkeep("n"), ctx.missing) == (app, {"id": 1}, 3, 3, None)
    with pytest.raises(AttributeError):
        ctx.session = {}
    req = app.earth.request("/x")
    res = heaven.Response(app, ctx, req)
    res.body = {"a": [1]}
    assert res.json == {"a": [1]} and not res.deferred
    res.defer(lambda app: None)
    assert res.deferred
    res.body = b"text"
    assert res.text == "text"
    res.headers = "X-A", "1"
    res.cookie("a", "b", http_only=True, same_site="strict", maxage=9)
    assert (b"x-a", b"1") in list(res.headers)
    assert b"a=b; Max-Age=9; Path=/; SameSite=Strict; HttpOnly" in [v for k, v in res.headers if k == b"set-cookie"]


# -- schemas ------------------------------------------------------------------------------


class Tagged(TypedDict):
    _: Annotated[None, "strict; min_props=2"]
    name: Annotated[str, "min_len=2; max_len=5"]
    tags: Annotated[List[str], "min_items=1; max_items=3; unique"]
    level: Annotated[int, "exclusive_min=0; exclusive_max=10; default=5"]


@pytest.mark.parametrize(
    "body, status, data",
    [
        ({"name": "Ada", "tags": ["a"]}, 200, {"name": "Ada", "tags": ["a"], "level": 5}),
        ({"name": "Ada", "tags": ["a"], "level": 9}, 200, {"name": "Ada", "tags": ["a"], "level": 9}),
        ({"name": "Ada", "tags": ["a", "a"]}, 422, "$.tags"),
        ({"name": "Ada", "tags": []}, 422, "$.tags"),
        ({"name": "Ada", "tags": ["a"], "level": 10}, 422, "$.level"),
        ({"name": "Ada", "tags": ["a"], "extra": 1}, 422, "$"),  # strict on the `_` field
        ({"name": "A", "tags": ["a"]}, 422, "$.name"),
    ],
)
def test_constraint_strings(body, status, data):
    app = App()
    app.schema.POST("/t", expects=Tagged, dot=True)
    app.POST("/t", lambda req, res, ctx: setattr(res, "body", {"data": dict(req.data), "name": req.data.name}))

    async def go():
        _, res, _ = await app.earth.POST("/t", body=body)
        return res

    res = run(go())
    assert res.status == status
    assert res.json["data"] == data if status == 200 else res.json["path"] == data


def test_pytastic_facade():
    class User(TypedDict):
        name: Annotated[str, "min_len=2"]
        age: Annotated[int, "min=18"]

    vx = Pytastic()
    assert vx.validate(User, {"name": "Ada", "age": 36, "x": 1}) == {"name": "Ada", "age": 36, "x": 1}
    assert vx.validate(User, {"name": "Ada", "age": 36, "x": 1}, strip=True) == {"name": "Ada", "age": 36}
    assert vx.patch(User, {"age": 41}) == {"age": 41}
    assert vx.validate(User, {"name": "Ada", "age": 36}, dot=True).name == "Ada"
    with pytest.raises(ValidationError) as info:
        vx.validate(User, {"name": "Ada", "age": 12})
    assert info.value.errors[0]["path"] == "$.age"
    assert json.loads(vx.schema(User))["properties"]["age"]["minimum"] == 18


# -- security -------------------------------------------------------------------------------


def test_tokens_are_read_by_either_heaven():
    """A token signed by 2.4.3 is read by heaven, and the other way round
    (same secret and salt): signed links survive the switch."""
    if not H243.exists():
        pytest.fail(f"no Heaven 2.4.3 venv at {H243}: run `make compat-venv`")
    ours = SecureSerializer(["new", "old"], salt="auth").dumps({"user_id": 123, "role": "admin"})
    code = textwrap.dedent(f"""
        from heaven.security import SecureSerializer
        s = SecureSerializer(["old"], salt="auth")
        print(SecureSerializer("old", salt="auth").dumps({{"user_id": 7}}))
        print(SecureSerializer(["x", "new"], salt="auth").loads({ours!r}, max_age=60))
    """)
    out = subprocess.run([str(H243), "-c", code], capture_output=True, text=True, cwd="/", check=True).stdout.split("\n")
    theirs, read = out[0], out[1]
    assert read == "{'user_id': 123, 'role': 'admin'}"
    assert SecureSerializer(["old"], salt="auth").loads(theirs, max_age=60) == {"user_id": 7}
    with pytest.raises(BadSignature):
        SecureSerializer("old", salt="other").loads(theirs)

    class Payload(TypedDict):
        user_id: int

    assert SecureSerializer("old", salt="auth").loads(theirs, type=Payload) == {"user_id": 7}
    with pytest.raises(BadSignature):
        SecureSerializer("old", salt="auth").loads(SecureSerializer("old", salt="auth").dumps({"user_id": "x"}), type=Payload)
    expired = SecureSerializer("k", now=lambda: 1_000).dumps({"a": 1})
    with pytest.raises(SignatureExpired) as info:
        SecureSerializer("k", now=lambda: 5_000).loads(expired, max_age=10)
    assert (info.value.payload, info.value.date_signed) == ({"a": 1}, 1_000)


# -- earth ------------------------------------------------------------------------------------


def test_earth_as_2_4_3_documents_it(tmp_path):
    app = App()
    started = []

    async def real_startup(app):
        started.append("real")

    async def mock_startup(app):
        started.append("mock")

    async def login(req, res, ctx):
        ctx.session["user"] = req.json["user"]

    async def whoami(req, res, ctx):
        res.body = {"user": ctx.session.get("user"), "params": req.params}

    async def chat(send, receive, req, ctx):
        while (message := await receive()) is not None:
            await send(f"Echo: {message}")

    app.ONCE(real_startup)
    app.sessions("secret")
    app.POST("/login", login)
    app.GET("/users/:id:int", whoami)
    app.WS("/chat", chat)
    app.POST("/upload", lambda req, res, ctx: setattr(res, "body", {"name": req.form.username,
                                                                    "file": req.form.avatar.filename}))
    app.earth.swap(real_startup, mock_startup)

    async def go():
        async with app.earth.test() as client:
            await client.POST("/login", body={"user": "admin"})
            _, res, _ = await client.GET("/users/7")
            assert res.json == {"user": "admin", "params": {"id": 7}}
            _, up, _ = await client.upload("/upload", files={"avatar": ("photo.jpg", b"image-data")},
                                           data={"username": "ray"})
            assert up.json == {"name": "ray", "file": "photo.jpg"}
            ws = client.SOCKET("/chat")
            await ws.connect()
            await ws.send("hello")
            assert await ws.receive(timeout=2.0) == "Echo: hello"
            await ws.close()
        async with app.earth.test(track_session=False) as client:
            _, res, _ = await client.GET("/users/8")
            assert res.json["user"] is None

    run(go())
    assert started == ["mock", "mock"]
    req = app.earth.request("/users/1", method="GET")
    assert (req.params, req.route, req.method) == ({"id": 1}, "/users/:id:int", "GET")
    req, res, ctx = app.earth.trio("/users/2")
    run(whoami(req, res, ctx)) if False else None
    assert (app.earth.req("/x").path, type(app.earth.res()).__name__, type(app.earth.ctx()).__name__) == (
        "/x", "Response", "Context")


def test_cli_spellings(tmp_path):
    """2.4.3's CLI spellings: `heaven schema FILE.json --app module:app`,
    `heaven routes --app`, `heaven handlers [PATH]`. (K-cli-schema: with no
    file, heaven prints the document; 2.4.3 wrote swagger.json.)"""
    (tmp_path / "main.py").write_text(textwrap.dedent("""
        from heaven import App
        app = App()

        async def list_users(req, res, ctx):
            res.body = []

        app.GET('/api/users', list_users)
    """))
    heaven_cli = [sys.executable, "-m", "heaven"]

    def cli(*args):
        done = subprocess.run([*heaven_cli, *args], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("schema", "openapi-v1.json", "--app", "main:app")
    assert "/api/users" in json.loads((tmp_path / "openapi-v1.json").read_text())["paths"]
    assert "/api/users" in json.loads(cli("schema"))["paths"]
    assert "main.list_users" in cli("routes", "--app", "main:app")
    assert "main.list_users" in cli("handlers") and "main.py:" in cli("handlers")
    assert "async def list_users" in cli("handlers", "/api/users")
