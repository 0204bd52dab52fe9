"""`make example-patients`, the documented command, on both of granian's
interfaces: it migrates a database and serves; Ctrl-C stops the server and
the throwaway PostgreSQL it started."""

import os
import socket

import httpx
import pytest

from services.commands import make_example
from services.postgres import free_port

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("interface", ["asgi", "rsgi"])
def test_the_documented_command_serves_the_app(interface, example_env):
    command = make_example("patients", free_port(), interface, example_env("patients"))
    try:
        command.wait_ready("/api/patients")
        page = httpx.get(f"{command.url}/v1/patients/1000")
        assert page.status_code == 200 and "<h1>Ada Lovelace</h1>" in page.text
        created = httpx.post(f"{command.url}/api/patients", json={"name": "Alan Turing", "born": "1912-06-23", "ward": "er"})
        assert created.status_code == 201
        assert httpx.get(f"{command.url}/api/patients/{created.json()['id']}").json()["name"] == "Alan Turing"
        assert httpx.get(f"{command.url}/docs").status_code == 200
    finally:
        output = command.interrupt()
    assert not command.killed, output
    assert "migrate: applied 001_patients.sql, 002_demo_patients.sql" in output, output
    if not os.environ.get("HEAVEN_TEST_PG_DSN"):  # as on a fresh machine: its own PostgreSQL, stopped with it
        port = command.throwaway_port()
        assert port is not None, output
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
