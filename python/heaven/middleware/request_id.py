"""`RequestId`: one id per request, taken from the client's (or proxy's)
`X-Request-ID` when it is a sane token, else made here; sent back on the
response, readable as `req.id`, and put on heaven's log records so the
lines of one request can be found together."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any, Callable

_current: ContextVar[str | None] = ContextVar("heaven_request_id", default=None)
# What an incoming id may look like: a token a log line and a header can
# carry as is (UUIDs, hex, ULIDs, `host-1234`...).
_VALID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")


def current_request_id() -> str | None:
    """The id of the request being served in this task (None outside one,
    or when no `RequestId` middleware covers its route)."""
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Sets `record.request_id` (`-` outside a request) so a format can
    say `%(request_id)s`. `RequestId()` adds one to the `heaven` logger;
    add one to your own handlers for your loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True


class RequestId:
    """`RequestId()`: the request's `X-Request-ID` (up to 128 characters of
    letters, digits and `._:+=/-`) is used when present and valid, else a
    new one is made (`uuid4().hex`, or `generate()`). It is set on the
    response before the handler runs (so error answers carry it too),
    kept as `req.id`, and returned by `current_request_id()` in the
    request's task. `trust_incoming=False` always makes a new one (the
    edge of a system where clients should not choose ids). `header`
    names another header; `log=False` leaves the `heaven` logger alone."""

    __slots__ = ("header", "trust_incoming", "generate")

    def __init__(
        self,
        header: str = "X-Request-ID",
        *,
        trust_incoming: bool = True,
        generate: Callable[[], str] | None = None,
        log: bool = True,
    ) -> None:
        if not isinstance(header, str) or not re.fullmatch(r"[A-Za-z0-9-]+", header):
            raise ValueError(f"RequestId: {header!r} is not a header name")
        self.header = header
        self.trust_incoming = bool(trust_incoming)
        self.generate = generate or _new_id
        if log:
            heaven_logger = logging.getLogger("heaven")
            if not any(isinstance(f, RequestIdFilter) for f in heaven_logger.filters):
                heaven_logger.addFilter(RequestIdFilter())

    def __call__(self, req: Any, res: Any, ctx: Any, call_next: Any) -> Any:
        rid = req.headers.get(self.header) if self.trust_incoming else None
        if rid is None or not _VALID.fullmatch(rid):
            rid = self.generate()
        req.id = rid
        # Left set for the rest of the request's task, so the lifecycle's
        # own log lines (an unhandled error, after the hooks) carry it too.
        _current.set(rid)
        res.header(self.header, rid)
        return call_next()

    def __repr__(self) -> str:
        return f"RequestId(header={self.header!r}, trust_incoming={self.trust_incoming})"


def _new_id() -> str:
    return uuid.uuid4().hex
