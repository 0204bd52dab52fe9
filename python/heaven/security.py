"""Signed, timestamped tokens: hand data to a client (a cookie, a link) and
get it back knowing it was not altered and how old it is.

A token is three base64url segments (no padding) joined by dots:

    <payload: JSON>.<timestamp: big-endian seconds>.<HMAC of the first two>

so it only ever contains `A-Z a-z 0-9 _ - .` and is safe in URLs and cookies.
The payload is signed, not encrypted: anyone holding a token can read it.
The format is Heaven 2.4.3's (the key is HMAC(secret, salt), the timestamp
four bytes until 2106): tokens either signed are read by the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from typing import Any, Callable, Sequence, Union

import msgspec

from .errors import BadSignature, SecurityError, SignatureExpired

__all__ = ["BadSignature", "MAX_CLOCK_SKEW", "SecureSerializer", "SecurityError", "SignatureExpired"]

#: Seconds a token's timestamp may lie in the future (clocks of servers
#: sharing a key drift a little); anything later is refused as forged.
MAX_CLOCK_SKEW = 60

SecretKey = Union[str, bytes]

# The only shape a token can have. fullmatch, not `$`, so a trailing newline
# is not accepted; the signature is an unpadded base64url digest.
_TOKEN = re.compile(rb"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)")

_encode_json = msgspec.json.Encoder().encode
_decode_json = msgspec.json.Decoder().decode


def _b64encode(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def _b64decode(text: bytes) -> bytes:
    # Callers have already checked the alphabet; only the length can be wrong.
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


class Unserializable(SecurityError, TypeError):
    """`dumps` of a value JSON cannot hold."""


def _as_bytes(key: Any) -> bytes:
    if isinstance(key, str):
        raw = key.encode("utf-8")
    elif isinstance(key, bytes):
        raw = key
    else:
        raise TypeError(f"a secret key must be str or bytes, not {type(key).__name__}")
    if not raw:
        raise ValueError("a secret key cannot be empty")
    return raw


class SecureSerializer:
    """`dumps(obj)` makes a signed token; `loads(token, max_age=)` checks and
    decodes one.

    `secret_keys` is one key or a list of them: tokens are signed with the
    first and accepted when signed with any, so a key can be rotated in
    (put it first) and retired (drop it) without logging everyone out.
    `salt` separates purposes: a token made for one salt is refused under
    another, even with the same secret. `digest_method` is the hash
    (SHA-256). `now` is the clock (for tests).
    """

    __slots__ = ("salt", "digest_method", "_signers", "_now", "_length")

    def __init__(
        self,
        secret_keys: SecretKey | Sequence[SecretKey],
        salt: str | bytes = "app-context",
        digest_method: Any = hashlib.sha256,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        keys = [secret_keys] if isinstance(secret_keys, (str, bytes)) else list(secret_keys)
        if not keys:
            raise ValueError("SecureSerializer needs at least one secret key")
        salt_bytes = salt.encode("utf-8") if isinstance(salt, str) else salt
        if not isinstance(salt_bytes, bytes):
            raise TypeError(f"salt must be str or bytes, not {type(salt).__name__}")
        self.salt = salt
        self.digest_method = digest_method
        # One derived key per secret and salt: the raw secret never signs directly,
        # so two salts sharing a secret cannot vouch for each other's tokens.
        self._signers = [hmac.new(_as_bytes(key), salt_bytes, digest_method).digest() for key in keys]
        self._length = len(_b64encode(digest_method(b"").digest()))
        self._now = now

    def dumps(self, obj: Any) -> str:
        """A token carrying `obj` (anything msgspec encodes as JSON) and the
        current time. Raises TypeError for a value JSON cannot hold."""
        try:
            payload = _b64encode(_encode_json(obj))
        except TypeError as exc:
            raise Unserializable(f"cannot sign {type(obj).__name__}: {exc}") from exc
        stamp = int(self._now())
        if stamp < 0:
            raise ValueError(f"the clock reads {stamp}, before 1970: cannot timestamp a token")
        # Four bytes, as Heaven 2.4.3 wrote them (until 2106); longer after that.
        signed = payload + b"." + _b64encode(stamp.to_bytes(max(4, (stamp.bit_length() + 7) // 8), "big"))
        return (signed + b"." + self._signature(self._signers[0], signed)).decode("ascii")

    def loads(self, token: str | bytes, max_age: float | None = None, type: Any = None) -> Any:
        """The value inside `token`. Raises BadSignature when it was not made
        by a key we hold (tampered, truncated, garbage, wrong salt), and
        SignatureExpired (a BadSignature) when it is older than `max_age`
        seconds. `type` (a TypedDict, Struct, ...) validates the value: one
        that does not match is a BadSignature too."""
        if isinstance(token, str):
            try:
                raw = token.encode("ascii")
            except UnicodeEncodeError:
                raise BadSignature("token is not ASCII") from None
        elif isinstance(token, (bytes, bytearray, memoryview)):
            raw = bytes(token)
        else:
            raise TypeError(f"a token is str or bytes, not {type(token).__name__}")
        match = _TOKEN.fullmatch(raw)
        if match is None or len(match.group(3)) != self._length:
            raise BadSignature("token is malformed")
        payload, stamp_text, signature = match.groups()
        signed = raw[: match.end(2)]
        # Keys in turn, each compared in constant time (timing reveals nothing of the
        # expected signature) and as exact text (another base64 spelling is refused).
        if not any(hmac.compare_digest(self._signature(key, signed), signature) for key in self._signers):
            raise BadSignature("signature does not match")
        try:
            stamp = int.from_bytes(_b64decode(stamp_text), "big")
            value_bytes = _b64decode(payload)
        except ValueError:  # binascii.Error included
            raise BadSignature("token is malformed") from None
        age = self._now() - stamp
        if age < -MAX_CLOCK_SKEW:
            raise BadSignature(f"token timestamp is {-age:.0f}s in the future")
        try:
            value = _decode_json(value_bytes)
        except (msgspec.DecodeError, RecursionError):
            raise BadSignature("token payload is not valid JSON") from None
        if max_age is not None and age > max_age:
            raise SignatureExpired(
                f"token is {age:.0f}s old, more than max_age={max_age}s", age=age, payload=value, date_signed=stamp
            )
        if type is not None:
            from .errors import ValidationError
            from .schema import Pytastic

            try:
                return Pytastic().validate(type, value)
            except ValidationError as exc:
                raise BadSignature(f"token payload does not match {getattr(type, '__name__', type)}: {exc}") from None
        return value

    def _signature(self, key: bytes, signed: bytes) -> bytes:
        return _b64encode(hmac.new(key, signed, self.digest_method).digest())

    def __repr__(self) -> str:
        return f"<SecureSerializer salt={self.salt!r} keys={len(self._signers)}>"
