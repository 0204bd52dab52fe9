"""`heaven.sessions`: the `Session` object handlers see, and the manager
that reads it from a cookie and writes it back, tested without an app."""

from __future__ import annotations

import random
import time
from collections.abc import MutableMapping

import pytest

from heaven.response import Response
from heaven.security import SecureSerializer
from heaven.sessions import MAX_COOKIE_SIZE, Session, SessionManager

SECRET = "session-secret"


def set_cookies(res: Response) -> list[str]:
    return res.headers.getlist("set-cookie")


def issued(manager: SessionManager, data: dict) -> str:
    """The cookie value `manager` writes for `data`."""
    session = Session()
    session.update(data)
    res = Response(None)
    manager.commit(session, res)
    (header,) = set_cookies(res)
    name, _, rest = header.partition("=")
    assert name == manager.cookie_name
    return rest.split(";", 1)[0]


# -- Session ------------------------------------------------------------------


def test_attribute_and_mapping_access_share_one_dict():
    s = Session()
    assert not s.modified
    s.user_id = 3
    assert s.modified
    assert s["user_id"] == 3 and s.get("user_id") == 3
    s["role"] = "admin"
    assert s.role == "admin"
    assert "role" in s and "nope" not in s
    assert len(s) == 2
    assert list(s) == ["user_id", "role"]
    assert list(s.keys()) == ["user_id", "role"]
    assert list(s.items()) == [("user_id", 3), ("role", "admin")]
    assert s.to_dict() == {"user_id": 3, "role": "admin"}
    assert isinstance(s, MutableMapping)
    assert s == {"user_id": 3, "role": "admin"}


def test_missing_reads_none_as_attribute_and_raises_as_mapping():
    s = Session({"a": 1})
    assert s.nothing is None
    assert s.get("nothing") is None and s.get("nothing", 5) == 5
    with pytest.raises(KeyError):
        s["nothing"]
    assert not s.modified  # reading changes nothing


def test_loaded_session_starts_unmodified():
    s = Session({"a": 1})
    assert s.a == 1 and not s.modified


@pytest.mark.parametrize(
    "change",
    [
        lambda s: setattr(s, "b", 2),
        lambda s: s.__setitem__("b", 2),
        lambda s: delattr(s, "a"),
        lambda s: s.__delitem__("a"),
        lambda s: s.pop("a"),
        lambda s: s.popitem(),
        lambda s: s.update(b=2),
        lambda s: s.setdefault("b", 2),
        lambda s: s.clear(),
        lambda s: setattr(s, "a", 1),  # same value: still a write
    ],
    ids=["setattr", "setitem", "delattr", "delitem", "pop", "popitem", "update", "setdefault", "clear", "rewrite"],
)
def test_every_change_marks_modified(change):
    s = Session({"a": 1})
    change(s)
    assert s.modified


@pytest.mark.parametrize(
    "look",
    [
        lambda s: s.get("a"),
        lambda s: s.pop("missing", None),
        lambda s: s.setdefault("a", 9),
        lambda s: list(s.items()),
        lambda s: s.to_dict().update(x=1),
        lambda s: s.a,
    ],
)
def test_reads_do_not_mark_modified(look):
    s = Session({"a": 1})
    look(s)
    assert not s.modified
    assert s.to_dict() == {"a": 1}


def test_clear_of_an_empty_session_still_counts():
    # A logout must delete the cookie even when it could not be read.
    s = Session()
    s.clear()
    assert s.modified and len(s) == 0


def test_modified_can_be_forced_for_in_place_changes():
    s = Session({"cart": []})
    s.cart.append("apple")
    assert not s.modified
    s.modified = True
    assert s.modified
    assert "modified" not in s  # the flag is not session data
    s.modified = False
    assert not s.modified


def test_to_dict_is_a_copy():
    s = Session({"a": 1})
    d = s.to_dict()
    d["b"] = 2
    assert "b" not in s and type(d) is dict


def test_del_missing_attribute_raises():
    s = Session()
    with pytest.raises(AttributeError):
        del s.nope
    with pytest.raises(KeyError):
        del s["nope"]
    assert not s.modified


def test_underscore_names_are_the_objects_own():
    s = Session({"_private": 1})
    with pytest.raises(AttributeError):
        s._private  # not session data
    with pytest.raises(AttributeError):
        s.__wrapped__
    assert s["_private"] == 1
    with pytest.raises(AttributeError):
        s._anything_new = 1  # __slots__: no stray attributes, and not stored as data
    assert "_anything_new" not in s


def test_method_names_cannot_be_shadowed_as_attributes():
    s = Session()
    with pytest.raises(AttributeError, match="session\\['keys'\\]"):
        s.keys = [1]
    s["keys"] = [1]  # the mapping still accepts it
    assert s["keys"] == [1] and callable(s.keys)


