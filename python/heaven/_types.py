"""Contract types as msgspec decodes them. The user's types are rewritten
once, at registration: Heaven-style constraint strings become msgspec
constraints, Structs get strict subclasses (unknown fields refused; the
result is still an instance of the user's class), dataclasses and
TypedDicts get strict mirror Structs whose result is converted back."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import msgspec

from .errors import ContractError

# format= checks, as patterns (msgspec has no format validation of its own)
# plus the JSON-schema `format` OpenAPI readers understand. The patterns are
# portable (ECMA-262 and Python alike) and shown in the schema as they are;
# `[0-9]`, not `\d`, which in Python also matches other scripts' digits.
FORMATS = {
    "uuid": r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
    # No spaces, no control characters (C0, DEL, C1), one @ and a dotted domain.
    "email": r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$",
    "ipv4": r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$",
    "ipv6": r"^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "date-time": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$",
    "time": r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$",
    "uri": r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$",
    "hostname": r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
}
FORMAT_ALIASES = {"datetime": "date-time", "url": "uri", "ip": "ipv4"}
# constraint name -> (msgspec.Meta argument, value parser)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _int(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a non-negative integer")
    return int(text)


def _number(text: str) -> int | float:
    if not _NUMBER.match(text):
        raise ValueError(f"{text!r} is not a number")
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


CONSTRAINTS = {
    "min_len": ("min_length", _int),
    "max_len": ("max_length", _int),
    "min_length": ("min_length", _int),
    "max_length": ("max_length", _int),
    "regex": ("pattern", str),
    "pattern": ("pattern", str),
    "min": ("ge", _number),
    "max": ("le", _number),
    "ge": ("ge", _number),
    "le": ("le", _number),
    "gt": ("gt", _number),
    "lt": ("lt", _number),
    "multiple_of": ("multiple_of", _number),
}


def _to_the_end(pattern: str) -> str:
    r"""Python's `$` also matches before a final newline; `\Z` is the end of
    the value (the OpenAPI document shows it as `$`, its ECMA-262 spelling)."""
    return pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern


def parse_constraints(text: str, where: str) -> msgspec.Meta:
    """`'min_len=2, max_len=10'` into `msgspec.Meta(min_length=2, max_length=10)`.
    A `regex=` runs to the end of its string (it may contain commas)."""
    options: dict[str, Any] = {}
    rest = text.strip()
    while rest:
        key, eq, tail = rest.partition("=")
        key = key.strip()
        if not eq or not key:
            raise ContractError(f"{where}: constraint {text!r} must look like 'name=value' (e.g. 'min_len=2')")
        if key in ("regex", "pattern"):
            value, rest = tail, ""
        else:
            value, _, rest = tail.partition(",")
        value = value.strip()
        rest = rest.strip()
        if key == "format":
            fmt = FORMAT_ALIASES.get(value, value)
            if fmt not in FORMATS:
                raise ContractError(f"{where}: unknown format {value!r} (known: {', '.join(sorted(FORMATS))})")
            options["pattern"] = _to_the_end(FORMATS[fmt])
            options.setdefault("extra_json_schema", {})["format"] = fmt
            continue
        if key not in CONSTRAINTS:
            known = ", ".join(sorted([*CONSTRAINTS, "format"]))
            raise ContractError(f"{where}: unknown constraint {key!r} (known: {known})")
        name, parse = CONSTRAINTS[key]
        try:
            options[name] = parse(value)
        except ValueError as exc:
            raise ContractError(f"{where}: constraint {key}: {exc}") from None
        if name == "pattern":
            try:
                re.compile(value)
            except re.error as exc:
                raise ContractError(f"{where}: regex {value!r} does not compile: {exc}") from None
    try:
        return msgspec.Meta(**options)
    except (TypeError, ValueError) as exc:
        raise ContractError(f"{where}: {exc}") from None


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__total__")


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


class Rewriter:
    """Rewrites one contract's type tree; remembers whether the decoded
    value must be converted back to the user's types."""

    def __init__(self, strict: bool, where: str) -> None:
        self.strict = strict
        self.where = where
        self.convert_back = False
        self._done: dict[Any, Any] = {}

    def rewrite(self, tp: Any) -> Any:
        if isinstance(tp, type) and tp in self._done:
            return self._done[tp]
        origin = get_origin(tp)
        if origin is Annotated:
            base, *extras = get_args(tp)
            metas = [parse_constraints(x, self.where) if isinstance(x, str) else x for x in extras]
            return Annotated[(self.rewrite(base), *metas)]  # type: ignore[return-value]
        if _is_struct(tp):
            return self._struct(tp)
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            self.convert_back = True
            return self._mirror(tp, _dataclass_fields(tp))
        if _is_typeddict(tp):
            self.convert_back = True
            return self._mirror(tp, _typeddict_fields(tp))
        if origin is not None:
            args = get_args(tp)
            if not args:
                return tp
            rewritten = tuple(self.rewrite(a) if a is not Ellipsis else a for a in args)
            if origin in (Union, types.UnionType):
                return Union[rewritten]  # type: ignore[return-value]
            if origin is typing.Literal:
                return tp
            try:
                return origin[rewritten] if len(rewritten) > 1 else origin[rewritten[0]]
            except TypeError:
                return tp
        return tp

    def _struct(self, tp: type) -> Any:
        fields = msgspec.structs.fields(tp)
        hints = get_type_hints(tp, include_extras=True)
        placeholder = tp  # recursive references point at the user's class until built
        self._done[tp] = placeholder
        annotations = {f.name: self.rewrite(hints.get(f.name, f.type)) for f in fields}
        if not self.strict and all(annotations[f.name] == hints.get(f.name, f.type) for f in fields):
            self._done[tp] = tp
            return tp

        def body(ns: dict[str, Any]) -> None:
            ns["__annotations__"] = annotations
            ns["__module__"] = tp.__module__
            for f in fields:
                if f.default is not msgspec.NODEFAULT:
                    ns[f.name] = f.default
                elif f.default_factory is not msgspec.NODEFAULT:
                    ns[f.name] = msgspec.field(default_factory=f.default_factory)

        options = {"forbid_unknown_fields": True} if self.strict else {}
        strict = types.new_class(tp.__name__, (tp,), options, body)
        self._done[tp] = strict
        return strict

    def _mirror(self, tp: type, fields: list[tuple[str, Any, Any]]) -> Any:
        self._done[tp] = tp
        spec = []
        for name, hint, default in fields:
            field_type = self.rewrite(hint)
            spec.append((name, field_type) if default is msgspec.NODEFAULT else (name, field_type, default))
        mirror = msgspec.defstruct(tp.__name__, spec, forbid_unknown_fields=self.strict, module=tp.__module__)
        self._done[tp] = mirror
        return mirror


