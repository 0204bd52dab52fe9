"""Heaven 2.4.3's `heaven.router`: the application class and its schema
registry. (Its pure-Python route tree, `Route`/`Routes`/`Parameter`, is
heaven's Rust core and has no Python classes.)"""

from .app import App, Application, Router, Server
from .schema import SchemaRegistry

__all__ = ["App", "Application", "Router", "SchemaRegistry", "Server"]
