"""The request, response and context of one exchange, made in one step.

`Request(...)`, `Response(...)` and `Context(...)` stay the public way to
build them (Heaven 2.4.3's spelling). The lifecycle makes three per
request, and making them in Python (three `object.__new__` calls, 22 slot
stores, a frame) cost about a quarter of heaven's own work on a plain
request. `begin` is one call into the native module, which allocates the
three and fills their `__slots__` where CPython keeps them (rust/py's
`exchange.rs` says how, and what it checks when this module is imported).
`tests/serving/test_exchange.py` checks that both ways make the same
objects, slot by slot, so a slot added to a constructor and not here fails
there. The compiled router holds `EXCHANGE` too: `Matcher.enter` starts a
request without a body in the same call that routes it."""

from __future__ import annotations

from .._core import Exchange
from ..context import Context
from ..request import UNREAD, Request
from ..response import JSON, TEXT, Response, json_encode

#: `begin(head, body, reader, app, mounted, server)` gives `(req, res, ctx)`
#: as `Request(head, body, reader, app, mounted, server)`, `Response(app,
#: None, req)` and `Context(req, res)` would make them, with `res._ctx` set
#: to `ctx` (`release` breaks that cycle).
EXCHANGE = Exchange(Request, Response, Context, UNREAD, TEXT, JSON, json_encode)
begin = EXCHANGE.begin