def _dataclass_fields(tp: type) -> list[tuple[str, Any, Any]]:
    hints = get_type_hints(tp, include_extras=True)
    out = []
    for f in dataclasses.fields(tp):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = msgspec.field(default_factory=f.default_factory)
        else:
            default = msgspec.NODEFAULT
        out.append((f.name, hints.get(f.name, f.type), default))
    required = [x for x in out if x[2] is msgspec.NODEFAULT]
    optional = [x for x in out if x[2] is not msgspec.NODEFAULT]
    return required + optional


# `Required`/`NotRequired` exist from Python 3.11 (3.10 has neither).
_REQUIRED_WRAPPERS = tuple(w for w in (getattr(typing, "NotRequired", None), getattr(typing, "Required", None)) if w)


def _unwrap_required(hint: Any) -> Any:
    """`NotRequired[X]` / `Required[X]` say whether a key may be missing
    (already in `__required_keys__`); the value type is X."""
    while _REQUIRED_WRAPPERS and get_origin(hint) in _REQUIRED_WRAPPERS:
        hint = get_args(hint)[0]
    return hint


def _typeddict_fields(tp: type) -> list[tuple[str, Any, Any]]:
    hints = {k: _unwrap_required(v) for k, v in get_type_hints(tp, include_extras=True).items()}
    required = [(k, hints[k], msgspec.NODEFAULT) for k in hints if k in tp.__required_keys__]
    optional = [(k, hints[k], msgspec.UNSET) for k in hints if k not in tp.__required_keys__]
    optional = [(k, hint | msgspec.UnsetType, default) for k, hint, default in optional]
    return required + optional


def plain(value: Any) -> Any:
    """Mirror Structs back into plain dicts (dropping unset fields), for
    `msgspec.convert` to build the user's dataclasses and TypedDicts."""
    if isinstance(value, msgspec.Struct):
        return {f: plain(v) for f in value.__struct_fields__ if (v := getattr(value, f)) is not msgspec.UNSET}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return type(value)(plain(v) for v in value)
    return value


def top_fields(tp: Any, where: str) -> list[tuple[str, Any, Any]]:
    """(name, hint, default) of a record type, for partial (PATCH) contracts."""
    if get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if _is_struct(tp):
        hints = get_type_hints(tp, include_extras=True)
        return [(f.name, hints.get(f.name, f.type), msgspec.NODEFAULT) for f in msgspec.structs.fields(tp)]
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass_fields(tp)
    if _is_typeddict(tp):
        return _typeddict_fields(tp)
    raise ContractError(f"{where}: a partial contract needs a Struct, dataclass or TypedDict, not {tp!r}")
