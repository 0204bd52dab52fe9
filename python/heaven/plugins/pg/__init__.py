"""PostgreSQL for heaven apps, through asyncpg (`pip install 'heaven[pg]'`).

    from heaven.plugins.pg import Postgres

    app.plugin(Postgres(os.environ["DATABASE_URL"], name="db"))

    async def users(req, res, ctx):
        res.body = await ctx.db.fetch("SELECT id, email FROM users", bind=User)

`migrate(dsn, folder)` (or `python -m heaven.plugins.pg migrate FOLDER`)
applies a folder of `.sql` migrations, once each. See docs/plugins.md.
"""

# plugin first: it is where a missing asyncpg is reported with what to install.
from .plugin import UNAVAILABLE, Connection, Postgres  # isort: skip
from .migrations import MigrationError, migrate

__all__ = ["UNAVAILABLE", "Connection", "MigrationError", "Postgres", "migrate"]
