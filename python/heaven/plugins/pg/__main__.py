"""`python -m heaven.plugins.pg migrate FOLDER [--dsn DSN]`: apply a folder
of SQL migrations (the DSN defaults to $DATABASE_URL)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from .migrations import MigrationError, migrate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m heaven.plugins.pg")
    commands = parser.add_subparsers(dest="command", required=True)
    apply = commands.add_parser("migrate", help="apply the folder's .sql files not applied yet, in name order")
    apply.add_argument("folder")
    apply.add_argument("--dsn", default=os.environ.get("DATABASE_URL"), help="default: $DATABASE_URL")
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error("no database: pass --dsn or set DATABASE_URL")
    try:
        applied = asyncio.run(migrate(args.dsn, args.folder))
    except (MigrationError, ConnectionError) as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 1
    print(f"migrate: applied {', '.join(applied)}" if applied else "migrate: nothing to apply (up to date)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
