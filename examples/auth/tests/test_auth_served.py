"""`make example-auth`, the documented command, on both of granian's
interfaces: migrate, serve, log in, use the token; Ctrl-C stops everything."""

import os
import socket

import httpx
import pytest

from services.commands import make_example
from services.postgres import free_port

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("interface", ["asgi", "rsgi"])
def test_the_documented_command_serves_the_app(interface, example_env):
    command = make_example("auth", free_port(), interface, example_env("auth"))
    try:
        command.wait_ready("/v1/me")
        token = httpx.post(f"{command.url}/login", json={"username": "ada", "password": "lovelace"}).json()["token"]
        ada = {"authorization": f"Bearer {token}"}
        for prefix in ("/v1", "/v2"):
            assert httpx.get(f"{command.url}{prefix}/me").status_code == 401
            assert httpx.get(f"{command.url}{prefix}/me", headers=ada).json()["username"] == "ada"
            assert httpx.get(f"{command.url}{prefix}/records", headers=ada).json()[0]["title"] == "Notes on the Analytical Engine"
    finally:
        output = command.interrupt()
    assert not command.killed, output
    assert "migrate: applied 001_auth.sql, 002_demo_users.sql" in output, output
    if not os.environ.get("HEAVEN_TEST_PG_DSN"):
        port = command.throwaway_port()
        assert port is not None, output
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
