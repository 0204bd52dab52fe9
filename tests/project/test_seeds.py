"""The examples of Heaven's router and plugin pages (docs/compatibility.md),
run as written (with in-memory stand-ins for the database clients)."""

import asyncio
from typing import Any, List, Type, TypeVar

import httpx
import msgspec

import pytest

from heaven import SHUTDOWN, STARTUP, App, Application, Context, Request, Response, Router
from helpers import Client, Lifespan

pytestmark = pytest.mark.interfaces

T = TypeVar("T")


def test_router_object_aliases_and_registration():
    assert App == Router == Application
    router = Router()
    seen = []

    def handler(req, res, ctx):
        seen.append((req.method, req.path))

    router.GET("/read", handler)
    router.POST("/write", handler)
    router.HTTP("/all", handler)
    router.BEFORE("/orders/*", lambda req, res, ctx: seen.append("before-orders"))
    router.AFTER("/orders/*", lambda req, res, ctx: seen.append("after-orders"))
    router.GET("/orders/:id", handler)
    with Client(router) as c:
        assert c.get("/read").status_code == 200
        assert c.post("/write").status_code == 200
        assert c.request("PATCH", "/all").status_code == 200
        assert c.post("/read").status_code == 405
        c.get("/orders/1")
    assert seen == [
        ("GET", "/read"),
        ("POST", "/write"),
        ("PATCH", "/all"),
        "before-orders",
        ("GET", "/orders/1"),
        "after-orders",
    ]


def test_after_hook_scope_from_the_docs():
    printed = []
    message = "I will run after all /v1/* routes"
    router = Router()
    router.AFTER("/v1/*", lambda req, res, ctx: printed.append(message))
    router.GET("/v1/customers", lambda req, res, ctx: None)
    router.POST("/v1/leads", lambda req, res, ctx: None)
    router.GET("/v2/customers", lambda req, res, ctx: None)
    with Client(router) as c:
        c.get("/v1/customers")
        c.post("/v1/leads")
        c.get("/v2/customers")
    assert printed == [message, message]


def test_global_config_and_store():
    router = Router({"secret_key": "not so secret..."})
    router.keep("visits", 0)

    def handler(req, res, ctx):
        req.app.keep("visits", req.app.peek("visits") + 1)
        res.body = {"key": req.app.CONFIG("secret_key"), "visits": req.app.peek("visits")}

    router.GET("/", handler)
    with Client(router) as c:
        c.get("/")
        assert c.get("/").json() == {"key": "not so secret...", "visits": 2}
    assert router.unkeep("visits") == 2
    assert router.peek("visits") is None


class FakeConnection:
    """Stands in for aiomysql's connection."""

    def __init__(self):
        self.executed = []
        self.closed = False

    async def execute(self, sql):
        self.executed.append(sql)


class FakeRedis:
    def __init__(self, host):
        self.host = host


def test_customizing_with_sync_and_async_startup_and_shutdown():
    app = App()

    async def updatabase(router: Router):
        await asyncio.sleep(0)
        router.keep("db", FakeConnection())

    def upredis(router: Router):
        router.keep("redis", FakeRedis("localhost"))

    async def downdatabase(router: Router):
        router.peek("db").closed = True

    async def create_order(req: Request, res: Response, ctx: Context):
        db = req.app.peek("db")
        await db.execute("INSERT ...")
        res.status = 201

    app.ON(STARTUP, updatabase)
    app.ON(STARTUP, upredis)
    app.ON(SHUTDOWN, downdatabase)
    app.POST("/orders", create_order)

    async def run():
        ls = Lifespan(app)
        await ls.startup()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            status = (await http.post("/orders")).status_code
        await ls.shutdown()
        return status

    assert asyncio.run(run()) == 201
    assert app.peek("db").executed == ["INSERT ..."]
    assert app.peek("db").closed is True
    assert app.peek("redis").host == "localhost"


# -- heaven-plugins.txt -------------------------------------------------------


class MyPlugin:
    def __init__(self):
        self.connected = False

    def install(self, app):
        app.ON("startup", self.connect)
        app.keep("my_plugin", self)

    async def connect(self, app):
        self.connected = True


class FakePool:
    """In-memory stand-in for an asyncpg pool: a table of rows."""

    def __init__(self, rows):
        self.rows = rows
        self.closed = False

    async def fetch(self, query, *args):
        assert query.startswith("SELECT")
        return list(self.rows)

    async def close(self):
        self.closed = True


class PostgresPlugin:
    def __init__(self, dsn: str, name: str = "pg", rows=()):
        self.dsn = dsn
        self.name = name
        self.pool = None
        self._rows = list(rows)

    def install(self, app):
        app.ON("startup", self.startup)
        app.ON("shutdown", self.shutdown)

        async def inject_db(req, res, ctx):
            ctx.keep(self.name, self)

        app.BEFORE("/*", inject_db)

    async def startup(self, app):
        self.pool = FakePool(self._rows)

    async def shutdown(self, app):
        await self.pool.close()

    async def fetch(self, query: str, *args, bind: Type[T] = None) -> List[Any]:
        rows = await self.pool.fetch(query, *args)
        if bind:
            return msgspec.convert(rows, List[bind])
        return rows


class User(msgspec.Struct):
    id: int
    email: str
    is_active: bool


def test_plugin_protocol():
    app = Router()
    plugin = MyPlugin()
    app.plugin(plugin)
    assert app.peek("my_plugin") is plugin

    async def run():
        ls = Lifespan(app)
        await ls.startup()
        await ls.shutdown()

    asyncio.run(run())
    assert plugin.connected


def test_postgres_plugin_with_msgspec_binding():
    rows = [{"id": 1, "email": "a@x.io", "is_active": True}, {"id": 2, "email": "b@x.io", "is_active": False}]
    app = Router()
    plugin = PostgresPlugin(dsn="postgres://user:pass@localhost/db", name="db", rows=rows)
    app.plugin(plugin)

    async def get_users(req, res, ctx):
        users = await ctx.db.fetch("SELECT * FROM users", bind=User)
        assert all(isinstance(u, User) for u in users)
        res.body = users

    app.GET("/users", get_users)

    async def run():
        ls = Lifespan(app)
        await ls.startup()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            response = await http.get("/users")
        await ls.shutdown()
        return response

    response = asyncio.run(run())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == rows
    assert plugin.pool.closed