def test_keys_must_be_strings():
    with pytest.raises(TypeError):
        Session()[1] = "x"
    with pytest.raises(TypeError):
        Session({1: "x"})


# -- SessionManager: configuration -------------------------------------------------


def test_unknown_cookie_option_lists_the_valid_ones():
    with pytest.raises(TypeError) as info:
        SessionManager(SECRET, samesight="lax", max_agee=3)
    message = str(info.value)
    assert "max_agee" in message and "samesight" in message
    for valid in ("path", "domain", "secure", "httponly", "samesite"):
        assert valid in message


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cookie_name": "bad name"},
        {"cookie_name": ""},
        {"samesite": "sometimes"},
        {"max_age": 0},
        {"max_age": -5},
        {"max_age": "3600"},
        {"cookie_name": "__Host-s", "secure": False},
        {"cookie_name": "__Host-s", "secure": True, "path": "/app"},
        {"cookie_name": "__Secure-s", "secure": False},
    ],
)
def test_bad_configuration_fails_at_setup(kwargs):
    with pytest.raises(ValueError):
        SessionManager(SECRET, **kwargs)


def test_a_prefixed_cookie_name_makes_the_cookie_secure():
    """`__Secure-`/`__Host-` names require Secure: given no `secure`, it is
    set (Heaven 2.4.3's docs name a session cookie `__Secure-Session`)."""
    assert SessionManager(SECRET, cookie_name="__Secure-Session").cookie_opts["secure"] is True
    assert SessionManager(SECRET, cookie_name="__Host-s").cookie_opts["secure"] is True


def test_empty_secret_is_refused():
    with pytest.raises(ValueError):
        SessionManager("")


# -- SessionManager: load ------------------------------------------------------


def test_load_round_trip():
    manager = SessionManager(SECRET)
    token = issued(manager, {"user_id": 7, "tags": ["a", "b"], "profile": {"name": "ada"}})
    s = manager.load({"session": token, "other": "x"})
    assert s.to_dict() == {"user_id": 7, "tags": ["a", "b"], "profile": {"name": "ada"}}
    assert s.user_id == 7 and not s.modified


def test_load_absent_cookie_gives_an_empty_session():
    manager = SessionManager(SECRET)
    for cookies in ({}, {"other": "x"}, {"session": ""}):
        s = manager.load(cookies)
        assert isinstance(s, Session) and len(s) == 0 and not s.modified


def test_load_uses_the_configured_cookie_name():
    manager = SessionManager(SECRET, cookie_name="sid")
    token = issued(manager, {"a": 1})
    assert manager.load({"sid": token}).a == 1
    assert manager.load({"session": token}).a is None


def test_load_refuses_a_token_from_another_salt_or_key():
    manager = SessionManager(SECRET)
    assert len(manager.load({"session": SecureSerializer(SECRET).dumps({"a": 1})})) == 0
    assert len(manager.load({"session": issued(SessionManager("other"), {"a": 1})})) == 0


def test_load_with_key_rotation():
    old = SessionManager("old")
    token = issued(old, {"a": 1})
    rotated = SessionManager(["new", "old"])
    assert rotated.load({"session": token}).a == 1
    assert SessionManager("new").load({"session": token}).a is None


def test_load_non_dict_payload_gives_an_empty_session():
    serializer = SecureSerializer(SECRET, salt="heaven.session")
    manager = SessionManager(SECRET)
    for value in ([1, 2], "text", 3, None, True):
        s = manager.load({"session": serializer.dumps(value)})
        assert len(s) == 0 and not s.modified


def test_load_expired_gives_an_empty_session():
    manager = SessionManager(SECRET, max_age=60)

    def signed_ago(seconds: float) -> str:
        # The manager reads the real clock, so sign with one set back instead.
        return SecureSerializer(SECRET, salt="heaven.session", now=lambda: time.time() - seconds).dumps({"a": 1})

    assert manager.load({"session": signed_ago(30)}).a == 1
    assert manager.load({"session": signed_ago(62)}).a is None
    assert len(manager.load({"session": signed_ago(10**6)})) == 0


def test_max_age_none_never_expires_and_sets_no_max_age():
    manager = SessionManager(SECRET, max_age=None)
    old = SecureSerializer(SECRET, salt="heaven.session", now=lambda: 1_000_000.0)
    assert manager.load({"session": old.dumps({"a": 1})}).a == 1
    s = Session()
    s.a = 1
    res = Response(None)
    manager.commit(s, res)
    assert "Max-Age" not in set_cookies(res)[0]


