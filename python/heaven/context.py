"""`ctx`: state that lives for one request, shared by its hooks and handler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from .keys import Key, KeyLike, slot

__all__ = ["Context", "Key", "Look"]

if TYPE_CHECKING:
    from .response import Response

T = TypeVar("T")

RESERVED = frozenset({"session", "app", "request", "response", "headers", "cookies"})
_METHODS = frozenset({"keep", "peek", "unkeep"})


def _reserved(name: str) -> property:
    def refuse(self: Context, value: Any) -> None:
        raise AttributeError(f"ctx.{name} is reserved and cannot be assigned")

    getter = {
        "app": lambda self: self._req.app if self._req is not None else self._app,
        "request": lambda self: self._req,
        "response": lambda self: self._res,
        "headers": lambda self: self._req.headers if self._req is not None else None,
        "cookies": lambda self: self._req.cookies if self._req is not None else None,
    }.get(name)
    return property(getter, refuse, doc=f"ctx.{name} (reserved: cannot be assigned)")


class Context:
    """Attribute access and `keep`/`peek`/`unkeep` read one store: after
    `ctx.keep('user', u)`, `ctx.user` is `u`. A missing name reads as None.
    The reserved names cannot be assigned as attributes."""

    # The store is the instance __dict__ itself: `ctx.user` is a plain
    # attribute read, and a Context costs two slot writes to make.
    # `_sessions` is set only on apps with sessions (unset reads as None).
    __slots__ = ("_req", "_res", "_app", "_sessions", "__dict__")
    _req: Any
    _res: Any
    _app: Any
    _sessions: Any

    def _session(self) -> Any:
        """The session, loaded from its cookie on first read (so requests
        that never touch it pay nothing), or whatever was kept as 'session'."""
        data = self.__dict__
        session = data.get("session")
        if session is None:
            manager = self._sessions
            if manager is not None and (manager.subdomains is None or self._table() in manager.subdomains):
                session = data["session"] = manager.load(self._req.cookies)
        return session

    def _table(self) -> str:
        """The subdomain whose routes serve this request."""
        entry = self._req._entry
        subdomain: str = entry.subdomain if entry is not None else self._req.subdomain
        return subdomain.lower()

    def __init__(self, application: Any = None, res: Response | None = None) -> None:
        # heaven builds one per request as Context(req, res); Heaven 2.4.3
        # documents Context(application), which tests use to build one alone.
        if res is not None:
            self._req = application
            self._res = res  # `_app` stays unset: `ctx.app` reads the request's
        else:
            self._req = None
            self._res = None
            self._app = application

    app = _reserved("app")
    request = _reserved("request")
    response = _reserved("response")
    headers = _reserved("headers")
    cookies = _reserved("cookies")
    session = property(_session, _reserved("session").fset, doc="ctx.session (reserved: cannot be assigned)")

    def keep(self, key: KeyLike, value: Any) -> None:
        name = key if type(key) is str else slot(key)
        if name in _METHODS:
            raise ValueError(f"{name!r} cannot be a context key: it would hide ctx.{name}()")
        self.__dict__[name] = value

    @overload
    def peek(self, key: Key[T]) -> T | None: ...
    @overload
    def peek(self, key: str) -> Any: ...
    def peek(self, key: KeyLike) -> Any:
        return self.__dict__.get(key if type(key) is str else slot(key))

    @overload
    def unkeep(self, key: Key[T]) -> T | None: ...
    @overload
    def unkeep(self, key: str) -> Any: ...
    def unkeep(self, key: KeyLike) -> Any:
        return self.__dict__.pop(key if type(key) is str else slot(key), None)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: a name never kept reads as None.
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __contains__(self, key: KeyLike) -> bool:
        return (key if type(key) is str else slot(key)) in self.__dict__

    def __repr__(self) -> str:
        return f"Context({self.__dict__!r})"


class Look:
    """Dot access over a dict, nested dicts included: `Look(d).a.b` is
    `d['a']['b']`; a missing name reads as None. Assignment writes through.
    (Heaven 2.4.3's `heaven.context.Look`; `app._` is one over `app.keep`'s
    store.)"""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        value = self._data.get(key)
        return Look(value) if isinstance(value, dict) else value

    def __setattr__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __repr__(self) -> str:
        return f"Look({self._data!r})"
