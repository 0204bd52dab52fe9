"""Shared by every test folder (tests/ and examples/*/tests/): the fixtures
that start real services (tests/services/plugin.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "tests"))

pytest_plugins = ["services.plugin"]
