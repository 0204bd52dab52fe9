"""Typed keys for `keep`/`peek`/`unkeep`: the name is the storage slot, the
type parameter is for the reader's type checker."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, Union

T = TypeVar("T")


class Key(Generic[T]):
    """`USERS = Key[UserStore]('users')`; `app.peek(USERS)` is typed `UserStore | None`.

    A key and the plain string of its name address the same slot.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Key needs a non-empty string name, got {name!r}")
        self.name = name

    def __repr__(self) -> str:
        return f"Key({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("heaven.Key", self.name))


KeyLike = Union[str, Key[Any]]


def slot(key: KeyLike) -> str:
    """The storage name of a key."""
    if isinstance(key, Key):
        return key.name
    if isinstance(key, str):
        return key
    raise TypeError(f"keys are str or heaven.Key, not {type(key).__name__}")
