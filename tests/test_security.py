"""`heaven.security.SecureSerializer`: signed, timestamped tokens. Anything
that is not a token we signed must fail with BadSignature, and nothing else."""

from __future__ import annotations

import hmac
import random
import re

import pytest

from heaven.errors import BadSignature, SignatureExpired
from heaven.security import MAX_CLOCK_SKEW, SecureSerializer

ALPHABET = re.compile(r"[A-Za-z0-9_.-]+")
T0 = 1_700_000_000.0


class Clock:
    """An injectable `now` the tests move by hand."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def serializer(keys="s3cret", salt="heaven.signed", clock=None):
    return SecureSerializer(keys, salt=salt, now=clock or Clock())


def only_bad_signature(s: SecureSerializer, token) -> None:
    """`token` must be refused with BadSignature; any other outcome fails."""
    try:
        value = s.loads(token)
    except BadSignature:
        return
    except Exception as exc:  # the point of the test: no other exception type escapes
        pytest.fail(f"{token!r} raised {type(exc).__name__}: {exc}")
    pytest.fail(f"{token!r} was accepted as {value!r}")


# -- round trips ------------------------------------------------------------

VALUES = [
    None,
    True,
    False,
    0,
    -1,
    2**63 - 1,
    2**80,
    3.25,
    -0.5,
    "",
    "plain",
    "ünïcödé ✓ 🚀",
    "quotes \" ; , \\ and spaces",
    "\x00\n\r\t",
    [],
    {},
    [1, "two", 3.0, None, [True]],
    {"user_id": 3, "roles": ["admin"], "nested": {"a": {"b": [1, {"c": None}]}}},
    {"": "empty key"},
    "x" * 10_000,
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_round_trip(value):
    s = serializer()
    token = s.dumps(value)
    assert isinstance(token, str)
    assert ALPHABET.fullmatch(token), token
    assert s.loads(token) == value
    assert s.loads(token.encode("ascii")) == value
    assert s.loads(bytearray(token.encode("ascii"))) == value


def test_round_trip_gives_json_types():
    s = serializer()
    assert s.loads(s.dumps((1, 2))) == [1, 2]
    assert s.loads(s.dumps({1: "a"})) == {"1": "a"}


def test_token_shape():
    s = serializer()
    payload, stamp, signature = s.dumps({"a": 1}).split(".")
    assert len(signature) == 43  # SHA-256, base64url without padding
    assert "=" not in payload + stamp + signature
    # The payload is readable by anyone: signed, not encrypted.
    import base64

    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)) == b'{"a":1}'
    assert int.from_bytes(base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4)), "big") == int(T0)


def test_unencodable_value_is_a_type_error():
    with pytest.raises(TypeError):
        serializer().dumps({"x": object()})


# -- keys and salts ---------------------------------------------------------


def test_str_and_bytes_keys_are_the_same_key():
    token = serializer("k\u00e9y").dumps(1)
    assert serializer("k\u00e9y".encode()).loads(token) == 1


@pytest.mark.parametrize("keys", ["", b"", [], ["good", ""], ()])
def test_empty_keys_are_refused(keys):
    with pytest.raises(ValueError):
        SecureSerializer(keys)


@pytest.mark.parametrize("keys", [None, 3, ["ok", 3]])
def test_keys_of_the_wrong_type_are_refused(keys):
    with pytest.raises(TypeError):
        SecureSerializer(keys)


def test_wrong_key_fails():
    token = serializer("one").dumps({"a": 1})
    with pytest.raises(BadSignature):
        serializer("two").loads(token)


def test_key_rotation():
    old = serializer(["old"])
    old_token = old.dumps("before")
    rotated = serializer(["new", "old"])
    # Tokens signed before the rotation still verify...
    assert rotated.loads(old_token) == "before"
    # ...new tokens are signed with the new (first) key...
    new_token = rotated.dumps("after")
    assert serializer("new").loads(new_token) == "after"
    with pytest.raises(BadSignature):
        old.loads(new_token)
    # ...and once the old key is dropped, its tokens stop working.
    retired = serializer(["new"])
    assert retired.loads(new_token) == "after"
    with pytest.raises(BadSignature):
        retired.loads(old_token)


def test_salts_separate_purposes():
    a = serializer("same", salt="reset-password")
    b = serializer("same", salt="confirm-email")
    token = a.dumps({"user": 1})
    assert a.loads(token) == {"user": 1}
    assert b.dumps({"user": 1}) != token
    with pytest.raises(BadSignature):
        b.loads(token)
    assert serializer("same", salt=b"reset-password").loads(token) == {"user": 1}


def test_default_salt_differs_from_session_salt():
    token = SecureSerializer("k").dumps(1)
    with pytest.raises(BadSignature):
        SecureSerializer("k", salt="heaven.session").loads(token)


def test_signature_is_compared_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    s = serializer(["new", "old"])
    token = serializer("old").dumps(1)
    assert s.loads(token) == 1
    assert len(calls) == 2  # tried "new", then matched "old"
    assert calls[-1][1] == token.rsplit(".", 1)[1].encode()


# -- expiry -----------------------------------------------------------------


def test_expiry_with_an_injected_clock():
    clock = Clock()
    s = serializer(clock=clock)
    token = s.dumps("v")
    clock.t += 100
    assert s.loads(token) == "v"  # no max_age: never expires
    assert s.loads(token, max_age=100) == "v"  # exactly max_age old is still fine
    clock.t += 1
    with pytest.raises(SignatureExpired) as info:
        s.loads(token, max_age=100)
    assert info.value.age == pytest.approx(101)
    assert isinstance(info.value, BadSignature)
    assert "101" in str(info.value)
    assert s.loads(token, max_age=200) == "v"


def test_expired_check_needs_a_valid_signature_first():
    clock = Clock()
    s = serializer(clock=clock)
    token = s.dumps("v")
    clock.t += 10_000
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(BadSignature) as info:
        s.loads(forged, max_age=1)
    assert not isinstance(info.value, SignatureExpired)


def test_future_timestamps_beyond_the_skew_are_refused():
    clock = Clock()
    s = serializer(clock=clock)
    clock.t = T0 + MAX_CLOCK_SKEW
    near = s.dumps("near")
    clock.t = T0 + MAX_CLOCK_SKEW + 5
    far = s.dumps("far")
    clock.t = T0
    assert s.loads(near, max_age=10) == "near"
    for max_age in (None, 10, 10**9):
        with pytest.raises(BadSignature, match="future") as info:
            s.loads(far, max_age=max_age)
        assert not isinstance(info.value, SignatureExpired)


def test_timestamp_zero_works():
    clock = Clock(0)
    s = serializer(clock=clock)
    token = s.dumps(1)
    clock.t = 5
    assert s.loads(token, max_age=5) == 1
    with pytest.raises(SignatureExpired):
        s.loads(token, max_age=4)


def test_default_clock_is_real_time():
    s = SecureSerializer("k")
    assert s.loads(s.dumps("now"), max_age=60) == "now"


# -- tampering and garbage: BadSignature and nothing else -----------------------


@pytest.fixture(scope="module")
def signed():
    clock = Clock()
    s = serializer(["current", "previous"], clock=clock)
    tokens = []
    for value in ({"user_id": 42, "role": "admin"}, "x", 0):
        tokens.append(s.dumps(value))
        clock.t += 1  # distinct timestamps, so spliced parts always differ
    tokens.append(serializer("previous", clock=clock).dumps([1, 2, 3]))
    return s, tokens


def test_every_flipped_bit_is_refused(signed):
    s, tokens = signed
    for token in tokens:
        raw = token.encode("ascii")
        for i in range(len(raw)):
            for bit in range(8):
                tampered = bytearray(raw)
                tampered[i] ^= 1 << bit
                only_bad_signature(s, bytes(tampered))
                if tampered[i] < 0x80:
                    only_bad_signature(s, tampered.decode("ascii"))


def test_every_substituted_character_is_refused(signed):
    s, tokens = signed
    token = tokens[0]
    for i, original in enumerate(token):
        for ch in "Aa0_-.=+/ \n":
            if ch != original:
                only_bad_signature(s, token[:i] + ch + token[i + 1 :])


def test_every_truncation_is_refused(signed):
    s, tokens = signed
    for token in tokens:
        for n in range(len(token)):
            only_bad_signature(s, token[:n])
            only_bad_signature(s, token[n + 1 :])
            only_bad_signature(s, token[:n].encode())


def test_additions_around_a_valid_token_are_refused(signed):
    s, tokens = signed
    token = tokens[0]
    for extra in ["\n", " ", "=", ".", "A", "\x00", "é", ".AAAA", "==", "\r\n"]:
        only_bad_signature(s, token + extra)
        only_bad_signature(s, extra + token)
    payload, stamp, signature = token.split(".")
    only_bad_signature(s, f"{payload}=.{stamp}.{signature}")  # padding is not accepted
    only_bad_signature(s, f"{payload}..{stamp}.{signature}")
    only_bad_signature(s, f"{payload}.{stamp}.{signature}.{signature}")


def test_parts_spliced_from_other_tokens_are_refused(signed):
    s, tokens = signed
    parts = [t.split(".") for t in tokens]
    for a in parts:
        for b in parts:
            if a != b:
                only_bad_signature(s, f"{a[0]}.{a[1]}.{b[2]}")  # someone else's signature
                only_bad_signature(s, f"{b[0]}.{a[1]}.{a[2]}")  # someone else's payload
                only_bad_signature(s, f"{a[0]}.{b[1]}.{a[2]}")  # someone else's timestamp


def test_random_bytes_are_refused(signed):
    s, _ = signed
    rng = random.Random(1234)
    for _ in range(3000):
        only_bad_signature(s, rng.randbytes(rng.randint(0, 120)))


def test_random_token_shaped_strings_are_refused(signed):
    s, _ = signed
    rng = random.Random(99)
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for _ in range(3000):
        parts = ["".join(rng.choices(b64, k=rng.randint(0, 50))) for _ in range(2)]
        parts.append("".join(rng.choices(b64, k=rng.choice([42, 43, 44]))))
        only_bad_signature(s, ".".join(parts))


def test_random_unicode_is_refused(signed):
    s, tokens = signed
    rng = random.Random(7)
    ranges = [(0, 0x7F), (0x80, 0x7FF), (0x800, 0xFFFF), (0xD800, 0xDFFF), (0x10000, 0x10FFFF)]
    for _ in range(2000):
        chars = []
        for _ in range(rng.randint(0, 60)):
            lo, hi = rng.choice(ranges)
            chars.append(chr(rng.randint(lo, hi)))
        garbage = "".join(chars)
        only_bad_signature(s, garbage)
        # Non-ASCII spliced into an otherwise valid token.
        if garbage:
            at = rng.randrange(len(tokens[0]))
            only_bad_signature(s, tokens[0][:at] + garbage + tokens[0][at:])


def test_a_valid_signature_over_garbage_is_still_bad_signature():
    """Defence in depth: even a correctly signed payload that is not JSON (or
    a timestamp of impossible length) gives BadSignature."""
    s = serializer("k")
    signer = s._signers[0]
    for payload, stamp in [(b"bm90IGpzb24", b"ZVPwAA"), (b"e30", b"A"), (b"A", b"ZVPwAA")]:
        signed_part = payload + b"." + stamp
        token = signed_part + b"." + s._signature(signer, signed_part)
        only_bad_signature(s, token)


def test_a_token_that_is_not_text_is_a_type_error():
    with pytest.raises(TypeError):
        serializer().loads(None)
    with pytest.raises(TypeError):
        serializer().loads(12345)
