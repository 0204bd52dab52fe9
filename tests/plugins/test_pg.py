"""heaven.plugins.pg against a real PostgreSQL (tests/services/plugin.py
starts one): the pool follows the lifespan, rows bind to msgspec Structs,
transactions commit and roll back, per-request connections come back to the
pool, and failures are clear (startup fails; a query error is a 500 that
shows no SQL)."""

from __future__ import annotations

import asyncio
import datetime
import logging

import asyncpg
import msgspec
import pytest

from heaven import App
from heaven.plugins.pg import Connection, MigrationError, Postgres, migrate
from heaven.plugins.pg.__main__ import main as pg_command
from heaven.testing import Client, LifespanError

pytestmark = pytest.mark.interfaces  # served in-process on ASGI and on RSGI


class User(msgspec.Struct):
    id: int
    email: str
    active: bool
    joined: datetime.date


SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, active bool NOT NULL, joined date NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com', true, '2024-01-02'), (2, 'bob@example.com', false, '2024-03-04');
CREATE TABLE events (id serial PRIMARY KEY, what text NOT NULL);
"""


async def sql(dsn: str, query: str, *args):
    """One statement with arguments (fetch), or a script without (execute)."""
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query, *args) if args else await conn.execute(query)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def dsn(new_database):
    dsn = new_database("pg_plugin")
    asyncio.run(sql(dsn, SCHEMA))
    return dsn


@pytest.fixture
def events(dsn):
    """The events table, emptied before each test that writes to it."""
    asyncio.run(sql(dsn, "TRUNCATE events RESTART IDENTITY"))
    return lambda: [r["what"] for r in asyncio.run(sql(dsn, "SELECT what FROM events WHERE $1 ORDER BY id", True))]


def connections_to(dsn: str, database: str) -> int:
    query = "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
    rows = asyncio.run(sql(dsn, query, database))
    return rows[0]["n"]


def test_pool_follows_the_lifespan_and_is_on_ctx_and_app(dsn, interface):
    db = Postgres(dsn, name="db", min_size=2)
    app = App().plugin(db)
    database = dsn.rsplit("/", 1)[1]

    async def same(req, res, ctx):
        res.body = {"ctx": ctx.db is db, "app": req.app.peek("db") is db}

    app.GET("/same", same)
    with pytest.raises(RuntimeError, match="the pool is not open.*startup"):
        db.pool
    with Client(app, interface=interface) as client:
        assert isinstance(db.pool, asyncpg.Pool)
        assert connections_to(dsn, database) == 2  # min_size connections, opened at startup
        assert client.get("/same").json() == {"ctx": True, "app": True}
    assert connections_to(dsn, database) == 0  # closed at shutdown
    with pytest.raises(RuntimeError, match="not open"):
        db.pool


def test_fetch_binds_rows_to_structs(dsn, interface):
    db = Postgres(dsn)
    app = App().plugin(db)

    async def users(req, res, ctx):
        res.body = await ctx.db.fetch("SELECT * FROM users ORDER BY id", bind=User)

    async def user(req, res, ctx):
        found = await ctx.db.fetchrow("SELECT * FROM users WHERE id = $1", req.params["id"], bind=User)
        if found is None:
            res.status = 404
        res.body = found

    async def raw(req, res, ctx):
        rows = await ctx.db.fetch("SELECT id, email FROM users ORDER BY id")
        row = await ctx.db.fetchrow("SELECT email FROM users WHERE id = 2")
        count = await ctx.db.fetchval("SELECT count(*) FROM users")
        second = await ctx.db.fetchval("SELECT id, email FROM users WHERE id = 1", column=1)
        res.body = {"records": [type(r).__name__ for r in rows], "emails": [r["email"] for r in rows],
                    "row": row["email"], "count": count, "second": second}

    app.GET("/users", users)
    app.GET("/users/:id:int", user)
    app.GET("/raw", raw)
    with Client(app, interface=interface) as client:
        assert client.get("/users").json() == [
            {"id": 1, "email": "ada@example.com", "active": True, "joined": "2024-01-02"},
            {"id": 2, "email": "bob@example.com", "active": False, "joined": "2024-03-04"},
        ]
        assert client.get("/users/2").json()["email"] == "bob@example.com"
        assert client.get("/users/9").status_code == 404
        assert client.get("/raw").json() == {"records": ["Record", "Record"], "emails": ["ada@example.com", "bob@example.com"],
                                             "row": "bob@example.com", "count": 2, "second": "ada@example.com"}


def test_bind_returns_struct_instances_and_refuses_rows_that_do_not_fit(dsn):
    class Missing(msgspec.Struct):
        id: int
        nickname: str

    async def main():
        db = Postgres(dsn)
        await db.open()
        try:
            users = await db.fetch("SELECT * FROM users ORDER BY id", bind=User)
            assert users[0] == User(1, "ada@example.com", True, datetime.date(2024, 1, 2))
            assert await db.fetchrow("SELECT * FROM users WHERE id = 0", bind=User) is None
            with pytest.raises(msgspec.ValidationError, match="nickname"):
                await db.fetch("SELECT * FROM users", bind=Missing)
        finally:
            await db.close()

    asyncio.run(main())


def test_execute_executemany_and_transactions(dsn, events):
    async def main():
        db = Postgres(dsn)
        await db.open()
        try:
            assert await db.execute("INSERT INTO events (what) VALUES ($1)", "one") == "INSERT 0 1"
            await db.executemany("INSERT INTO events (what) VALUES ($1)", [("two",), ("three",)])
            async with db.transaction() as tx:
                assert isinstance(tx, Connection)
                await tx.execute("INSERT INTO events (what) VALUES ('committed')")
            with pytest.raises(ZeroDivisionError):
                async with db.transaction() as tx:
                    await tx.execute("INSERT INTO events (what) VALUES ('rolled back')")
                    1 / 0
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO events (what) VALUES ('outer')")
                with pytest.raises(ValueError):
                    async with tx.transaction():  # a savepoint: only the inner part rolls back
                        await tx.execute("INSERT INTO events (what) VALUES ('inner')")
                        raise ValueError
            async with db.acquire() as conn:
                assert await conn.fetchval("SELECT count(*) FROM events") == 5
        finally:
            await db.close()

    asyncio.run(main())
    assert events() == ["one", "two", "three", "committed", "outer"]


def test_a_route_can_ask_for_one_connection_per_request(dsn, events, interface):
    db = Postgres(dsn, max_size=2)
    app = App().plugin(db)

    @app.POST("/transfer")
    @db.connection
    async def transfer(req, res, ctx):
        # Every query of this request runs on one connection: one backend pid.
        first = await ctx.db.fetchval("SELECT pg_backend_pid()")
        async with ctx.db.transaction():
            await ctx.db.execute("INSERT INTO events (what) VALUES ('debit')")
            await ctx.db.execute("INSERT INTO events (what) VALUES ('credit')")
        second = await ctx.db.fetchval("SELECT pg_backend_pid()")
        res.body = {"kind": type(ctx.db).__name__, "same": first == second}

    @app.GET("/fails")
    @db.connection
    async def fails(req, res, ctx):
        await ctx.db.execute("SELECT 1")
        raise RuntimeError("handler broke")

    def after(req, res, ctx):
        res.header("X-Db-After", type(ctx.db).__name__)

    app.AFTER("/transfer", after)
    with Client(app, raise_app_exceptions=False, interface=interface) as client:
        for _ in range(3):  # more requests than the pool has connections: each one came back
            r = client.post("/transfer")
            assert r.json() == {"kind": "Connection", "same": True}
            assert r.headers["x-db-after"] == "Postgres"  # the AFTER hook sees the plugin again
        assert client.get("/fails").status_code == 500
        assert client.get("/fails").status_code == 500
        assert client.post("/transfer").status_code == 200
        assert db.pool.get_idle_size() == db.pool.get_size()  # nothing still borrowed
    assert events() == ["debit", "credit"] * 4


def test_websocket_handlers_can_ask_for_a_connection(dsn):
    db = Postgres(dsn)
    app = App().plugin(db)

    @app.WS("/count")
    @db.connection
    async def count(send, receive, req, ctx):
        await send(f"{type(ctx.db).__name__} {await ctx.db.fetchval('SELECT count(*) FROM users')}")

    async def main():
        async with app.earth.test():
            async with app.earth.SOCKET("/count") as ws:
                assert await ws.receive() == "Connection 2"

    asyncio.run(main())


def test_a_failing_query_reaches_the_handler_and_uncaught_is_a_500_without_sql(dsn, caplog, interface):
    db = Postgres(dsn)
    app = App().plugin(db)

    async def caught(req, res, ctx):
        try:
            await ctx.db.fetch("SELECT * FROM no_such_table")
        except asyncpg.UndefinedTableError as exc:
            res.status = 503
            res.body = {"error": type(exc).__name__}

    async def uncaught(req, res, ctx):
        await ctx.db.execute("INSERT INTO users (id, email, active, joined) VALUES (1, 'secret@example.com', true, now())")

    app.GET("/caught", caught)
    app.GET("/uncaught", uncaught)
    with Client(app, raise_app_exceptions=False, interface=interface) as client, caplog.at_level(logging.ERROR, "heaven"):
        assert client.get("/caught").json() == {"error": "UndefinedTableError"}
        r = client.get("/uncaught")
        assert r.status_code == 500 and r.text == "Internal Server Error"
        assert "users" not in r.text and "secret" not in r.text
    assert "UniqueViolationError" in caplog.text  # the log, not the client, gets the details


def test_an_unreachable_database_fails_startup_and_hides_the_password(postgres_server, interface):
    from services.postgres import free_port, with_database

    dead = f"postgresql://app:hunter2@127.0.0.1:{free_port()}/nowhere"
    missing = with_database(postgres_server.admin_dsn, "no_such_database")
    for dsn, reason in ((dead, "ConnectionRefusedError|OSError"), (missing, "InvalidCatalogNameError")):
        app = App().plugin(Postgres(dsn, connect_timeout=5))
        app.GET("/", lambda req, res, ctx: None)
        with pytest.raises(LifespanError, match=f"ConnectionError: heaven.plugins.pg \\(db\\): cannot connect to .*({reason})") as info:
            with Client(app, interface=interface):
                pass
        if dsn == dead:
            assert "app:***@127.0.0.1" in str(info.value) and "hunter2" not in str(info.value)


def test_ctx_name_on_other_subdomains(dsn, interface):
    app = App().plugin(Postgres(dsn, name="pg", subdomains=("www", "api")))

    async def count(req, res, ctx):
        res.body = await ctx.pg.fetchval("SELECT count(*) FROM users")

    app.GET("/count", count)
    app.GET("/count", count, subdomain="api")
    with Client(app, base_url="http://example.com", interface=interface) as client:
        assert client.get("/count").json() == 2
        assert client.get("/count", headers={"host": "api.example.com"}).json() == 2


def test_misuse_is_refused_clearly():
    with pytest.raises(ValueError, match="ctx.<name>"):
        Postgres("postgresql://localhost/db", name="session")
    with pytest.raises(ValueError, match="ctx.<name>"):
        Postgres("postgresql://localhost/db", name="not an identifier")
    with pytest.raises(TypeError, match="connection string"):
        Postgres(5432)
    db = Postgres("postgresql://localhost/db")
    App().plugin(db)
    with pytest.raises(RuntimeError, match="already installed"):
        App().plugin(db)
    with pytest.raises(TypeError, match="decorates a handler"):
        db.connection("not a handler")


def test_migrations_apply_in_order_once_each(new_database, tmp_path, capsys):
    dsn = new_database("migrations")
    (tmp_path / "002_index.sql").write_text("CREATE INDEX ON notes (text);")
    (tmp_path / "001_notes.sql").write_text("CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL);\n"
                                           "INSERT INTO notes (text) VALUES ('first');")
    assert asyncio.run(migrate(dsn, tmp_path)) == ["001_notes.sql", "002_index.sql"]
    assert asyncio.run(migrate(dsn, tmp_path)) == []  # applied once only
    (tmp_path / "003_broken.sql").write_text("INSERT INTO notes (text) VALUES ('lost');\nSELECT * FROM missing_table;")
    (tmp_path / "004_after.sql").write_text("INSERT INTO notes (text) VALUES ('never');")
    with pytest.raises(MigrationError, match="003_broken.sql failed and was rolled back: UndefinedTableError"):
        asyncio.run(migrate(dsn, tmp_path))
    assert [r["text"] for r in asyncio.run(sql(dsn, "SELECT text FROM notes WHERE $1 ORDER BY id", True))] == ["first"]
    (tmp_path / "003_broken.sql").unlink()
    (tmp_path / "001_notes.sql").write_text("CREATE TABLE notes (id int);")
    with pytest.raises(MigrationError, match="001_notes.sql was applied and has changed since"):
        asyncio.run(migrate(dsn, tmp_path))

    # The command line: what `make example-patients` runs before serving.
    (tmp_path / "001_notes.sql").unlink()
    (tmp_path / "002_index.sql").unlink()
    assert pg_command(["migrate", str(tmp_path), "--dsn", dsn]) == 0
    assert capsys.readouterr().out == "migrate: applied 004_after.sql\n"
    assert pg_command(["migrate", str(tmp_path), "--dsn", dsn]) == 0
    assert "nothing to apply" in capsys.readouterr().out
    assert pg_command(["migrate", str(tmp_path / "empty"), "--dsn", dsn]) == 1
    assert "no .sql files" in capsys.readouterr().err


def test_unavailable_names_the_errors_of_a_database_that_went_away():
    from heaven.plugins.pg import UNAVAILABLE
    from services.plugin import unavailable
    from services.postgres import Server, bindir

    if bindir() is None:
        unavailable("this test stops a PostgreSQL server of its own: it needs PostgreSQL installed (make system-deps)")
    server = Server(bindir()).start()

    async def main():
        db = Postgres(server.admin_dsn, min_size=2)
        await db.open()
        try:
            assert await db.fetchval("SELECT 1") == 1
            server.stop()
            for _ in range(3):  # a dead pooled connection, then refused reconnections
                with pytest.raises(UNAVAILABLE):
                    await db.fetchval("SELECT 1")
            # A bad query is not "unavailable": retrying would not help.
            assert not issubclass(asyncpg.UndefinedTableError, UNAVAILABLE)
            assert not issubclass(asyncpg.UniqueViolationError, UNAVAILABLE)
        finally:
            await db.close()

    try:
        asyncio.run(main())
    finally:
        server.stop()


def test_without_asyncpg_the_import_says_what_to_install():
    import subprocess
    import sys

    code = "import sys; sys.modules['asyncpg'] = None\ntry:\n import heaven.plugins.pg\nexcept ImportError as e: print(e)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "heaven.plugins.pg needs asyncpg: pip install 'heaven[pg]'", done.stderr
    done = subprocess.run([sys.executable, "-c", "import sys; sys.modules['asyncpg'] = None; import heaven; print('ok')"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok"  # heaven itself never needs it
