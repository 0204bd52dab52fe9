"""heaven.plugins.pg served by granian on both interfaces, against the real
PostgreSQL: the pool opens in the worker's startup and closes at shutdown;
an unreachable database stops the worker before it serves; a failing query
is a 500 that shows nothing of the SQL."""

import asyncio

import asyncpg
import httpx
import pytest

from services.postgres import free_port

pytestmark = pytest.mark.e2e


def connections(dsn: str) -> int:
    async def count():
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await conn.close()

    return asyncio.run(count())


def test_pool_opens_serves_and_closes_with_the_worker(serve, new_database):
    dsn = new_database("pg_e2e")
    server = serve("pg_app:app", env={"DATABASE_URL": dsn})
    assert httpx.post(f"{server.url}/notes", json={"text": "hello"}).status_code == 201
    assert httpx.get(f"{server.url}/notes").json() == [{"id": 1, "text": "hello"}]
    r = httpx.get(f"{server.url}/broken")
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert connections(dsn) >= 1
    output = server.stop()
    assert server.proc.returncode == 0, output
    assert "secret_table" in output  # logged for the operator, never sent to the client
    assert connections(dsn) == 0  # the pool was closed on the way out


def test_an_unreachable_database_stops_the_worker(serve):
    server = serve("pg_app:app", env={"DATABASE_URL": f"postgresql://app:hunter2@127.0.0.1:{free_port()}/db"}, ready=False)
    try:
        server.proc.wait(timeout=30)
    except Exception:
        pytest.fail(f"granian kept running with no database:\n{server.stop()}")
    output = server.stop()
    assert server.proc.returncode != 0
    assert "cannot connect to postgresql://app:***@127.0.0.1" in output and "hunter2" not in output
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url, timeout=1)
