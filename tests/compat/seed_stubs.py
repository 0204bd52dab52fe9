"""Stand-ins for the parts of a project Heaven 2.4.3's documentation
examples mention but do not show (tests/compat/test_seed_docs.py)."""

from typing import Any

TOUCHED: list[str] = []


async def stub_handler(*args: Any) -> None:
    """A handler, hook or lifecycle callback an example names by import path
    in a module no example defines."""
    TOUCHED.append("stub handler")


def module_getattr(name: str) -> Any:
    """`__getattr__` of the modules the examples write: a name no example
    defines in them is a stub handler."""
    if name.startswith("__"):
        raise AttributeError(name)
    return stub_handler
