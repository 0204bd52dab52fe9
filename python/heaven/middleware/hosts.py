"""`TrustedHosts`: answer 400 to a request whose `Host` is not one of
ours, before any hook or handler sees it (a forged Host would otherwise
reach absolute URLs, redirects and password-reset links)."""

from __future__ import annotations

from typing import Any, Iterable


def host_name(value: str) -> str:
    """The host of a `Host` header, without its port, in lower case
    (`[::1]:8000` -> `[::1]`)."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[: end + 1] if end != -1 else value
    name, colon, port = value.rpartition(":")
    return name if colon and port.isdigit() else value


class TrustedHosts:
    """`TrustedHosts(['example.com', '*.example.com'])`: a name matches
    exactly (case-insensitive, any port); `*.example.com` matches every
    subdomain of example.com at any depth, not example.com itself; `*`
    matches everything. A request without a `Host` header, or with
    another host, gets `400 Invalid host header`."""

    __slots__ = ("_exact", "_suffixes", "_any")

    def __init__(self, hosts: Iterable[str]) -> None:
        if isinstance(hosts, str):
            hosts = [hosts]
        self._exact: frozenset[str] = frozenset()
        exact: set[str] = set()
        suffixes: list[str] = []
        self._any = False
        for raw in hosts:
            if not isinstance(raw, str) or not raw.strip():
                raise ValueError(f"TrustedHosts: {raw!r} is not a host name")
            name = raw.strip().lower()
            if name == "*":
                self._any = True
            elif name.startswith("*."):
                if "*" in name[2:] or len(name) == 2:
                    raise ValueError(f"TrustedHosts: {raw!r}: a wildcard is only '*.' before a domain")
                suffixes.append(name[1:])
            elif "*" in name:
                raise ValueError(f"TrustedHosts: {raw!r}: a wildcard is only '*.' before a domain, or '*' alone")
            else:
                exact.add(host_name(name))
        if not (exact or suffixes or self._any):
            raise ValueError("TrustedHosts needs at least one host")
        self._exact = frozenset(exact)
        self._suffixes = tuple(suffixes)

    def allows(self, host: str | None) -> bool:
        """Whether a `Host` header value is one of ours."""
        if self._any:
            return True
        if not host:
            return False
        name = host_name(host)
        return name in self._exact or name.endswith(self._suffixes)

    def __call__(self, req: Any, res: Any, ctx: Any, call_next: Any) -> Any:
        if self.allows(req.headers.get("host")):
            return call_next()
        res.status = 400
        res.body = "Invalid host header"
        return None

    def __repr__(self) -> str:
        names = sorted(self._exact) + [f"*{s}" for s in self._suffixes] + (["*"] if self._any else [])
        return f"TrustedHosts({names!r})"
