"""Loading the auth app for a test: a migrated database, a known secret key."""

import asyncio
import importlib.util
import os
import sys
from pathlib import Path

from heaven.plugins.pg import migrate

EXAMPLE = Path(__file__).resolve().parents[1]
SECRET_KEY = "test secret, long enough for HS256 ........"


def load_auth_app(database_url: str, name: str = "auth"):
    """Import auth.py as granian does (its folder on sys.path) with this
    DATABASE_URL and a known SECRET_KEY; another `name` gives another app."""
    if str(EXAMPLE) not in sys.path:
        sys.path.insert(0, str(EXAMPLE))
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "SECRET_KEY")}
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY)
    try:
        spec = importlib.util.spec_from_file_location(name, EXAMPLE / "auth.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module.app
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def migrated(dsn: str) -> str:
    asyncio.run(migrate(dsn, EXAMPLE / "migrations"))
    return dsn
