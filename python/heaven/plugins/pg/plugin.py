"""The plugin: an asyncpg pool on the app and on `ctx.<name>`.

The pool opens with the app's startup (an unreachable database fails startup,
so the server never serves without one) and closes at shutdown. Each worker
process opens its own pool. Queries raise asyncpg's own errors; one left
uncaught is a plain 500 that shows nothing of the SQL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import urllib.parse
from contextlib import asynccontextmanager
from inspect import isawaitable
from typing import Any, AsyncIterator, Callable, Iterable, TypeVar, overload

import msgspec

try:
    import asyncpg
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("heaven.plugins.pg needs asyncpg: pip install 'heaven[pg]'") from exc

from ...app import SHUTDOWN, STARTUP
from ...context import RESERVED

T = TypeVar("T")
logger = logging.getLogger("heaven.plugins.pg")

#: The errors that mean "the database cannot be reached right now" (down,
#: restarting, refusing connections, the network), as opposed to a bad query:
#: `except UNAVAILABLE:` is where a handler answers 503 and asks to retry.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)


def _rows_as(rows: list[Any], bind: type[T]) -> list[T]:
    # Plain dicts first: msgspec builds Structs from them about twice as fast
    # as from asyncpg's Record through its generic mapping path.
    return msgspec.convert([dict(row) for row in rows], list[bind])  # type: ignore[valid-type]  # a type held in a variable: mypy cannot subscript with it


class _Queries:
    """The query methods, over whatever `_executor()` returns: the pool (each
    call borrows a connection for itself) or one connection."""

    def _executor(self) -> Any:
        raise NotImplementedError

    @overload
    async def fetch(self, query: str, *args: Any, bind: type[T], timeout: float | None = None) -> list[T]: ...
    @overload
    async def fetch(self, query: str, *args: Any, bind: None = None, timeout: float | None = None) -> list[Any]: ...
    async def fetch(self, query: str, *args: Any, bind: Any = None, timeout: float | None = None) -> list[Any]:
        """Every row: asyncpg Records, or `bind` instances (a msgspec Struct,
        dataclass or TypedDict, built by column name) when `bind` is given."""
        rows = await self._executor().fetch(query, *args, timeout=timeout)
        return rows if bind is None else _rows_as(rows, bind)

    @overload
    async def fetchrow(self, query: str, *args: Any, bind: type[T], timeout: float | None = None) -> T | None: ...
    @overload
    async def fetchrow(self, query: str, *args: Any, bind: None = None, timeout: float | None = None) -> Any: ...
    async def fetchrow(self, query: str, *args: Any, bind: Any = None, timeout: float | None = None) -> Any:
        """The first row (None when there is none), as a `bind` instance when given."""
        row = await self._executor().fetchrow(query, *args, timeout=timeout)
        if row is None or bind is None:
            return row
        return msgspec.convert(dict(row), bind)

    async def fetchval(self, query: str, *args: Any, column: int = 0, timeout: float | None = None) -> Any:
        """One value of the first row (None when there is no row)."""
        return await self._executor().fetchval(query, *args, column=column, timeout=timeout)

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        """Run a statement; returns its status, e.g. `'INSERT 0 1'`."""
        status: str = await self._executor().execute(query, *args, timeout=timeout)
        return status

    async def executemany(self, query: str, args: Iterable[Iterable[Any]], timeout: float | None = None) -> None:
        """Run a statement once per argument tuple (one round trip per batch)."""
        await self._executor().executemany(query, args, timeout=timeout)


class Connection(_Queries):
    """One connection, with the same query methods as the plugin: what
    `db.acquire()` and `db.transaction()` yield, and what `ctx.<name>` is
    inside a handler decorated with `db.connection`. `raw` is asyncpg's own
    connection (COPY, LISTEN, prepared statements...)."""

    __slots__ = ("raw",)

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def _executor(self) -> Any:
        return self.raw

    @asynccontextmanager
    async def transaction(
        self, *, isolation: str | None = None, readonly: bool = False, deferrable: bool = False
    ) -> AsyncIterator[Connection]:
        """A transaction on this connection (a savepoint when one is already
        open): committed when the block ends, rolled back if it raises."""
        async with self.raw.transaction(isolation=isolation, readonly=readonly, deferrable=deferrable):
            yield self

    def __repr__(self) -> str:
        return f"<heaven.plugins.pg.Connection {self.raw!r}>"


def redacted(dsn: str | None) -> str:
    """The DSN for a log line or an error: never the password."""
    if not dsn:
        return "the server given by the PG* environment variables"
    parts = urllib.parse.urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


class Postgres(_Queries):
    """An asyncpg pool as a heaven plugin.

    `app.plugin(Postgres(dsn, name="db"))` keeps the plugin as
    `app.peek("db")` and on `ctx.db` in every request (a BEFORE hook on `/*`
    of each of `subdomains`; install the plugin before hooks that need it).
    `min_size`/`max_size` bound the pool per worker; `connect_timeout` bounds
    each connection attempt; other keyword arguments go to
    `asyncpg.create_pool` (`init=`, `server_settings=`, ...).
    """

    def __init__(
        self,
        dsn: str | None = None,
        *,
        name: str = "db",
        min_size: int = 1,
        max_size: int = 10,
        connect_timeout: float = 10.0,
        close_timeout: float = 10.0,
        subdomains: Iterable[str] = ("www",),
        **pool_options: Any,
    ) -> None:
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_") or name in RESERVED:
            raise ValueError(f"Postgres(name={name!r}): the name must be an identifier usable as ctx.<name>, not one of {sorted(RESERVED)}")
        if dsn is not None and not isinstance(dsn, str):
            raise TypeError(f"Postgres(dsn): a connection string such as 'postgresql://user@host/db', got {type(dsn).__name__}")
        self.dsn = dsn
        self.name = name
        self.subdomains = (subdomains,) if isinstance(subdomains, str) else tuple(subdomains)
        self.close_timeout = close_timeout
        self._pool_options = {"min_size": min_size, "max_size": max_size, "timeout": connect_timeout, **pool_options}
        self._pool: Any = None
        self._installed = False

    # -- the plugin -----------------------------------------------------------

    def install(self, app: Any) -> None:
        if self._installed:
            raise RuntimeError(f"Postgres({self.name!r}) is already installed on an app; make one per app")
        self._installed = True
        app.keep(self.name, self)
        app.ON(STARTUP, self.open)
        app.ON(SHUTDOWN, self.close)
        for subdomain in self.subdomains:
            app.BEFORE("/*", self._inject, subdomain=subdomain)

    def _inject(self, req: Any, res: Any, ctx: Any) -> None:
        ctx.keep(self.name, self)

    async def open(self, app: Any = None) -> None:
        """Open the pool (the startup callback). A database that cannot be
        reached raises ConnectionError, which fails the app's startup."""
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(self.dsn, **self._pool_options)
        except Exception as exc:
            raise ConnectionError(
                f"heaven.plugins.pg ({self.name}): cannot connect to {redacted(self.dsn)}: {type(exc).__name__}: {exc}"
            ) from exc
        logger.info("%s: pool open on %s", self.name, redacted(self.dsn))

    async def close(self, app: Any = None) -> None:
        """Close the pool (the shutdown callback): waits `close_timeout`
        seconds for borrowed connections to come back, then cuts them."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), self.close_timeout)
        except asyncio.TimeoutError:
            logger.warning("%s: connections still busy after %ss; terminating them", self.name, self.close_timeout)
            pool.terminate()

    @property
    def pool(self) -> Any:
        """asyncpg's Pool. Reading it before startup (or after shutdown) is
        an error that says so."""
        if self._pool is None:
            raise RuntimeError(
                f"heaven.plugins.pg ({self.name}): the pool is not open. It opens with the app's startup: "
                "serve the app under a server that runs the lifespan, or use heaven.testing.Client in a `with` block"
            )
        return self._pool

    def _executor(self) -> Any:
        return self.pool

    # -- connections and transactions ------------------------------------------

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        """Borrow one connection from the pool for the block."""
        async with self.pool.acquire() as raw:
            yield Connection(raw)

    @asynccontextmanager
    async def transaction(
        self, *, isolation: str | None = None, readonly: bool = False, deferrable: bool = False
    ) -> AsyncIterator[Connection]:
        """`async with db.transaction() as tx:` borrows a connection and opens
        a transaction on it: committed when the block ends, rolled back if
        it raises. Run the block's queries on `tx`."""
        async with self.acquire() as conn:
            async with conn.transaction(isolation=isolation, readonly=readonly, deferrable=deferrable):
                yield conn

    def connection(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Decorate a handler (HTTP or websocket) that wants one connection
        for its whole run: inside it `ctx.<name>` is a `Connection`, with
        the same methods, returned to the pool when the handler returns or
        raises (so a streamed body must not use it)."""
        if not callable(handler):
            raise TypeError(f"db.connection decorates a handler, got {handler!r}")
        name = self.name

        @functools.wraps(handler)
        async def with_connection(*args: Any) -> None:
            ctx = args[-1]  # (req, res, ctx) and (send, receive, req, ctx) both end with ctx
            async with self.acquire() as conn:
                ctx.keep(name, conn)
                try:
                    result = handler(*args)
                    if isawaitable(result):
                        await result
                finally:
                    ctx.keep(name, self)

        return with_connection

    def __repr__(self) -> str:
        state = "open" if self._pool is not None else "closed"
        return f"<heaven.plugins.pg.Postgres {self.name!r} {state} {redacted(self.dsn)}>"
