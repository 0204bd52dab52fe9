"""`Set-Cookie` values. Names must be tokens; values may not carry `;`,
control characters or anything that could end the header early."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from .headers import TOKEN

_SAMESITE = {"lax": "Lax", "strict": "Strict", "none": "None"}


def _check_value(name: str, value: str) -> None:
    for ch in value:
        if ch in ';,\\"' or ord(ch) < 0x21 and ch != " " or ord(ch) == 0x7F or ord(ch) > 0xFF:
            raise ValueError(
                f"cookie {name!r}: value contains {ch!r}, which cannot appear in a cookie; encode it first"
            )


def _expires(value: datetime | int | float | str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        value = datetime.now(timezone.utc) + timedelta(seconds=value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return format_datetime(value.astimezone(timezone.utc), usegmt=True)


def format_cookie(
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    expires: datetime | int | float | str | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: str | None = "lax",
    partitioned: bool = False,
) -> str:
    if not name or any(b not in TOKEN for b in name.encode("latin-1", "replace")):
        raise ValueError(f"invalid cookie name {name!r}")
    value = str(value)
    _check_value(name, value)
    parts = [f"{name}={value}"]
    if max_age is not None:
        parts.append(f"Max-Age={int(max_age)}")
    if expires is not None:
        parts.append(f"Expires={_expires(expires)}")
    if path:
        parts.append(f"Path={path}")
    if domain:
        parts.append(f"Domain={domain}")
    if samesite:
        label = _SAMESITE.get(str(samesite).lower())
        if label is None:
            raise ValueError(f"cookie {name!r}: samesite must be 'lax', 'strict' or 'none', not {samesite!r}")
        if label == "None":
            secure = True  # browsers drop SameSite=None cookies that are not Secure
        parts.append(f"SameSite={label}")
    if partitioned:
        secure = True  # CHIPS requires Secure
        parts.append("Partitioned")
    if secure:
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    for part in parts[1:]:
        if any(c in part for c in "\r\n\0;"):
            raise ValueError(f"cookie {name!r}: attribute {part!r} contains a forbidden character")
    return "; ".join(parts)
