"""schemathesis against examples/api.py served by granian: generated
requests (valid and invalid) must never get a 5xx, and every documented
response must match the schema the app declares."""

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Server

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_generated_requests_find_no_server_errors_and_no_schema_breaks(tmp_path, interface):
    server = Server("api:app", working_dir=EXAMPLES, interface=interface)
    try:
        server.wait_ready(path="/docs/openapi.json")
        schemathesis = Path(sys.executable).parent / "schemathesis"
        run = subprocess.run(
            [
                str(schemathesis), "run", f"{server.url}/docs/openapi.json",
                "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
                "--max-examples", "25", "--seed", "1", "--workers", "1",
                "--phases", "examples,coverage,fuzzing",
            ],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout
    assert "6 selected / 6 total" in run.stdout  # the five user operations and the avatar upload
