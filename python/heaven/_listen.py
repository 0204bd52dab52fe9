"""`app.listen()`: serve an app object in-process with granian's embedded
server (Heaven 2.4.3's `listen` ran uvicorn the same way)."""

from __future__ import annotations

import asyncio
from typing import Any


def serve(app: Any, host: str, port: int, **options: Any) -> None:
    """Block serving `app` on `host:port` until interrupted. RSGI unless
    `interface=` says otherwise ('asgi' also works)."""
    try:
        from granian.constants import Interfaces
        from granian.server.embed import Server
    except ImportError as exc:  # granian is heaven's server, but an optional install
        raise RuntimeError("app.listen() serves with granian: pip install granian") from exc
    interface = options.pop("interface", Interfaces.RSGI)
    if isinstance(interface, str):
        interface = Interfaces(interface.lower())
    address = "127.0.0.1" if host == "localhost" else host
    server = Server(app, address=address, port=port, interface=interface, **options)
    try:
        asyncio.run(server.serve())
    except KeyboardInterrupt:
        pass
