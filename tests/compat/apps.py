"""Small apps written against Heaven 2.4.3's documented API, and the requests
sent to them. The same module builds the same apps under either framework
(drive.py runs it in both interpreters); handlers write what they saw into
the response as text (`show`), so types can be compared across processes.

Every app is a function returning `(app, requests)`. A request is a dict for
drive.py: `id`, `method`, `path` (with query), `headers`, `body`/`json`,
`host`, and `earth: True` to send it through `app.earth` as well.
"""

import os
import tempfile
from collections.abc import Mapping
from http import HTTPStatus
from typing import Annotated, List, Literal, Optional, TypedDict

try:  # Python 3.11+
    from typing import NotRequired
except ImportError:  # pragma: no cover
    from typing_extensions import NotRequired

from heaven import App, Application, Context, Key, Request, Response, Router, Server

APPS: dict = {}


def app(fn):
    APPS[fn.__name__] = fn
    return fn


def show(value):
    """A value as comparable text: reprs for scalars, structure kept (any
    mapping as a dict: what code reads through `get`/`[]`/`items`)."""
    if isinstance(value, Mapping):
        return {str(k): show(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [show(v) for v in value]
    return repr(value)


def get(path, rid=None, **extra):
    return {"id": rid or f"GET {path}", "method": "GET", "path": path, **extra}


def req(method, path, rid=None, **extra):
    return {"id": rid or f"{method} {path}", "method": method, "path": path, **extra}


# -- bodies, statuses, headers -------------------------------------------------


@app
def bodies():
    app = App()
    app.GET("/str", lambda req, res, ctx: setattr(res, "body", "Hello from Heaven"))
    app.GET("/bytes", lambda req, res, ctx: setattr(res, "body", b"\x00raw bytes"))
    app.GET("/int", lambda req, res, ctx: setattr(res, "body", 42))
    app.GET("/float", lambda req, res, ctx: setattr(res, "body", 19.99))
    app.GET("/dict", lambda req, res, ctx: setattr(res, "body", {"key": "value", "n": [1, 2]}))
    app.GET("/list", lambda req, res, ctx: setattr(res, "body", [1, 2, 3]))
    app.GET("/unicode", lambda req, res, ctx: setattr(res, "body", "héllo ✓"))

    async def status(req, res, ctx):
        res.status = HTTPStatus.CREATED
        res.body = {"id": 1, "name": "Ada"}

    def named(req, res, ctx):
        res.status = res.http.ACCEPTED
        res.body = "queued"

    def nothing(req, res, ctx):
        res.status = 204

    app.POST("/created", status)
    app.GET("/named", named)
    app.GET("/nothing", nothing)

    def returned(req, res, ctx):
        return {"message": "this is discarded"}

    app.GET("/returned", returned)
    paths = ["/str", "/bytes", "/int", "/float", "/dict", "/list", "/unicode", "/named", "/nothing", "/returned"]
    requests = [get(p, earth=True) for p in paths] + [req("POST", "/created", earth=True)]
    return app, requests


@app
def headers():
    app = App()

    def replace(req, res, ctx):
        res.headers = "X-Powered-By", "Heaven"
        res.headers = "Cache-Control", "no-store"
        res.headers = "cache-control", "no-cache"
        res.header("X-One", "1").header("X-Two", "2")
        res.headers = "X-Two", None
        res.headers = "Vary", ["Origin", "Accept"]
        res.headers = "X-Number", 7
        res.body = "ok"

    def content_type(req, res, ctx):
        res.headers = "Content-Type", "application/json"
        res.body = '{"a":1}'

    def read_back(req, res, ctx):
        res.headers = "X-A", "1"
        res.body = {"count": len([h for h in res.headers if h[0].lower() == b"x-a"])}

    def out(req, res, ctx):
        res.out(200, {"message": "OK"}, ("X-Custom", "value"))

    app.GET("/replace", replace)
    app.GET("/type", content_type)
    app.GET("/read", read_back)
    app.GET("/out", out)
    return app, [get("/replace"), get("/type"), get("/read"), get("/out", earth=True)]


@app
def cookies():
    app = App()

    def plain(req, res, ctx):
        res.cookie("session_id", "abc123")
        res.body = "ok"

    def options(req, res, ctx):
        res.cookie("session_id", "abc123", max_age=3600, httponly=True, secure=True, samesite="Lax", path="/", domain=".example.com")
        res.cookie("other", "x", http_only=True, same_site="strict", maxage=60, path="/")
        res.body = "ok"

    def read(req, res, ctx):
        res.body = show(req.cookies)

    app.GET("/plain", plain)
    app.GET("/options", options)
    app.GET("/read", read)
    return app, [get("/plain"), get("/options"), get("/read", headers=[["cookie", "a=1; b=two=2; c"]])]


@app
def redirects():
    app = App()
    app.GET("/temp", lambda req, res, ctx: res.redirect("/login"))
    app.GET("/perm", lambda req, res, ctx: res.redirect("/new-url", permanent=True))

    def see_other(req, res, ctx):
        res.status = 303
        res.headers = "Location", "/orders/1"

    app.POST("/orders", see_other)
    return app, [get("/temp"), get("/perm"), req("POST", "/orders")]


# -- routing ------------------------------------------------------------------


@app
def routing():
    app = App()

    def echo(req, res, ctx):
        res.body = {"route": req.route, "params": show(req.params), "queries": show(req.queries)}

    app.GET("/users", echo)
    app.POST("/users", echo)
    app.PUT("/users/:id", echo)
    app.DELETE("/users/:id", echo)
    app.GET("/users/:id/posts/:post_id", echo)
    app.GET("/typed/:id:int/posts/:post_id:uuid", echo)
    app.GET("/upper/:id:Int", echo)
    app.GET("/price/:amount:float", echo)
    app.GET("/flag/:on:bool", echo)
    app.GET("/report/:day:date", echo)
    app.GET("/log/:at:datetime", echo)
    app.GET("/tag/:name:str", echo)
    app.GET("/files/*", echo)
    app.GET("/odd/:a-b/:1", echo)
    app.GET("/search?page:int&since:date&exact:bool", echo)
    app.GET("/q?page:INT&ratio:float&at:datetime&id:uuid&plain", echo)
    app.GET("/", echo)
    app.HEAD("/head-only", lambda req, res, ctx: setattr(res, "status", 204))
    app.OPTIONS("/opts", echo)
    app.HTTP("/all", echo)
    requests = [
        get("/users"), get("/users/"), get("//users"), req("POST", "/users"), req("PATCH", "/users"),
        req("PUT", "/users/7"), req("GET", "/users/7"), req("HEAD", "/users"), req("HEAD", "/users/7"),
        get("/users/42/posts/abc"), get("/typed/42/posts/3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
        get("/typed/x/posts/3f2504e0-4f89-11d3-9a0c-0305e82c3301"), get("/upper/12"), get("/upper/x"),
        get("/price/19.99"), get("/price/2"), get("/price/1e3"), get("/flag/true"), get("/flag/0"), get("/flag/FALSE"),
        get("/flag/yes"), get("/report/2026-08-01"), get("/report/20240229"), get("/report/2024-W09-4"),
        get("/report/2024W094"), get("/report/2023-02-29"), get("/log/2026-08-01T10:30"), get("/log/2026-08-01 10:30:05.5+02:00"),
        get("/log/20260801T1030"), get("/tag/sale"), get("/files/docs/readme.md"), get("/files"), get("/files/"),
        get("/odd/x/y"), get("/search?page=3&since=2026-01-01&exact=true"), get("/search?page=banana&exact=maybe&since=x"),
        get("/search?page=1&page=2&q=heaven&blank="), get("/q?page=5&ratio=0.5&at=2026-01-01T00:00&id=3f2504e0-4f89-11d3-9a0c-0305e82c3301&plain=1"),
        get("/q?page=99999999999999999999999&ratio=inf&id=nope"), get("/"), get("/nowhere"), get("/users/7/posts"),
        req("HEAD", "/head-only"), req("OPTIONS", "/opts"), req("OPTIONS", "/users"), req("DELETE", "/all"), req("TRACE", "/all"),
        req("CONNECT", "/all"), get("/users/%41da"), get("/files/a%20b/c"), get("/users/big/posts/1"),
        get("/typed/123456789012345678901234567890/posts/3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
        get("/users/a%2Fb/posts/x"),
    ]
    for r in requests[:12]:
        r["earth"] = r["method"] in ("GET", "POST", "PUT", "PATCH", "DELETE")  # 2.4.3's earth has no HEAD
    return app, requests


@app
def fallthrough():
    app = App()

    def by_id(req, res, ctx):
        res.body = {"by": "id", "params": show(req.params)}

    def by_slug(req, res, ctx):
        res.body = {"by": "slug", "params": show(req.params)}

    app.GET("/users/:id:int", by_id)
    app.GET("/users/*", by_slug)
    app.GET("/a/b/c", by_id)
    app.GET("/a/:x/d", by_slug)
    return app, [get("/users/42"), get("/users/abc"), get("/users/abc/def"), get("/a/b/c"), get("/a/b/d"), get("/a/z/d")]


# -- subdomains ---------------------------------------------------------------


@app
def subdomains():
    app = App()

    def where(req, res, ctx):
        res.body = {"subdomain": req.subdomain, "host": req.host, "route": req.route}

    api = app.subdomain("api")
    api.GET("/users", where)
    api.BEFORE("/*", lambda req, res, ctx: setattr(ctx, "seen", True))
    app.GET("/users", where)
    app.GET("/", where)
    admin = app.subdomain("admin")
    admin.GET("/dashboard", where)
    app.GET("/pricing", where, "www")
    hosts = ["example.com", "api.example.com", "API.example.com", "admin.example.com:8000", "other.example.com",
             "127.0.0.1:8000", "localhost", "api.localhost", "www.example.com"]
    requests = [get("/users", f"GET /users @ {h}", host=h) for h in hosts]
    requests += [get("/dashboard", f"GET /dashboard @ {h}", host=h) for h in ("admin.example.com", "example.com")]
    requests += [get("/pricing", host="www.example.com")]
    requests += [get("/users", "earth GET /users api", subdomain="api", earth=True, host="api.example.com")]
    return app, requests


@app
def wildcard_subdomain():
    app = App()

    def where(req, res, ctx):
        res.body = {"subdomain": req.subdomain, "route": req.route}

    wild = app.subdomain("*")
    wild.GET("/", where)
    app.GET("/", where)
    app.subdomain("api").GET("/", where)
    return app, [get("/", f"GET / @ {h}", host=h) for h in ("example.com", "api.example.com", "shop.example.com")]


# -- hooks --------------------------------------------------------------------


@app
def hooks():
    app = App()

    def mark(name):
        def hook(req, res, ctx):
            ctx.keep("trail", (ctx.peek("trail") or []) + [name])
        hook.__name__ = name
        return hook

    def handler(req, res, ctx):
        ctx.keep("trail", ctx.peek("trail") + ["handler"])

    def finish(req, res, ctx):
        res.body = ctx.peek("trail")

    app.BEFORE("/*", mark("before /*"))
    app.BEFORE("/users/*", mark("before /users/*"))
    app.BEFORE("/users/:id", mark("before /users/:id"))
    app.AFTER("/users/:id", mark("after /users/:id"))
    app.AFTER("/users/*", mark("after /users/*"))
    app.AFTER("/*", mark("after /*"))
    app.AFTER("/*", finish)
    app.GET("/users/:id", handler)
    app.POST("/users/:id", handler)

    shared = mark("scoped")
    app.BEFORE("/orders", shared, methods=["POST", "PUT"])
    app.BEFORE("/audit", shared)
    app.GET("/orders", handler)
    app.POST("/orders", handler)
    app.GET("/audit", handler)

    def guard(req, res, ctx):
        if req.headers.get("authorization") != "secret-token":
            res.status = HTTPStatus.UNAUTHORIZED
            res.abort("Unauthorized Access")
            return
        ctx.keep("user", {"id": 1, "name": "Raymond"})

    def secure(req, res, ctx):
        res.body = {"data": "Top Secret", "for": ctx.user["name"]}

    app.BEFORE("/api/v1/*", guard)
    app.GET("/api/v1/data", secure)

    def abort_dict(req, res, ctx):
        res.status = 403
        res.abort({"message": "nope"})

    app.BEFORE("/forbidden", abort_dict)
    app.GET("/forbidden", handler)
    app.BEFORE("/abort-int", lambda req, res, ctx: res.abort(7))
    app.GET("/abort-int", handler)
    return app, [
        get("/users/7", earth=True), req("POST", "/users/7"), get("/orders"), req("POST", "/orders"), get("/audit"),
        get("/api/v1/data"), get("/api/v1/data", "GET /api/v1/data authorized", headers=[["authorization", "secret-token"]]),
        get("/forbidden", earth=True), get("/abort-int"),
    ]


@app
def errors():
    app = App()

    def boom(req, res, ctx):
        res.headers = "X-Before", "kept"
        raise RuntimeError("boom")

    def bad_json(req, res, ctx):
        res.body = req.json

    app.BEFORE("/boom", lambda req, res, ctx: res.header("X-Hook", "1"))
    app.GET("/boom", boom)
    app.POST("/json", bad_json)
    return app, [get("/boom"), req("POST", "/json", body="{not json", headers=[["content-type", "application/json"]]),
                 req("POST", "/json", json={"a": 1}), req("POST", "/json")]


# -- request ------------------------------------------------------------------


@app
def request_attributes():
    app = App()

    def look(req: Request, res: Response, ctx: Context):
        res.body = {
            "method": req.method, "url": req.url, "route": req.route, "subdomain": req.subdomain, "host": req.host,
            "scheme": req.scheme, "ip": [req.ip.address, req.ip.port], "server": req.server,
            "params": show(req.params), "queries": show(req.queries), "querystring": show(req.querystring),
            "cookies": show(req.cookies), "agent": req.headers.get("user-agent"), "multi": show(req.headers.get("x-multi")),
            "app": req.app is app, "body": show(req.body), "json": show(req.json), "data": show(req.data),
            "form": show(req.form),
        }

    app.GET("/look/:id", look)
    app.POST("/look/:id", look)
    return app, [
        get("/look/1?active=true&n=2", headers=[["user-agent", "tester"], ["cookie", "session=abc"], ["x-multi", "a"], ["x-multi", "b"]]),
        req("POST", "/look/2", json={"name": "Ada"}, headers=[["content-type", "application/json"]]),
        req("POST", "/look/3", body="plain text", headers=[["content-type", "text/plain"]]),
        get("/look/4"),
    ]


@app
def forms():
    app = App()

    def look(req, res, ctx):
        form = req.form
        if form is None:
            res.body = {"form": None}
            return
        out = {"to_dict": show({k: v for k, v in form.to_dict().items() if not hasattr(v, "filename")})}
        out["username"] = show(form.get("username"))
        out["attr"] = show(form.username)
        out["missing"] = show(form.get("missing", "fallback"))
        avatar = form.get("avatar")
        if avatar is not None and hasattr(avatar, "filename"):
            out["avatar"] = [avatar.filename, show(avatar.content_type), avatar.size, show(avatar.content),
                             show(avatar.file.read())]
        res.body = out

    app.POST("/form", look)
    boundary = "----HeavenCompatBoundary"
    multipart = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nray\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\na\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\nb\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"photo.png\"\r\n"
        f"Content-Type: image/png\r\n\r\nPNGDATA\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"plain\"; filename=\"a.txt\"\r\n\r\ntext file\r\n"
        f"--{boundary}--\r\n"
    )
    urlencoded = [["content-type", "application/x-www-form-urlencoded"]]
    return app, [
        req("POST", "/form", "urlencoded", body="username=ray&tag=a&tag=b&sp=a+b%21", headers=urlencoded),
        req("POST", "/form", "multipart", body=multipart, headers=[["content-type", f"multipart/form-data; boundary={boundary}"]]),
        req("POST", "/form", "json body", json={"username": "ray"}, headers=[["content-type", "application/json"]]),
        req("POST", "/form", "no content type", body="username=ray"),
        req("POST", "/form", "empty multipart", body="", headers=[["content-type", f"multipart/form-data; boundary={boundary}"]]),
    ]


# -- context and state ----------------------------------------------------------


@app
def context_and_state():
    app = App(configurator={"DB_URL": "postgres://localhost/mydb", "SECRET": "my-secret"})
    user_key = Key[dict]("current_user")
    app.keep("settings", {"theme": "dark", "nested": {"n": 1}})
    app.keep(Key[list]("todos"), [1])

    def hook(req, res, ctx):
        ctx.user = {"id": 1, "role": "admin"}
        ctx.keep("db_result", [1, 2])
        ctx.keep(user_key, {"id": 1})

    def handler(req, res, ctx):
        out = {"user": show(ctx.user), "db": show(ctx.peek("db_result")), "typed": show(ctx.peek(user_key)),
               "missing": show(ctx.usr), "unkept": show(ctx.unkeep("db_result")), "after": show(ctx.peek("db_result"))}
        try:
            ctx.session = {"user": 1}
            out["reserved"] = "assigned"
        except AttributeError:
            out["reserved"] = "AttributeError"
        ctx.keep("session", {"user": 1})
        out["kept_session"] = show(ctx.peek("session"))
        out["config"] = req.app.CONFIG("DB_URL")
        out["theme"] = req.app._.settings.theme
        out["nested"] = req.app._.settings.nested.n
        out["todos"] = show(req.app.peek(Key[list]("todos")))
        out["peek_missing"] = show(req.app.peek("nope"))
        res.body = out

    app.BEFORE("/ctx", hook)
    app.GET("/ctx", handler)
    return app, [get("/ctx", earth=True)]


@app
def lifecycle():
    app = App()
    order = []

    async def first(app):
        order.append("first")
        app.keep("db", "connected")

    def second(app):
        order.append("second")

    def third(app):
        order.append("third")

    app.ONCE(first)
    app.ON("startup", second)
    app.ONCE("STARTUP", third)
    app.ON("shutdown", lambda app: order.append("down"))

    def handler(req, res, ctx):
        res.body = {"order": order, "db": req.app.peek("db")}

    app.GET("/", handler)
    return app, [get("/")]


# -- schemas ------------------------------------------------------------------


class Address(TypedDict):
    city: Annotated[str, "min_len=2"]
    zip: Annotated[str, "regex=^[0-9]{5}$"]


class Customer(TypedDict):
    name: Annotated[str, "min_len=2; max_len=80"]
    email: Annotated[str, "format=email"]
    age: Annotated[int, "min=18; max=120"]
    tier: Literal["free", "pro", "enterprise"]
    tags: NotRequired[Annotated[List[str], "max_items=3; unique"]]
    referrer: NotRequired[Optional[str]]
    address: NotRequired[Address]


class CustomerOut(TypedDict):
    id: int
    name: str
    tier: str


class PageOut(TypedDict):
    page: int


class FullUser(TypedDict):
    id: int
    name: str
    email: str


@app
def schemas():
    app = App()

    def create(req, res, ctx):
        res.status = 201
        res.body = {"id": 1, **req.data, "password_hash": "secret"}

    def echo(req, res, ctx):
        res.body = {"data": show(req.data)}

    def dotted(req, res, ctx):
        res.body = {"name": req.data.name, "tier": req.data.tier}

    def summaries(req, res, ctx):
        res.body = [{"id": 1, "name": "Ray"}, {"id": 2, "name": "Jane"}]

    def leak(req, res, ctx):
        res.body = {"id": 7, "name": "Ada", "password_hash": "$2b$deadbeef"}

    def broken(req, res, ctx):
        res.body = {"id": "not an int"}

    app.schema.POST("/customers", expects=Customer, returns=CustomerOut, summary="Create a customer", group="Customers")
    app.POST("/customers", create)
    app.schema.POST("/echo", expects=Customer)
    app.POST("/echo", echo)
    app.schema.PATCH("/customers/:id", expects=Customer)
    app.PATCH("/customers/:id", echo)
    app.schema.POST("/dot", expects=Customer, dot=True)
    app.POST("/dot", dotted)
    app.schema.GET("/users", returns=List[FullUser], partial=True)
    app.GET("/users", summaries)
    app.schema.GET("/me", returns=CustomerOut, protect=True, partial=True)
    app.GET("/me", leak)
    app.schema.GET("/broken", returns=FullUser)
    app.GET("/broken", broken)
    app.schema.GET("/lenient", returns=FullUser, strict=False, protect=True)
    app.GET("/lenient", broken)
    app.schema.GET("/unchecked", returns=FullUser, protect=False)
    app.GET("/unchecked", broken)

    good = {"name": "Ada", "email": "ada@example.com", "age": 36, "tier": "pro"}
    cases = {
        "valid": good,
        "with optional": {**good, "tags": ["a", "b"], "referrer": None, "address": {"city": "London", "zip": "12345"}},
        "float age": {**good, "age": 36.0},
    }
    requests = [req("POST", "/customers", f"POST /customers {name}", json=body, earth=True) for name, body in cases.items()]
    requests += [req("POST", "/echo", f"POST /echo {name}", json=body) for name, body in cases.items()]
    requests += [
        req("PATCH", "/customers/1", "PATCH partial", json={"age": 41}),
        req("POST", "/dot", json=good),
        get("/users", earth=True), get("/me"), get("/broken"), get("/lenient"), get("/unchecked"),
    ]
    return app, requests


@app
def schema_failures():
    """Bodies that break the contract: both answer 422 (text differs, K-schema-422-json)."""
    app = App()
    app.schema.POST("/echo", expects=Customer)
    app.POST("/echo", lambda req, res, ctx: setattr(res, "body", "reached"))
    good = {"name": "Ada", "email": "ada@example.com", "age": 36, "tier": "pro"}
    cases = {
        "too young": {**good, "age": 12}, "age as text": {**good, "age": "36"}, "bad email": {**good, "email": "nope"},
        "short name": {**good, "name": "A"}, "bad tier": {**good, "tier": "gold"}, "missing": {"name": "Ada"},
        "dup tags": {**good, "tags": ["a", "a"]}, "many tags": {**good, "tags": ["a", "b", "c", "d"]},
        "bad zip": {**good, "address": {"city": "London", "zip": "1"}}, "list": [1, 2], "null": None,
        "age bool": {**good, "age": True},
    }
    requests = [req("POST", "/echo", f"POST /echo {name}", json=body) for name, body in cases.items()]
    requests.append(req("POST", "/echo", "POST /echo empty body"))
    # A form body for a JSON contract: 2.4.3 decodes it as JSON (500), heaven answers 415 (K-schema-415).
    requests.append(req("POST", "/echo", "POST /echo form body", body="name=Ada&age=36",
                        headers=[("Content-Type", "application/x-www-form-urlencoded")]))
    # A typed query hint that does not convert, on a route with a contract: 2.4.3 hands the
    # handler the string, which `returns=` then refuses (500); heaven answers 422 (K-schema-hints).
    app.schema.GET("/page?page:int", returns=PageOut)
    app.GET("/page?page:int", lambda req, res, ctx: setattr(res, "body", {"page": req.queries.get("page", 1)}))
    requests += [get("/page?page=2"), get("/page?page=abc", "GET /page bad hint")]
    return app, requests


# -- streaming, files, templates --------------------------------------------------


@app
def streaming():
    app = App()

    async def plain(req, res, ctx):
        async def generate():
            for i in range(3):
                yield f"chunk {i}\n".encode()
        res.stream(generate(), content_type="text/plain", status=200)

    async def default(req, res, ctx):
        async def generate():
            yield b"a"
            yield b"b"
        res.stream(generate())

    async def sse(req, res, ctx):
        async def events():
            for i in range(2):
                yield f"event {i}"
            yield {"count": 5}
            yield b"raw"
        res.stream(events(), sse=True)

    app.GET("/plain", plain)
    app.GET("/default", default)
    app.GET("/sse", sse)
    return app, [get("/plain", earth=True), get("/default"), get("/sse")]


FILES = tempfile.mkdtemp(prefix="heaven-compat-")
os.makedirs(os.path.join(FILES, "assets", "css"), exist_ok=True)
os.makedirs(os.path.join(FILES, "templates"), exist_ok=True)
with open(os.path.join(FILES, "assets", "css", "main.css"), "w") as handle:
    handle.write("body { color: red; }\n")
with open(os.path.join(FILES, "report.txt"), "w") as handle:
    handle.write("quarterly numbers\n")
with open(os.path.join(FILES, "templates", "index.html"), "w") as handle:
    handle.write("<h1>{{ title }}</h1><p>{{ req.route }} {{ ctx.user_name }} {{ res.status }}</p>{{ raw }}\n")
with open(os.path.join(FILES, "secret.env"), "w") as handle:
    handle.write("TOKEN=1\n")


@app
def files():
    app = App()
    anchor = os.path.join(FILES, "main.py")
    app.ASSETS("assets", relative_to=anchor)
    app.ASSETS("assets", "/static/*", relative_to=anchor)

    def download(req, res, ctx):
        res.file(req.params.get("*"), within=FILES)

    def attachment(req, res, ctx):
        res.file(os.path.join(FILES, "report.txt"), filename="Q1_Report.txt")

    app.GET("/download/*", download)
    app.GET("/attachment", attachment)
    return app, [
        get("/assets/css/main.css"), get("/static/css/main.css"), get("/assets/css/../../secret.env", raw_path="/assets/css/../../secret.env"),
        get("/assets/nope.css"), get("/download/report.txt"), get("/download/templates"), get("/attachment", earth=True),
    ]


@app
def templates():
    app = App()
    app.TEMPLATES("templates", relative_to=os.path.join(FILES, "main.py"))

    async def page(req, res, ctx):
        ctx.keep("user_name", "Ada")
        await res.render("index.html", title="Home", raw="<b>")

    async def interpolated(req, res, ctx):
        html = await res.interpolate("index.html", title="Mail", raw="<i>")
        res.body = {"html": html}

    app.GET("/page", page)
    app.GET("/mail", interpolated)
    return app, [get("/page"), get("/mail")]


@app
def sync_templates():
    app = App()
    app.TEMPLATES("templates", None, False, os.path.join(FILES, "main.py"))

    def page(req, res, ctx):
        res.renders("index.html", title="Sync", raw="<b>")

    app.GET("/page", page)
    return app, [get("/page")]


# -- cors, sessions -------------------------------------------------------------


@app
def cors_lists():
    app = App()
    app.cors(origins=["http://localhost:3000", "https://myapp.com"], methods=["GET", "POST", "PUT", "DELETE"],
             headers=["Content-Type", "Authorization"], credentials=True, max_age=86400)
    app.GET("/data", lambda req, res, ctx: setattr(res, "body", {"ok": True}))
    app.subdomain("api").GET("/data", lambda req, res, ctx: setattr(res, "body", {"api": True}))
    return app, [
        get("/data", "GET allowed origin", headers=[["origin", "https://myapp.com"]]),
        get("/data", "GET other origin", headers=[["origin", "https://evil.com"]]),
        req("OPTIONS", "/data", "preflight", headers=[["origin", "https://myapp.com"], ["access-control-request-method", "POST"]]),
        get("/data", "api subdomain not covered", host="api.example.com", headers=[["origin", "https://myapp.com"]]),
    ]


@app
def cors_custom():
    app = App()

    async def my_cors(req, res, ctx):
        origin = req.headers.get("origin", "")
        res.headers = "Access-Control-Allow-Origin", origin
        res.headers = "Access-Control-Allow-Credentials", "true"
        if req.method == "OPTIONS":
            res.status = 204
            res.body = b""
            res.abort(b"")

    api = app.subdomain("api")
    app.cors(my_cors, subdomains=["api"])
    api.GET("/data", lambda req, res, ctx: setattr(res, "body", "api data"))
    return app, [
        get("/data", host="api.example.com", headers=[["origin", "https://a.com"]]),
        req("OPTIONS", "/data", host="api.example.com", headers=[["origin", "https://a.com"]]),
        req("OPTIONS", "/anything", host="api.example.com", headers=[["origin", "https://a.com"]]),
    ]


@app
def sessions():
    app = App()
    app.sessions("my-secret-key", cookie_name="session", max_age=3600)

    async def login(req, res, ctx):
        ctx.session["user_id"] = 123
        ctx.session.role = "admin"
        res.body = "Logged in"

    async def dashboard(req, res, ctx):
        user_id = ctx.session.get("user_id")
        if not user_id:
            res.abort("Not authenticated")
            res.status = 401
            return
        res.body = f"Welcome user {user_id} ({ctx.session.role})"

    app.POST("/login", login)
    app.GET("/dashboard", dashboard)
    return app, [get("/dashboard"), get("/dashboard", "tampered", headers=[["cookie", "session=abc.def.ghi"]])]


# -- composition ------------------------------------------------------------------


@app
def mounting():
    parent = Application()
    child = Router()
    trail = []
    child.GET("/v1/customers", lambda req, res, ctx: setattr(res, "body", {"mounted": req.mounted is child, "app": req.app is child}))
    child.BEFORE("/*", lambda req, res, ctx: trail.append("child before"))
    child.AFTER("/*", lambda req, res, ctx: trail.append("child after"))
    parent.BEFORE("/*", lambda req, res, ctx: trail.append("parent before"))
    parent.AFTER("/*", lambda req, res, ctx: trail.append("parent after"))
    parent.mount(child)
    parent.GET("/trail", lambda req, res, ctx: setattr(res, "body", list(trail)))
    shared = Server()
    shared.keep("db", "child db")
    shared.GET("/shared", lambda req, res, ctx: setattr(res, "body", {"db": req.app.peek("db")}))
    parent.mount(shared, isolated=False)
    return parent, [get("/v1/customers"), get("/trail"), get("/shared")]


@app
def mounting_cors():
    # A CORS policy set on a mounted app: 2.4.3 carried its hook over `/*`, so
    # it answered for the parent's routes too; heaven keeps it to the child's.
    parent = App()
    parent.GET("/p", lambda req, res, ctx: setattr(res, "body", "parent"))
    child = Router()
    child.GET("/c", lambda req, res, ctx: setattr(res, "body", "child"))
    child.cors(origin=["https://front.example"])
    parent.mount(child)
    origin = [["origin", "https://front.example"]]
    return parent, [get("/c", "child route", headers=origin), get("/p", "parent route", headers=origin)]


@app
def handler_strings():
    app = App()
    app.GET("/fn", "compat_handlers.hello")
    app.GET("/class", "compat_handlers.Orders#index")
    app.BEFORE("/fn", "compat_handlers.stamp")
    return app, [get("/fn"), get("/class")]


@app
def failing_startup():
    """A startup callback that raises: 2.4.3 starts anyway, heaven refuses to."""
    app = App()

    def connect(app):
        raise ConnectionError("database unreachable")

    app.ONCE(connect)
    app.GET("/", lambda req, res, ctx: setattr(res, "body", "up"))
    return app, []


@app
def state_edges():
    app = App()

    def unkeep(req, res, ctx):
        res.body = {"missing": show(req.app.unkeep("never-kept"))}

    def kinds(req, res, ctx):
        res.body = "text"

    def after(req, res, ctx):
        res.headers = "X-Body-Type", type(res.body).__name__

    app.GET("/unkeep", unkeep)
    app.GET("/kinds", kinds)
    app.AFTER("/kinds", after)
    app.POST("/upload", lambda req, res, ctx: setattr(res, "body", {"size": len(req.body)}))
    big = "x" * (11 * 1024 * 1024)  # past heaven's default max_body_size (10 MiB); 2.4.3 has none
    return app, [get("/unkeep"), get("/kinds"), req("POST", "/upload", "POST /upload 11 MiB", body=big)]


@app
def schema_twice():
    app = App()
    app.schema.POST("/x", expects=Customer)
    app.schema.POST("/x", expects=FullUser)
    return app, []


@app
def schema_edges():
    app = App()

    def echo(req, res, ctx):
        res.body = {"data": show(req.data)}

    def missing(req, res, ctx):
        res.status = 404
        res.body = {"error": "no such user"}

    app.schema.POST("/echo", expects=Customer)
    app.POST("/echo", echo)
    app.schema.GET("/missing", returns=FullUser)
    app.GET("/missing", missing)
    good = {"name": "Ada", "email": "ada@example.com", "age": 36, "tier": "pro"}
    return app, [req("POST", "/echo", "POST /echo extra key", json={**good, "admin": True}), get("/missing")]


@app
def stream_edges():
    app = App()

    async def sse(req, res, ctx):
        async def events():
            yield "line one\nline two"
        res.stream(events(), sse=True)

    def truncated(req, res, ctx):
        res.body = {"form": show(req.form.to_dict())}

    app.GET("/sse", sse)
    app.POST("/form", truncated)
    boundary = "----HeavenCompatBoundary"
    body = f"--{boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
    return app, [get("/sse"), req("POST", "/form", "truncated multipart", body=body,
                                  headers=[["content-type", f"multipart/form-data; boundary={boundary}"]])]


@app
def typed_values():
    """Every tricky value of tests/compat/fuzz.py through a typed segment and
    a typed query hint of each type."""
    from urllib.parse import quote

    from fuzz import VALUES

    app = App()

    def echo(req, res, ctx):
        res.body = {"params": show(req.params), "queries": show(req.queries)}

    requests = []
    for kind, values in VALUES.items():
        app.GET(f"/{kind}/:v:{kind}?v:{kind}", echo)
        for value in values:
            encoded = quote(value, safe="")
            requests.append(get(f"/{kind}/{encoded}", f"GET /{kind}/{value!r}"))
            requests.append(get(f"/{kind}/x?v={encoded}", f"GET /{kind}/x?v={value!r}"))
    return app, requests
