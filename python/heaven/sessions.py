"""Sessions kept in a signed cookie: no server-side store, so any worker
can read any session, and a client can read (but never alter) its own data.
An unreadable cookie is an empty session, never an error."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any, Sequence

from ._http.cookies import format_cookie
from .errors import BadSignature
from .security import SecretKey, SecureSerializer

__all__ = ["Session", "SessionManager", "MAX_COOKIE_SIZE"]

#: Browsers silently drop a cookie whose name and value exceed this many bytes.
MAX_COOKIE_SIZE = 4096

_COOKIE_DEFAULTS: dict[str, Any] = {
    "path": "/",
    "domain": None,
    "secure": False,
    "httponly": True,
    "samesite": "lax",
    "partitioned": False,
}
# Cookie option spellings Heaven 2.4.3 also took.
_ALIASES = {"http_only": "httponly", "same_site": "samesite"}


class Session(MutableMapping[str, Any]):
    """`ctx.session`: one dict read as attributes or as a mapping.

    `session.user_id` is None when absent (`session['user_id']` raises
    KeyError). Any change sets `modified`, which is what gets the cookie
    rewritten; changing a value in place (`session.cart.append(x)`) is not
    seen, so set `session.modified = True` after one.
    """

    __slots__ = ("_data", "_modified")

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = {}
        self._modified = False
        for key, value in (data or {}).items():
            self._data[_check_key(key)] = value

    # -- the mapping ------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[_check_key(key)] = value
        self._modified = True

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self._modified = True

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def clear(self) -> None:
        """Empty the session. Always counts as a change, so the cookie is
        deleted even when it could not be read (a logout must log out)."""
        self._data.clear()
        self._modified = True

    def to_dict(self) -> dict[str, Any]:
        """A plain (shallow) copy of the data."""
        return dict(self._data)

    # -- attributes -------------------------------------------------------

    @property
    def modified(self) -> bool:
        return self._modified

    @modified.setter
    def modified(self, value: bool) -> None:
        self._modified = bool(value)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: session data, or None.
        if name.startswith("_"):
            raise AttributeError(name)
        return self._data.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name == "modified":
            object.__setattr__(self, name, value)
        elif hasattr(type(self), name):
            raise AttributeError(f"session.{name} is a method; store it as session[{name!r}] instead")
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        if name.startswith("_") or hasattr(type(self), name):
            object.__delattr__(self, name)
        elif name in self._data:
            del self[name]
        else:
            raise AttributeError(f"session has no {name!r}")

    def __repr__(self) -> str:
        return f"Session({self._data!r}{', modified' if self._modified else ''})"


def _check_key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"session keys are strings (they become JSON object keys), not {type(key).__name__}")
    return key


class SessionManager:
    """Reads a `Session` from the request cookies and writes it back as a
    signed cookie when it changed.

    `max_age` (seconds) is both the cookie's lifetime and how old a cookie
    may be when read back; it counts from the last write. None makes a
    browser-session cookie whose signature never expires. `cookie_opts` are
    `path`, `domain`, `secure`, `httponly` and `samesite` as for `res.cookie`.
    """

    __slots__ = ("cookie_name", "max_age", "cookie_opts", "subdomains", "_serializer")

    def __init__(
        self,
        secret_key: SecretKey | Sequence[SecretKey],
        cookie_name: str = "session",
        max_age: int | None = 3600,
        subdomains: Any = None,
        **cookie_opts: Any,
    ) -> None:
        cookie_opts = {_ALIASES.get(k.lower(), k.lower()): v for k, v in cookie_opts.items()}
        #: The subdomains (route tables) sessions run on; None: every one.
        self.subdomains: frozenset[str] | None = None
        if subdomains is not None:
            names = [subdomains] if isinstance(subdomains, str) else list(subdomains)
            self.subdomains = frozenset(str(n).lower() for n in names)
        unknown = sorted(set(cookie_opts) - set(_COOKIE_DEFAULTS))
        if unknown:
            raise TypeError(
                f"unknown session cookie option(s) {', '.join(unknown)}; "
                f"valid options: {', '.join(_COOKIE_DEFAULTS)}"
            )
        if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int) or max_age <= 0):
            raise ValueError(f"session max_age must be a positive number of seconds or None, not {max_age!r}")
        if cookie_name.startswith(("__Secure-", "__Host-")) and "secure" not in cookie_opts:
            cookie_opts["secure"] = True  # what the name's prefix requires (browsers drop it otherwise)
        self.cookie_opts: dict[str, Any] = {**_COOKIE_DEFAULTS, **cookie_opts}
        _check_prefix(cookie_name, self.cookie_opts)
        # Formatting a sample now surfaces a bad name or samesite at setup, not per request.
        format_cookie(cookie_name, "x", max_age=max_age, **self.cookie_opts)
        self.cookie_name = cookie_name
        self.max_age = max_age
        self._serializer = SecureSerializer(secret_key, salt="heaven.session")

    def load(self, cookies: dict[str, str]) -> Session:
        """The session in `cookies`; empty when the cookie is absent, forged,
        truncated, expired or does not hold an object. Never raises."""
        token = cookies.get(self.cookie_name) if cookies else None
        if not token or not isinstance(token, str):
            return Session()
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except BadSignature:
            return Session()
        return Session(data) if isinstance(data, dict) else Session()

    def commit(self, session: Session, res: Any) -> None:
        """Write the session to `res` as a cookie if it changed; delete the
        cookie if it was emptied. Raises TypeError for data JSON cannot hold
        and ValueError when the cookie would be too large for a browser."""
        if not session.modified:
            return
        name = self.cookie_name
        if not len(session):
            res.cookie(name, "", max_age=0, **self.cookie_opts)
            return
        try:
            token = self._serializer.dumps(session.to_dict())
        except (TypeError, RecursionError) as exc:
            raise TypeError(
                f"session data cannot be stored in a cookie ({exc}); keep to JSON values: "
                "str, int, float, bool, None, and lists and dicts of them"
            ) from exc
        size = len(name) + len(token)
        if size > MAX_COOKIE_SIZE:
            raise ValueError(
                f"session cookie {name!r} would be {size} bytes; browsers drop cookies over "
                f"{MAX_COOKIE_SIZE} bytes. Keep ids in the session and the data on the server"
            )
        res.cookie(name, token, max_age=self.max_age, **self.cookie_opts)

    def __repr__(self) -> str:
        return f"<SessionManager cookie={self.cookie_name!r} max_age={self.max_age}>"


def _check_prefix(name: str, opts: dict[str, Any]) -> None:
    """Browsers refuse `__Secure-`/`__Host-` cookies that break the prefix's rules."""
    secure = opts["secure"] or str(opts["samesite"]).lower() == "none"  # SameSite=None implies Secure
    if name.startswith(("__Secure-", "__Host-")) and not secure:
        raise ValueError(f"cookie {name!r}: the {name.split('-')[0]}- prefix requires secure=True")
    if name.startswith("__Host-") and (opts["path"] != "/" or opts["domain"]):
        raise ValueError(f"cookie {name!r}: the __Host- prefix requires path='/' and no domain")
