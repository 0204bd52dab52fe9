"""Typed route segments convert exactly as Heaven 2.4.3's converters did:
Python's `int`, `float`, `date.fromisoformat`, `datetime.fromisoformat`,
`uuid.UUID` and 2.4.3's `true/false/1/0` reading. heaven does it in Rust
(`rust/core/src/{numbers,isodate,value}.rs`); this compares the two on
thousands of generated strings, the tricky ones included (seeded, so a
failure reproduces)."""

from __future__ import annotations

import random
import sys
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from heaven import _core

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz import VALUES  # noqa: E402


def boolean(value: str) -> bool:
    """2.4.3's heaven.utils.boolean, as written there."""
    try:
        return {"true": True, "1": True, "false": False, "0": False}[value.strip().lower()]
    except (AttributeError, KeyError):
        raise ValueError(f"{value!r} is not a boolean") from None


PYTHON = {"int": int, "float": float, "bool": boolean, "date": date.fromisoformat,
          "datetime": datetime.fromisoformat, "uuid": UUID, "str": str}


def outcome(fn, text):
    try:
        value = fn(text)
    except (ValueError, OverflowError):
        return "refused"
    return repr(value)


def words(rng: random.Random, alphabet: str, templates: list[str], count: int) -> list[str]:
    """Strings made by filling templates (`d` a digit, `*` any alphabet
    character) and by mutating them: a character dropped, doubled or swapped."""
    out = []
    for _ in range(count):
        text = "".join(rng.choice("0123456789") if t == "d" else rng.choice(alphabet) if t == "*" else t
                       for t in rng.choice(templates))
        roll = rng.random()
        if text and roll < 0.15:
            i = rng.randrange(len(text))
            text = text[:i] + text[i + 1:]
        elif text and roll < 0.3:
            i = rng.randrange(len(text))
            text = text[:i] + rng.choice(alphabet) + text[i:]
        out.append(text)
    return out


DATE_TEMPLATES = ["dddd-dd-dd", "dddddddd", "dddd-Wdd-d", "ddddWddd", "dddd-Wdd", "ddddWdd", "dddd-dd-ddTdd:dd",
                  "dddd-dd-dd dd:dd:dd", "dddd-dd-ddTdd:dd:dd.dddddd+dd:dd", "ddddddddTdddd", "dddd-dd-ddTdd",
                  "dddd-dd-ddTdd:dd:dd,ddZ", "dddd-dd-ddTdd:dd:dd-dddd", "dddd-Wdd-dTdd:dd", "ddddWdddTdd",
                  "dddd-dd-dd*dd:dd", "dddd-dd-ddTdd:dd:dd.ddddddddd", "dddd-dd-ddTdd:dd:dd+dd:dd:dd.ddd",
                  "2024-0d-1dT1d:2d:3d", "2024-0d-1d*1d:2d", "20240d1dT1d2d3d.dd*", "2024-W0d-dT1d:dd*dd",
                  "2024W0dd1d:2d", "2024W0d*1d", "2024-0d-1dT1d:2d:3d.ddd*0d:dd", "2024-0d-1dT1d*0d",
                  "2024-0d-1d*1d", "2024-1d-2dT2d:5d:5d", "2024-0d-1dT1d:2d:3d:dd", "2024-0d-1dT1d.d*",
                  "2024-02-29", "2024-W09-4", "2020-W53-7", "dddd-dd-dd**", "dddddddd**", "dddd-dd-ddTdd:dd*"]
NUMBER_TEMPLATES = ["d", "dd", "-d", "+dd", "d_d", "d__d", "_d", "d_", " d ", "d.d", ".d", "d.", "de3", "d.de-d",
                    "inf", "-inf", "Infinity", "nan", "NaN", "1e", "d,d", "٣", "٣.٥", "\u00a0d\u2003", "0xff",
                    "d" * 25, "d_d.d_d", "d._d", "d_.d", "dE+dd", "*d", "d*", "++d", "1e400", "-0"]
UUID_TEMPLATES = ["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E04F8911D39A0C0305E82C3301",
                  "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}", "urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                  "3f2504e0-4f89-11d3-9a0c-0305e82c330", "0x2504e0-4f89-11d3-9a0c-0305e82c3301",
                  "+f2504e0-4f89-11d3-9a0c-0305e82c3301", " f2504e0-4f89-11d3-9a0c-0305e82c3301",
                  "3f2504e0_4f89-11d3-9a0c-0305e82c3301", "{{3f2504e04f8911d39a0c0305e82c3301}}",
                  "uuid:3f2504e04f8911d39a0c0305e82c3301", "3f2504e0-4f89-11d3-9a0c-0305e82c3301-"]
BOOL_TEMPLATES = ["true", "false", "TRUE", "False", "1", "0", " true ", "\u00a0false", "yes", "t", "01", "tru", "٠"]


def corpus(kind: str) -> list[str]:
    rng = random.Random(f"heaven-compat-{kind}")
    fixed = [v for values in VALUES.values() for v in values] + ["", " ", "-"]
    if kind in ("date", "datetime"):
        return fixed + words(rng, "0123456789-WT:.,Z+ \u00e9x", DATE_TEMPLATES, 4000)
    if kind in ("int", "float"):
        return fixed + words(rng, "0123456789_.-+eE \u0663x", NUMBER_TEMPLATES, 3000)
    if kind == "uuid":
        return fixed + words(rng, "0123456789abcdefABCDEF-{}:_ x", UUID_TEMPLATES, 2000)
    return fixed + words(rng, "truefalsTRUEFALS01 ", BOOL_TEMPLATES, 500)


@pytest.mark.parametrize("kind", ["int", "float", "bool", "date", "datetime", "uuid", "str"])
def test_segments_convert_like_python(kind):
    mismatches = []
    for text in corpus(kind):
        ours, theirs = outcome(lambda t: _core.convert(kind, t), text), outcome(PYTHON[kind], text)
        if ours != theirs:
            mismatches.append((text, theirs, ours))
    assert not mismatches, "\n".join(f"{t!r}: Python {p}, heaven {h}" for t, p, h in mismatches[:30])


def test_type_names_are_case_insensitive():
    assert _core.convert("Int", "7") == 7
    assert _core.convert("UUID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301") == UUID("3f2504e0-4f89-11d3-9a0c-0305e82c3301")
    with pytest.raises(ValueError):
        _core.convert("integer", "7")
