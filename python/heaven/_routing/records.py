"""What an app registered, in order, so that an app it is mounted into
(now or later) can take each registration as its own. One record type per
kind of registration. They are NamedTuples, not frozen dataclasses: as
immutable and as readable, and defining them costs ~1 ms at import instead
of ~9 ms (a quarter of heaven's own import time, benches/startup.py)."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Union

from .endpoint import Endpoint


class RouteRecord(NamedTuple):
    methods: tuple[str, ...]
    subdomain: str
    pattern: str
    template: Endpoint
    layer: int


class HookRecord(NamedTuple):
    kind: str  # "before", "after" or "around"
    subdomain: str | None  # None: every subdomain (`app.use`)
    pattern: str
    methods: list[str] | None
    fn: Callable[..., Any]
    layer: int
    #: The group or prefixed mount the hook is limited to (None: every route it covers).
    scope: Any = None


class CallbackRecord(NamedTuple):
    event: str  # "startup" or "shutdown"
    fn: Callable[[Any], Any]
    owner: Any


class DaemonRecord(NamedTuple):
    fn: Callable[[Any], Any]
    run_async: bool
    owner: Any


class ContractRecord(NamedTuple):
    contract: Any
    layer: int


class CatcherRecord(NamedTuple):
    """An error handler: `key` is an exception class or a status."""

    key: Any
    fn: Callable[..., Any]
    is_async: bool
    subdomain: str | None  # None: every subdomain
    prefix: str | None  # None: every path; "/v1": that path and those under it
    owner: Any  # the app it was registered on (a mounted app's handlers stay its own)


class CorsRecord(NamedTuple):
    """`app.cors(...)` with a policy: the apps it is mounted into answer
    preflights for its routes."""

    subdomains: tuple[str, ...]


Record = Union[RouteRecord, HookRecord, CallbackRecord, DaemonRecord, ContractRecord, CatcherRecord, CorsRecord]
