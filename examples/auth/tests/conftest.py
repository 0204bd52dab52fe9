"""The auth example's tests run against the real PostgreSQL of the test run,
on a database migrated as `make example-auth` migrates it."""

import pytest

from auth_support import load_auth_app, migrated


@pytest.fixture(scope="session")
def auth_app(new_database):
    return load_auth_app(migrated(new_database("auth")))


@pytest.fixture(scope="module", params=["asgi", "rsgi"])
def interface(request):
    """Every in-process test runs on both of granian's interfaces."""
    return request.param
