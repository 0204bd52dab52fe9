"""Contract types as msgspec decodes them. The user's types are rewritten
once, at registration: Heaven-style constraint strings
(`Annotated[str, "min_len=2; max_len=40"]`) become msgspec constraints, and
what msgspec cannot check (`unique`, `min_props`, `default`, `strict`) becomes
markers the contract acts on; Structs get subclasses when they must refuse
unknown fields (the result is still an instance of the user's class);
dataclasses and TypedDicts get mirror Structs whose result is converted back."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Annotated, Any, Callable, Union, get_args, get_origin, get_type_hints

import msgspec

from ..errors import ContractError

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


CONSTRAINTS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "min_len": ("min_length", _int),
    "max_len": ("max_length", _int),
    "min_length": ("min_length", _int),
    "max_length": ("max_length", _int),
    "min_items": ("min_length", _int),
    "max_items": ("max_length", _int),
    "regex": ("pattern", str),
    "pattern": ("pattern", str),
    "min": ("ge", _number),
    "max": ("le", _number),
    "exclusive_min": ("gt", _number),
    "exclusive_max": ("lt", _number),
    "ge": ("ge", _number),
    "le": ("le", _number),
    "gt": ("gt", _number),
    "lt": ("lt", _number),
    "step": ("multiple_of", _number),
    "multiple_of": ("multiple_of", _number),
    "title": ("title", str),
    "description": ("description", str),
}
# Constraints msgspec has no place for: the contract checks them itself.
EXTRAS = {
    "default": "default", "unique": "unique", "unique_items": "unique", "strict": "strict",
    "min_props": "min_props", "min_properties": "min_props", "max_props": "max_props", "max_properties": "max_props",
}
# pytastic's own extension points (hooks, aliases...): not something heaven runs.
_UNSUPPORTED = ("from", "factory", "setter", "getter", "alias", "dump", "required", "one_of", "contains",
                "strip", "partial", "additional_properties")


class Default:
    """`default=...` on a field: the value a missing field takes (as text;
    converted to the field's type when the contract is built)."""

    __slots__ = ("raw",)

    def __init__(self, raw: str) -> None:
        self.raw = raw


class Checks:
    """What a value must also satisfy after decoding: distinct items, a
    number of properties. msgspec ignores this in the type; the contract
    walks the decoded value for it."""

    __slots__ = ("unique", "min_props", "max_props")

    def __init__(self, unique: bool = False, min_props: int | None = None, max_props: int | None = None) -> None:
        self.unique = unique
        self.min_props = min_props
        self.max_props = max_props


def _to_the_end(pattern: str) -> str:
    r"""Python's `$` also matches before a final newline; `\Z` is the end of
    the value (the OpenAPI document shows it as `$`, its ECMA-262 spelling)."""
    return pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern


def _split_quoted(text: str, separator: str) -> list[str]:
    """`text` split on `separator` outside single-quoted stretches."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _pairs(text: str, where: str) -> list[tuple[str, str | bool]]:
    """`"min_len=2; max_len=40; unique"` as (name, value) pairs, `True` for
    a bare flag. Pairs are separated by `;` (Heaven 2.4.3's form); a string
    without `;` may separate them with `,` instead. A `regex=` value runs to
    the end of its pair, or of the whole string in the `,` form."""
    pieces: list[str] = []
    if ";" in text:
        pieces = _split_quoted(text, ";")
    else:
        for piece in _split_quoted(text, ","):
            key = piece.partition("=")[0].strip()
            if pieces and pieces[-1].split("=", 1)[0].strip() in ("regex", "pattern"):
                pieces[-1] += "," + piece  # a regex runs to the end
            elif pieces and "=" not in piece and key not in EXTRAS and piece.strip():
                pieces[-1] += "," + piece  # a value that held a comma
            else:
                pieces.append(piece)
    pairs: list[tuple[str, str | bool]] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        key, eq, value = piece.partition("=")
        key = key.strip()
        if not key:
            raise ContractError(f"{where}: constraint {text!r} must look like 'name=value' (e.g. 'min_len=2')")
        if not eq:
            pairs.append((key, True))
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        pairs.append((key, value))
    return pairs


def parse_constraints(text: str, where: str) -> tuple[msgspec.Meta | None, dict[str, Any]]:
    """`'min_len=2; max_len=10'` into `msgspec.Meta(min_length=2, max_length=10)`,
    and the constraints msgspec cannot check (`default`, `unique`, `strict`,
    `min_props`, `max_props`) as a dict. Unknown names raise ContractError."""
    options: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for key, value in _pairs(text, where):
        if key in EXTRAS:
            name = EXTRAS[key]
            if name == "default":
                extras[name] = "" if value is True else value
            elif name in ("unique", "strict"):
                extras[name] = value is True or str(value).lower() not in ("false", "0", "no")
            else:
                try:
                    extras[name] = _int(str(value))
                except ValueError as exc:
                    raise ContractError(f"{where}: constraint {key}: {exc}") from None
            continue
        if value is True:
            if key in CONSTRAINTS or key == "format":
                raise ContractError(f"{where}: constraint {key!r} needs a value ('{key}=...')")
        if key == "format":
            fmt = FORMAT_ALIASES.get(str(value), str(value))
            if fmt not in FORMATS:
                raise ContractError(f"{where}: unknown format {value!r} (known: {', '.join(sorted(FORMATS))})")
            options["pattern"] = _to_the_end(FORMATS[fmt])
            options.setdefault("extra_json_schema", {})["format"] = fmt
            continue
        if key not in CONSTRAINTS:
            if key in _UNSUPPORTED:
                raise ContractError(f"{where}: pytastic's {key!r} constraint is not supported by heaven")
            known = ", ".join(sorted([*CONSTRAINTS, *EXTRAS, "format"]))
            raise ContractError(f"{where}: unknown constraint {key!r} (known: {known})")
        name, parse = CONSTRAINTS[key]
        try:
            options[name] = parse(str(value))
        except ValueError as exc:
            raise ContractError(f"{where}: constraint {key}: {exc}") from None
        if name == "pattern":
            try:
                re.compile(str(value))
            except re.error as exc:
                raise ContractError(f"{where}: regex {value!r} does not compile: {exc}") from None
    meta = None
    if options:
        try:
            meta = msgspec.Meta(**options)
        except (TypeError, ValueError) as exc:
            raise ContractError(f"{where}: {exc}") from None
    return meta, extras


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__total__")


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


class Rewriter:
    """Rewrites one contract's type tree; remembers whether the decoded
    value must be converted back to the user's types and whether it needs
    the checks msgspec cannot make (`Checks` markers).

    `forbid_unknown`: every object refuses fields it does not declare (else
    only those whose `_` field says `strict`, and Structs configured so).
    `partial`: every object field may be missing (a response that is a
    summary of the declared type)."""

    def __init__(self, forbid_unknown: bool, where: str, partial: bool = False) -> None:
        self.strict = forbid_unknown
        self.partial = partial
        self.where = where
        self.convert_back = False
        #: A dataclass was mirrored: the result must be rebuilt as the user's
        #: types (TypedDicts need only plain dicts, which `plain` gives).
        self.dataclasses = False
        self.checks = False
        self._done: dict[Any, Any] = {}

    def rewrite(self, tp: Any) -> Any:
        if isinstance(tp, type) and tp in self._done:
            return self._done[tp]
        origin = get_origin(tp)
        if origin is Annotated:
            base, *extras = get_args(tp)
            metas: list[Any] = []
            found: dict[str, Any] = {}
            for extra in extras:
                if isinstance(extra, str):
                    meta, more = parse_constraints(extra, self.where)
                    if meta is not None:
                        metas.append(meta)
                    found.update(more)
                else:
                    metas.append(extra)
            if "default" in found:
                metas.append(Default(found["default"]))
            if found.get("unique") or "min_props" in found or "max_props" in found:
                metas.append(Checks(bool(found.get("unique")), found.get("min_props"), found.get("max_props")))
                self.checks = True
            if found.get("strict"):
                raise ContractError(f"{self.where}: 'strict' belongs on a TypedDict's `_` field (it refuses unknown keys)")
            rewritten = self.rewrite(base)
            return Annotated[(rewritten, *metas)] if metas else rewritten
        if _is_struct(tp):
            return self._struct(tp)
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            self.convert_back = True
            self.dataclasses = True
            return self._mirror(tp, _dataclass_fields(tp), {})
        if _is_typeddict(tp):
            self.convert_back = True
            return self._mirror(tp, _typeddict_fields(tp), _object_constraints(tp, self.where))
        if origin is not None:
            args = get_args(tp)
            if not args:
                return tp
            rewritten = tuple(self.rewrite(a) if a is not Ellipsis else a for a in args)
            if origin in (Union, types.UnionType):
                return Union[rewritten]
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
        if not self.strict and not self.partial and all(annotations[f.name] == hints.get(f.name, f.type) for f in fields):
            self._done[tp] = tp
            return tp
        if self.partial:
            annotations = {name: hint | msgspec.UnsetType for name, hint in annotations.items()}

        def body(ns: dict[str, Any]) -> None:
            ns["__annotations__"] = annotations
            ns["__module__"] = tp.__module__
            for f in fields:
                if self.partial:
                    ns[f.name] = msgspec.UNSET
                elif f.default is not msgspec.NODEFAULT:
                    ns[f.name] = f.default
                elif f.default_factory is not msgspec.NODEFAULT:
                    ns[f.name] = msgspec.field(default_factory=f.default_factory)

        options = {"forbid_unknown_fields": True} if self.strict else {}
        strict = types.new_class(tp.__name__, (tp,), options, body)
        self._done[tp] = strict
        return strict

    def _mirror(self, tp: type, fields: list[tuple[str, Any, Any]], constraints: dict[str, Any]) -> Any:
        self._done[tp] = tp
        spec: list[tuple[Any, ...]] = []
        required: list[tuple[str, Any, Any]] = []
        optional: list[tuple[str, Any, Any]] = []
        for name, hint, default in fields:
            field_type = self.rewrite(hint)
            marker = _default_marker(field_type)
            if marker is not None and (default is msgspec.NODEFAULT or default is msgspec.UNSET):
                default = _default_value(marker.raw, hint, self.where, name)
            if self.partial and default is msgspec.NODEFAULT:
                default = msgspec.UNSET
            if default is msgspec.UNSET:
                field_type = field_type | msgspec.UnsetType
            (required if default is msgspec.NODEFAULT else optional).append((name, field_type, default))
        for name, field_type, default in required + optional:
            spec.append((name, field_type) if default is msgspec.NODEFAULT else (name, field_type, default))
        forbid = self.strict or bool(constraints.get("strict"))
        mirror = msgspec.defstruct(tp.__name__, spec, forbid_unknown_fields=forbid, module=tp.__module__)
        result: Any = mirror
        if "min_props" in constraints or "max_props" in constraints:
            result = Annotated[mirror, Checks(False, constraints.get("min_props"), constraints.get("max_props"))]
            self.checks = True
        self._done[tp] = result
        return result


def _default_marker(tp: Any) -> Default | None:
    if get_origin(tp) is Annotated:
        return next((m for m in get_args(tp)[1:] if isinstance(m, Default)), None)
    return None


def _default_value(raw: str, hint: Any, where: str, name: str) -> Any:
    """A `default=` text as a value of the field's type: JSON where it reads
    as JSON (numbers, lists, objects), else the text itself."""
    base = _unwrap_required(hint)
    while get_origin(base) is Annotated:
        base = get_args(base)[0]
    if base is str:
        return raw
    if base is bool:
        return raw.lower() in ("true", "1", "yes")
    try:
        value: Any = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        value = raw
    try:
        converted = msgspec.convert(value, base, strict=False)
    except (msgspec.ValidationError, TypeError) as exc:
        raise ContractError(f"{where}: default={raw!r} for {name!r} is not a {base!r}: {exc}") from None
    if isinstance(converted, (list, dict, set)):
        return msgspec.field(default_factory=lambda: msgspec.convert(value, base, strict=False))
    return converted


def _object_constraints(tp: type, where: str) -> dict[str, Any]:
    """A TypedDict's object-level constraints, written on its `_` field:
    `_: Annotated[None, "strict; min_props=1"]`."""
    hint = get_type_hints(tp, include_extras=True).get("_")
    found: dict[str, Any] = {}
    if hint is not None and get_origin(_unwrap_required(hint)) is Annotated:
        for extra in get_args(_unwrap_required(hint))[1:]:
            if isinstance(extra, str):
                meta, more = parse_constraints(extra, f"{where} (the `_` field of {tp.__name__})")
                if meta is not None:
                    raise ContractError(f"{where}: the `_` field of {tp.__name__} takes object constraints only "
                                        "(strict, min_props, max_props)")
                found.update(more)
    return found


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
    # `_` carries the object's own constraints (pytastic's convention), not a field.
    hints = {k: _unwrap_required(v) for k, v in get_type_hints(tp, include_extras=True).items() if k != "_"}
    required_keys: frozenset[str] = getattr(tp, "__required_keys__", frozenset())  # TypedDicts have it
    required = [(k, hints[k], msgspec.NODEFAULT) for k in hints if k in required_keys]
    optional = [(k, hints[k], msgspec.UNSET) for k in hints if k not in required_keys]
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
