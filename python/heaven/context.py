"""`ctx`: state that lives for one request, shared by its hooks and handler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from .keys import Key, KeyLike, slot

if TYPE_CHECKING:
    from .request import Request
    from .response import Response

T = TypeVar("T")

RESERVED = frozenset({"session", "app", "request", "response", "headers", "cookies"})


class Context:
    """Attribute access and `keep`/`peek`/`unkeep` read one store: after
    `ctx.keep('user', u)`, `ctx.user` is `u`. A missing name reads as None.
    The reserved names cannot be assigned as attributes."""

    __slots__ = ("_data", "_req", "_res")

    def __init__(self, req: Request, res: Response) -> None:
        _set_data(self, {})
        _set_req(self, req)
        _set_res(self, res)

    def keep(self, key: KeyLike, value: Any) -> None:
        self._data[slot(key)] = value

    @overload
    def peek(self, key: Key[T]) -> T | None: ...
    @overload
    def peek(self, key: str) -> Any: ...
    def peek(self, key: KeyLike) -> Any:
        return self._data.get(slot(key))

    @overload
    def unkeep(self, key: Key[T]) -> T | None: ...
    @overload
    def unkeep(self, key: str) -> Any: ...
    def unkeep(self, key: KeyLike) -> Any:
        return self._data.pop(slot(key), None)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: slots and methods win.
        if name.startswith("__"):
            raise AttributeError(name)
        return self._data.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in RESERVED:
            raise AttributeError(f"ctx.{name} is reserved and cannot be assigned")
        if name in Context.__slots__:
            raise AttributeError(f"ctx.{name} is internal and cannot be assigned")
        self._data[name] = value

    def __delattr__(self, name: str) -> None:
        self._data.pop(name, None)

    def __contains__(self, key: KeyLike) -> bool:
        return slot(key) in self._data

    @property
    def app(self) -> Any:
        return self._req.app

    @property
    def request(self) -> Request:
        return self._req

    @property
    def response(self) -> Response:
        return self._res

    @property
    def headers(self) -> Any:
        return self._req.headers

    @property
    def cookies(self) -> dict[str, str]:
        return self._req.cookies

    @property
    def session(self) -> Any:
        return self._data.get("session")

    def __repr__(self) -> str:
        return f"Context({self._data!r})"


# Slot setters, bypassing __setattr__ (which guards the user-facing names).
_set_data = Context._data.__set__  # type: ignore[attr-defined]
_set_req = Context._req.__set__  # type: ignore[attr-defined]
_set_res = Context._res.__set__  # type: ignore[attr-defined]
