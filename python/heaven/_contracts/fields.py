"""Contracts for the flat parts of a request: the query string, the headers
and form bodies. Each is a record type (Struct, dataclass or TypedDict)
whose fields are read by name from a multi-map of strings (and, in forms,
uploaded `File`s), then converted by msgspec in one pass: `"3"` becomes 3
for an `int` field, a repeated name becomes a list for a `list[...]` field.
Everything about the type is worked out once, at registration."""

from __future__ import annotations

import dataclasses
import enum
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

from .. import _core
from ..errors import ContractError, ValidationFailed
from ..forms import File
from .constraints import Rewriter, plain

#: What a form's checkbox and a human send for a boolean, beyond msgspec's own
#: `true`/`false`/`1`/`0` (any case).
_BOOLEANS = {"on": "true", "yes": "true", "off": "false", "no": "false"}
_SEQUENCES = (list, tuple, set, frozenset)
#: The names `where` may take, as they appear in an error's `"in"`.
LOCATIONS = ("query", "header", "form")


def file_schema(tp: Any) -> dict[str, Any]:
    """The JSON schema of an uploaded file (msgspec's `schema_hook`)."""
    if tp is File:
        return {"type": "string", "format": "binary"}
    raise NotImplementedError


def split(error: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec says "Expected `int`, got `str` - at `$.page`"."""
    text = str(error)
    reason, sep, at = text.rpartition(" - at `")
    if not sep:
        return text, "$"
    return reason, at.rstrip("`")


@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    """One declared field: the name it is sent under, the name msgspec
    decodes, and how its values are read."""

    wire: str
    key: str
    many: bool
    boolean: bool


class FieldContract:
    """`query=`, `headers=` or `form=` of one route, compiled.

    Header fields are sent under their name with `_` read as `-`
    (`x_api_key` is the `X-Api-Key` header, any case). A name sent several
    times is a list for a list field and an error for a single-valued one
    ("Expected `int`, got `array`"). Undeclared names are ignored,
    except with `forbid_unknown` (query and form only: every request
    carries headers no contract lists)."""

    def __init__(self, tp: Any, where: str, role: str, forbid_unknown: bool = False) -> None:
        if role not in LOCATIONS:
            raise ValueError(role)
        self.type = tp
        self.where = role
        self.forbid_unknown = forbid_unknown and role != "header"
        keyword = "headers" if role == "header" else role
        rewriter = Rewriter(self.forbid_unknown, f"{where} ({keyword}=)")
        self.decode_type = rewriter.rewrite(tp)
        self._rebuild = rewriter.dataclasses
        self._convert_back = rewriter.convert_back
        self._checks = rewriter.checks
        record = self.decode_type
        while get_origin(record) is Annotated:
            record = get_args(record)[0]
        if not (isinstance(record, type) and issubclass(record, msgspec.Struct)):
            raise ContractError(f"{where}: {keyword}={tp!r} must be a msgspec Struct, a dataclass or a TypedDict")
        fields = []
        for field in msgspec.structs.fields(record):
            _flat(field.type, f"{where}: {keyword}= field {field.name!r}", role)
            wire = field.encode_name.lower().replace("_", "-") if role == "header" else field.encode_name
            fields.append(Field(wire, field.encode_name, _many(field.type), _boolean(field.type)))
        self.fields = tuple(fields)
        self._names = frozenset(f.wire for f in fields)
        self._wire = {f.key: f.wire for f in fields}
        try:
            msgspec.json.schema(self.decode_type, schema_hook=file_schema)
        except (TypeError, ValueError) as exc:
            raise ContractError(f"{where}: {keyword}={tp!r} is not a type msgspec can validate: {exc}") from None

    def convert(self, source: Any) -> Any:
        """The validated value from `source` (a multi-map with `getlist`);
        raises ValidationFailed naming the field."""
        found: dict[str, Any] = {}
        for field in self.fields:
            values = source.getlist(field.wire)
            if not values:
                continue
            if field.boolean:
                values = [_BOOLEANS.get(v.lower(), v) if isinstance(v, str) else v for v in values]
            if field.many:
                if self.where == "header":
                    values = [part.strip() for v in values for part in v.split(",") if part.strip()]
                found[field.key] = values
            else:
                found[field.key] = values[0] if len(values) == 1 else values
        if self.forbid_unknown:
            for name in source:
                if name not in self._names:
                    raise ValidationFailed(f"Object contains unknown field `{name}`", "$", self.where)
        try:
            value = msgspec.convert(found, self.decode_type, strict=False)
        except msgspec.ValidationError as exc:
            reason, path = split(exc)
            if self.where == "header":  # "missing required field `x_api_key`" names the header as sent
                for key, wire in self._wire.items():
                    reason = reason.replace(f"`{key}`", f"`{wire}`")
            raise ValidationFailed(reason, self._shown(path), self.where) from exc
        if self._checks:
            from ..schema import verify  # here: heaven.schema imports this module

            try:
                verify(value, self.decode_type, "$")
            except ValidationFailed as exc:
                raise ValidationFailed(exc.reason, self._shown(exc.path), self.where) from exc
        if self._rebuild:
            return msgspec.convert(plain(value), self.type)
        if self._convert_back:
            return plain(value)
        return value

    def _shown(self, path: str) -> str:
        """A msgspec path with the field's decoded name replaced by the name
        it is sent under (`$.x_api_key` is the header `$.x-api-key`)."""
        if not path.startswith("$."):
            return path
        rest = path[2:]
        cut = min((i for i in (rest.find("."), rest.find("[")) if i >= 0), default=len(rest))
        return "$." + self._wire.get(rest[:cut], rest[:cut]) + rest[cut:]


class HintCheck:
    """A route's typed query hints (`/items?page:int`), checked on a route
    that has a contract: a value the hint cannot read is a 422 there rather
    than the raw string Heaven 2.4.3 hands over (which a `returns=`
    contract would then refuse as a server error)."""

    def __init__(self, hints: list[tuple[str, str]]) -> None:
        self.hints = tuple((name, kind) for name, kind in hints if kind != "str")

    def check(self, query_string: bytes) -> None:
        if not query_string:
            return
        kinds = dict(self.hints)
        for name, value in _core.parse_query(query_string):
            kind = kinds.get(name)
            if kind is not None and not _core.accepts(kind, value):
                raise ValidationFailed(f"Expected `{kind}`, got `str`", f"$.{name}", "query")


def _bare(tp: Any) -> Any:
    """The type under `Annotated`, `Optional` and `NewType` wrappers."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            arms = [a for a in get_args(tp) if a not in (type(None), msgspec.UnsetType)]
            if len(arms) != 1:
                return tp
            tp = arms[0]
        elif hasattr(tp, "__supertype__"):
            tp = tp.__supertype__
        else:
            return tp


def _many(tp: Any) -> bool:
    bare = _bare(tp)
    return get_origin(bare) in _SEQUENCES or bare in _SEQUENCES


def _boolean(tp: Any) -> bool:
    return _bare(tp) is bool


def _flat(tp: Any, where: str, role: str) -> None:
    """Refuse a field type no string (or file) can become: a nested
    object. Files belong in forms only."""
    bare = _bare(tp)
    if get_origin(bare) in _SEQUENCES:
        args = [a for a in get_args(bare) if a is not Ellipsis]
        for arg in args:
            if _many(arg):
                raise ContractError(f"{where}: a list of lists cannot be sent as repeated names")
            _flat(arg, where, role)
        return
    if bare is File:
        if role != "form":
            raise ContractError(f"{where}: an uploaded File can only be a form= field")
        return
    if get_origin(bare) is Literal or (isinstance(bare, type) and issubclass(bare, enum.Enum)):
        return
    record = (
        (isinstance(bare, type) and (issubclass(bare, (msgspec.Struct, dict)) or dataclasses.is_dataclass(bare)))
        or get_origin(bare) is dict
    )
    if record:
        raise ContractError(f"{where}: {bare!r} is an object; a {role} field holds a value or a list of values")
