"""The request, response and context of one exchange, made in one step.

`Request(...)`, `Response(...)` and `Context(...)` stay the public way to
build them (Heaven 2.4.3's spelling). The lifecycle makes three per
request, and calling a class whose `__init__` is Python code costs more
than the object itself (the call goes through the type's C slot into a
fresh interpreter frame): `begin` allocates the three and fills their
slots directly, which took ~2,000 instructions off every request
(docs/performance.md). `tests/test_exchange.py` checks that both ways
make the same objects, so a slot added to a constructor and not here
fails there."""

from __future__ import annotations

from typing import Any

from ..context import Context
from ..request import UNREAD, Request
from ..response import Response

_new = object.__new__


def begin(head: Any, body: bytes | None, reader: Any, app: Any, mounted: Any, server: Any) -> tuple[Any, Any, Any]:
    """`(req, res, ctx)` as `Request(head, body, reader, app, mounted,
    server)`, `Response(app, None, req)` and `Context(req, res)` would
    make them, with `res._ctx` set to `ctx` (`release` breaks that cycle)."""
    req = _new(Request)
    req._head = head
    req._body = body
    req._reader = reader
    req._server = server
    req.app = app
    req.mounted = mounted
    req._json = UNREAD
    req._data = UNREAD
    req._streamed = False
    req._drained = body is not None
    req._form = None
    res = _new(Response)
    res.status = 200
    res.body = None
    res._headers = []
    res._typed = False
    res._aborted = False
    res._deferred = None
    res.app = app
    res._req = req
    ctx = _new(Context)
    ctx._req = req
    ctx._res = res
    res._ctx = ctx
    return req, res, ctx
