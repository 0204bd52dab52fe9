"""Schema migrations as plain SQL files: `migrate(dsn, folder)` applies the
folder's `*.sql` files in name order (`001_patients.sql`, `002_...`), each
once, each in its own transaction together with its entry in the
`schema_migrations` table. Run it before the workers start (a deploy step),
not in every worker's startup."""

from __future__ import annotations

import hashlib
from pathlib import Path

import asyncpg

from .plugin import redacted

# Any fixed number: the advisory lock that keeps two migrators from racing.
_LOCK = 0x68656176656E


class MigrationError(RuntimeError):
    """A migration failed (its transaction was rolled back and later files
    did not run), or an applied file was changed afterwards."""


async def migrate(dsn: str, folder: str | Path, *, table: str = "schema_migrations") -> list[str]:
    """Apply the `.sql` files of `folder` not applied yet; returns their
    names. A file that was applied and has changed since is refused: write
    a new migration instead of editing an old one."""
    files = sorted(Path(folder).glob("*.sql"))
    if not files:
        raise MigrationError(f"no .sql files in {folder}")
    if not table.isidentifier():
        raise ValueError(f"migrate(table={table!r}): a plain identifier, please")
    try:
        conn = await asyncpg.connect(dsn, timeout=10)
    except Exception as exc:
        raise ConnectionError(f"migrate: cannot connect to {redacted(dsn)}: {type(exc).__name__}: {exc}") from exc
    applied: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK)
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (name text PRIMARY KEY, sha256 text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row["name"]: row["sha256"] for row in await conn.fetch(f"SELECT name, sha256 FROM {table}")}
        for path in files:
            sql = path.read_text()
            digest = hashlib.sha256(sql.encode()).hexdigest()
            if path.name in done:
                if done[path.name] != digest:
                    raise MigrationError(f"{path.name} was applied and has changed since: add a new migration instead")
                continue
            try:
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(f"INSERT INTO {table} (name, sha256) VALUES ($1, $2)", path.name, digest)
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"{path.name} failed and was rolled back: {type(exc).__name__}: {exc}") from exc
            applied.append(path.name)
    finally:
        await conn.close()  # also releases the advisory lock
    return applied
