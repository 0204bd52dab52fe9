"""What an app registered, in order, so that an app it is mounted into
(now or later) can take each registration as its own. One record type per
kind of registration."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Union

from .endpoint import Endpoint


@dataclasses.dataclass(frozen=True, slots=True)
class RouteRecord:
    methods: tuple[str, ...]
    subdomain: str
    pattern: str
    template: Endpoint
    layer: int


@dataclasses.dataclass(frozen=True, slots=True)
class HookRecord:
    kind: str  # "before", "after" or "around"
    subdomain: str | None  # None: every subdomain (`app.use`)
    pattern: str
    methods: list[str] | None
    fn: Callable[..., Any]
    layer: int
    #: The group or prefixed mount the hook is limited to (None: every route it covers).
    scope: Any = None


@dataclasses.dataclass(frozen=True, slots=True)
class CallbackRecord:
    event: str  # "startup" or "shutdown"
    fn: Callable[[Any], Any]
    owner: Any


@dataclasses.dataclass(frozen=True, slots=True)
class DaemonRecord:
    fn: Callable[[Any], Any]
    run_async: bool
    owner: Any


@dataclasses.dataclass(frozen=True, slots=True)
class ContractRecord:
    contract: Any
    layer: int


@dataclasses.dataclass(frozen=True, slots=True)
class CatcherRecord:
    """An error handler: `key` is an exception class or a status."""

    key: Any
    fn: Callable[..., Any]
    is_async: bool
    subdomain: str | None  # None: every subdomain
    prefix: str | None  # None: every path; "/v1": that path and those under it
    owner: Any  # the app it was registered on (a mounted app's handlers stay its own)


@dataclasses.dataclass(frozen=True, slots=True)
class CorsRecord:
    """`app.cors(...)` with a policy: the apps it is mounted into answer
    preflights for its routes."""

    subdomains: tuple[str, ...]


Record = Union[RouteRecord, HookRecord, CallbackRecord, DaemonRecord, ContractRecord, CatcherRecord, CorsRecord]
