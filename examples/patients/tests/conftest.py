"""The patients example's tests run against the real PostgreSQL of the test
run (a fresh database, migrated as `make example-patients` migrates it)."""

import asyncio
import importlib
import os
import sys
from pathlib import Path

import pytest

from heaven.plugins.pg import migrate

EXAMPLE = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def patients_dsn(new_database):
    dsn = new_database("patients")
    asyncio.run(migrate(dsn, EXAMPLE / "migrations"))
    return dsn


@pytest.fixture(scope="session")
def patients_app(patients_dsn):
    """`patients.app`, imported as granian imports it: with the example's
    folder on sys.path (the dotted handler paths resolve from there) and
    DATABASE_URL set."""
    sys.path.insert(0, str(EXAMPLE))
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = patients_dsn
    try:
        return importlib.import_module("patients").app
    finally:
        if previous is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = previous


@pytest.fixture(params=["asgi", "rsgi"])
def interface(request):
    """Every in-process test runs on both of granian's interfaces."""
    return request.param
