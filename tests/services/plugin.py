"""pytest fixtures for the real services: PostgreSQL and Chromium.

Outside `make test`, a service that is not installed skips the tests that
need it, saying why. `make test` sets HEAVEN_TEST_STRICT=1: there, a missing
service fails those tests instead, so nothing is skipped in silence.
"""

from __future__ import annotations

import os
import signal
from typing import Callable, Iterator

import pytest

from services import chromium, postgres


def unavailable(reason: str) -> None:
    """Skip (a developer's plain pytest run), or fail under `make test`."""
    if os.environ.get("HEAVEN_TEST_STRICT"):
        pytest.fail(f"{reason} [HEAVEN_TEST_STRICT is set: make test runs every test]", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Databases]:
    """A PostgreSQL server for the whole run: HEAVEN_TEST_PG_DSN (a server you
    have, with a role that may create databases), else a throwaway one
    started here and stopped at the end, whatever the tests did."""
    given = os.environ.get("HEAVEN_TEST_PG_DSN")
    if given:
        databases = postgres.Databases(given)
        yield databases
        databases.drop_all()
        return
    binaries = postgres.bindir()
    if binaries is None:
        unavailable(postgres.NOT_INSTALLED)
    server = postgres.Server(binaries).start()
    # SIGTERM (a CI timeout, `kill`) would end pytest without teardown and
    # leave the server running: make it unwind like Ctrl-C instead.
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield postgres.Databases(server.admin_dsn)
    finally:
        server.stop()
        if previous is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def new_database(postgres_server: postgres.Databases) -> Callable[[str], str]:
    """`new_database('patients')` creates an empty database and returns its DSN."""
    return postgres_server.create


@pytest.fixture
def example_env(postgres_server: postgres.Databases) -> Callable[[str], dict[str, str]]:
    """The environment to run an example's documented command in: as on a
    fresh machine (no DATABASE_URL, so the command starts its own throwaway
    PostgreSQL), or, when HEAVEN_TEST_PG_DSN names your server, a fresh
    database on it."""

    def env(name: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if os.environ.get("HEAVEN_TEST_PG_DSN"):
            env["DATABASE_URL"] = postgres_server.create(name)
        return env

    return env


class Browsers:
    """Headless Chromium windows for one test: `open()` starts one (its own
    profile, so its own cookies); `close()` quits them all (the fixture does
    it at the end; a test closes them earlier to let a server stop)."""

    def __init__(self, found: tuple[str, str]) -> None:
        self.found = found
        self.drivers: list = []

    def open(self):
        driver = chromium.start(*self.found)
        self.drivers.append(driver)
        return driver

    def close(self) -> None:
        drivers, self.drivers = self.drivers, []
        for driver in drivers:
            driver.quit()


@pytest.fixture
def browsers() -> Iterator[Browsers]:
    found = chromium.binaries()
    if found is None:
        unavailable(chromium.NOT_INSTALLED)
    opened = Browsers(found)
    yield opened
    opened.close()