def test_load_never_raises():
    manager = SessionManager(SECRET)
    token = issued(manager, {"user_id": 1, "role": "admin"})
    rng = random.Random(2024)
    candidates = [token[:n] for n in range(len(token))]
    for i in range(len(token)):
        for ch in "A_-.é\x00 ;":
            if ch != token[i]:
                candidates.append(token[:i] + ch + token[i + 1 :])
    candidates += ["".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(1, 80))) for _ in range(1000)]
    candidates += [token + "\n", " " + token, token + token]
    for value in candidates:
        s = manager.load({"session": value})
        assert isinstance(s, Session)
        assert len(s) == 0, value
    # Not a str at all (a misbehaving cookie parser) is an empty session too.
    assert len(manager.load({"session": None})) == 0
    assert len(manager.load({"session": b"bytes"})) == 0
    assert len(manager.load(None)) == 0


# -- SessionManager: commit -----------------------------------------------------


def test_commit_unmodified_writes_nothing():
    manager = SessionManager(SECRET)
    res = Response(None)
    token = issued(manager, {"a": 1})
    s = manager.load({"session": token})
    assert s.a == 1  # reading is not a change
    manager.commit(s, res)
    manager.commit(Session(), res)
    assert set_cookies(res) == []


def test_commit_writes_a_signed_cookie_with_the_options():
    manager = SessionManager(SECRET, cookie_name="sid", max_age=600, path="/app", domain="example.com", secure=True)
    s = Session()
    s.user_id = 9
    res = Response(None)
    manager.commit(s, res)
    (header,) = set_cookies(res)
    value = header.split(";", 1)[0].split("=", 1)[1]
    assert header == (
        f"sid={value}; Max-Age=600; Path=/app; Domain=example.com; SameSite=Lax; Secure; HttpOnly"
    )
    assert manager.load({"sid": value}).to_dict() == {"user_id": 9}


def test_commit_default_cookie_attributes():
    manager = SessionManager(SECRET)
    s = Session()
    s.a = 1
    res = Response(None)
    manager.commit(s, res)
    (header,) = set_cookies(res)
    assert header.startswith("session=")
    assert header.endswith("; Max-Age=3600; Path=/; SameSite=Lax; HttpOnly")


def test_commit_can_turn_off_httponly_and_samesite():
    manager = SessionManager(SECRET, httponly=False, samesite=None)
    s = Session()
    s.a = 1
    res = Response(None)
    manager.commit(s, res)
    (header,) = set_cookies(res)
    assert header.endswith("; Max-Age=3600; Path=/")


def test_commit_emptied_session_deletes_the_cookie():
    manager = SessionManager(SECRET, path="/app", domain="example.com")
    s = manager.load({"session": issued(manager, {"a": 1})})
    del s.a
    res = Response(None)
    manager.commit(s, res)
    assert set_cookies(res) == ["session=; Max-Age=0; Path=/app; Domain=example.com; SameSite=Lax; HttpOnly"]


def test_commit_deletion_keeps_a_host_prefixed_cookie_secure():
    manager = SessionManager(SECRET, cookie_name="__Host-session", secure=True)
    s = Session()
    s.clear()
    res = Response(None)
    manager.commit(s, res)
    (header,) = set_cookies(res)
    assert header.startswith("__Host-session=; Max-Age=0; Path=/") and "Secure" in header


def test_commit_unencodable_value_is_a_clear_type_error():
    manager = SessionManager(SECRET)
    s = Session()
    s.thing = object()
    res = Response(None)
    with pytest.raises(TypeError, match="session data cannot be stored"):
        manager.commit(s, res)
    assert set_cookies(res) == []


def test_commit_oversize_cookie_is_a_clear_value_error():
    manager = SessionManager(SECRET)
    s = Session()
    s.blob = "x" * MAX_COOKIE_SIZE
    res = Response(None)
    with pytest.raises(ValueError, match="4096"):
        manager.commit(s, res)
    assert set_cookies(res) == []


@pytest.mark.parametrize("name", ["s", "ss", "sss"])  # base64 grows in steps: cover every remainder
def test_cookie_size_limit_boundary(name):
    """Name plus value may be 4096 bytes; one more is refused."""
    manager = SessionManager(SECRET, cookie_name=name)
    reference = SecureSerializer(SECRET, salt="heaven.session")
    outcomes = {}
    for n in range(2950, 3100):
        s = Session({"v": "x" * n})
        s.modified = True
        res = Response(None)
        size = len(name) + len(reference.dumps({"v": "x" * n}))
        try:
            manager.commit(s, res)
        except ValueError:
            outcomes[size] = "refused"
        else:
            assert len(set_cookies(res)[0].split(";", 1)[0]) == size + 1  # plus the "="
            outcomes[size] = "sent"
    assert any(size <= MAX_COOKIE_SIZE for size in outcomes) and any(size > MAX_COOKIE_SIZE for size in outcomes)
    for size, outcome in outcomes.items():
        assert outcome == ("sent" if size <= MAX_COOKIE_SIZE else "refused"), size


def test_unicode_session_data_survives_the_cookie():
    manager = SessionManager(SECRET)
    data = {"name": "Zoë 🚀", "quote": 'a "b"; c, d \\ e'}
    token = issued(manager, data)
    assert manager.load({"session": token}).to_dict() == data
