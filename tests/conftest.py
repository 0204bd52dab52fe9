"""Every in-process test of how an app is served runs on both interfaces:
a module marked `interfaces` has each test run once with ASGI and once with
RSGI (`helpers.INTERFACE` says which), and must get the same answers. A
test that exercises one interface's own protocol is marked `asgi_only` or
`rsgi_only`, with the reason."""

import sys
from pathlib import Path

import pytest

# tests/ holds helper modules and importable handler modules for dotted-path tests.
sys.path.insert(0, str(Path(__file__).parent))

import helpers  # noqa: E402


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "interface" not in metafunc.fixturenames or metafunc.definition.get_closest_marker("interfaces") is None:
        return
    only = [name for name in ("asgi", "rsgi") if metafunc.definition.get_closest_marker(f"{name}_only")]
    metafunc.parametrize("interface", only or ["asgi", "rsgi"])


@pytest.fixture
def interface() -> str:
    """The interface a test serves its app through (ASGI unless the module
    is marked `interfaces`, which runs it on both)."""
    return "asgi"


@pytest.fixture(autouse=True)
def _serve_over(interface: str):
    helpers.INTERFACE = interface
    yield
    helpers.INTERFACE = "asgi"
