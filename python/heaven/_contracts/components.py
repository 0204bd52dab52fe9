"""The `components` of an OpenAPI document: the schemas of every contract's
types, named once each, and the error responses heaven answers with
(plain JSON or problem+json).

Schemas come from the types msgspec actually validates with (the
contract's rewritten types), so the constraints written as strings
(`Annotated[str, 'min_len=2']`) and strictness (`additionalProperties`)
appear in the document exactly as they are enforced."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec

from .fields import file_schema

SCHEMA_REF = "#/components/schemas/{name}"
RESPONSE_REF = "#/components/responses/{name}"

# The JSON errors heaven answers a contract's failures with (docs/errors.md).
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "what is wrong"},
        "path": {"type": "string", "description": "where in the body, e.g. `$.address.zip` (or the field: `$.page`)"},
        "in": {"type": "string", "enum": ["query", "header", "form"],
               "description": "the part of the request, when it is not a JSON body"},
    },
    "required": ["error", "path"],
}
_MEDIA_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "what was sent and what is expected"},
        "expected": {"type": "array", "items": {"type": "string"}, "description": "the media types the route reads"},
    },
    "required": ["error", "expected"],
}
ERROR_RESPONSES = {
    "BodyNotJSON": {
        "description": "The body is not JSON (or not UTF-8)",
        "content": {"application/json": {"schema": _ERROR_SCHEMA}},
    },
    "ValidationFailed": {
        "description": "The request does not satisfy the contract",
        "content": {"application/json": {"schema": _ERROR_SCHEMA}},
    },
    "UnsupportedMediaType": {
        "description": "The body's Content-Type is not one the contract reads",
        "content": {"application/json": {"schema": _MEDIA_SCHEMA}},
    },
}
_PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An RFC 9457 problem document (`app.PROBLEMS()`)",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
                "required": ["path", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}
#: The same responses when the app answers errors as problem+json.
PROBLEM_RESPONSES = {
    name: {"description": response["description"], "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}}}
    for name, response in ERROR_RESPONSES.items()
}


class Body(msgspec.Struct):
    """One contract's request and response schemas (or None), its query
    and header parameters, and whether a request can fail its checks."""

    expects: Any = None
    returns: Any = None
    form: Any = None
    files: bool = False
    parameters: list[dict[str, Any]] = []
    validates: bool = False


def render_bodies(contracts: list[Any], components: Components) -> dict[Any, Body]:
    """Every contract's schemas; request types first so they keep the plain
    component names when a response variant differs (`User-Output`)."""
    bodies = {contract: Body() for contract in contracts}
    for contract in contracts:
        if contract.expects is not None:
            described = _descriptions(contract.expects)
            if contract.partial:
                described[_patch_name(contract)] = _patch_note(contract)
            bodies[contract].expects = components.add(contract.decode_type, described, "Input")
        if contract.form_fields is not None:
            form = contract.form_fields
            bodies[contract].form = components.add(form.decode_type, _descriptions(contract.form), "Form")
            bodies[contract].files = any(_is_file(schema) for schema in _properties(components, form)[0].values())
        for fields in (contract.query_fields, contract.header_fields):
            if fields is not None:
                bodies[contract].parameters += _field_parameters(fields, components)
        bodies[contract].validates = contract.validates
    for contract in contracts:
        if contract.returns is not None:
            described = _descriptions(contract.returns)
            bodies[contract].returns = components.add(contract.returns_type, described, "Output")
    return bodies


def _properties(components: Components, fields: Any) -> tuple[dict[str, Any], list[str]]:
    """The property schemas of a query, header or form type (rendered
    into `components` once, where the type's own schema stays when a
    body uses it too)."""
    before = set(components.schemas)
    top = components.add(fields.decode_type, _descriptions(fields.type), fields.where.title())
    name = top.get("$ref", "").rpartition("/")[2]
    record = components.schemas.get(name, top)
    if name and name not in before:
        del components.schemas[name]  # a parameter list, not a schema anyone refers to
    return record.get("properties", {}), record.get("required", [])


def _field_parameters(fields: Any, components: Components) -> list[dict[str, Any]]:
    """`in: query` or `in: header` parameters, one per declared field;
    list fields are sent as repeated names (`?tag=a&tag=b`)."""
    properties, required = _properties(components, fields)
    params = []
    for field in fields.fields:
        schema = properties.get(field.key, {})
        param: dict[str, Any] = {"name": field.wire, "in": fields.where, "required": field.key in required}
        if "description" in schema:
            param["description"] = schema["description"]
        if field.many:
            param["style"] = "form" if fields.where == "query" else "simple"
            param["explode"] = fields.where == "query"
        param["schema"] = schema
        params.append(param)
    return params


def _is_file(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("format") == "binary":
        return True
    return _is_file(schema.get("items")) or any(_is_file(arm) for arm in schema.get("anyOf", ()))


def _patch_name(contract: Any) -> str:
    return getattr(contract.decode_type, "__name__", "")


def _patch_note(contract: Any) -> str:
    name = getattr(contract.expects, "__name__", "the body")
    return f"{name} with every property optional: send only the fields that change."


def _descriptions(tp: Any) -> dict[str, str]:
    """Component descriptions as msgspec reads them from the user's own
    types (docstrings), which the rewritten types do not carry."""
    try:
        _, found = msgspec.json.schema_components((tp,), ref_template=SCHEMA_REF, schema_hook=file_schema)
    except (TypeError, ValueError):
        return {}
    return {name: schema["description"] for name, schema in found.items() if "description" in schema}


class Components:
    """`components.schemas` across contracts: one name per distinct schema.
    The same class can render differently per contract (strict input vs
    output, another module's class of the same name); a later variant that
    differs gets `<Name>-<Role>`, then `<Name>-<Role>2`..."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def add(self, tp: Any, described: dict[str, str], role: str) -> Any:
        """Render `tp`, merge its components, return its (top) schema."""
        (top,), found = msgspec.json.schema_components((tp,), ref_template=SCHEMA_REF, schema_hook=file_schema)
        top = _portable(top)
        found = {name: _with_description(_portable(schema), described.get(name)) for name, schema in found.items()}
        renames = self._renames(found, role)
        for name, schema in found.items():
            self.schemas[renames.get(name, name)] = _retarget(schema, renames)
        return _retarget(top, renames)

    def _renames(self, found: dict[str, Any], role: str) -> dict[str, str]:
        renames: dict[str, str] = {}
        tries: Counter[str] = Counter()
        changed = True
        while changed:
            changed = False
            for name, schema in found.items():
                existing = self.schemas.get(renames.get(name, name))
                if existing is not None and existing != _retarget(schema, renames):
                    tries[name] += 1
                    renames[name] = f"{name}-{role}" + (str(tries[name]) if tries[name] > 1 else "")
                    changed = True
        return renames


def _with_description(schema: dict[str, Any], text: str | None) -> dict[str, Any]:
    if not text or "description" in schema:
        return schema
    head = {k: v for k, v in schema.items() if k == "title"}
    return {**head, "description": text, **{k: v for k, v in schema.items() if k != "title"}}


# Values, not schemas: a "pattern" key inside them is the user's data.
_DATA_KEYS = frozenset({"default", "examples", "const", "enum"})


def _portable(node: Any) -> Any:
    """A schema whose patterns read the same in ECMA-262 (what OpenAPI
    tools run) as in Python: the Python-only anchors `\\A` and `\\Z` become
    `^` and `$` (without the multiline flag, `$` ends the input there)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                out[key] = _portable_pattern(value)
            elif key == "properties" and isinstance(value, dict):  # field names, any of them
                out[key] = {name: _portable(schema) for name, schema in value.items()}
            elif key in _DATA_KEYS:
                out[key] = value
            else:
                out[key] = _portable(value)
        return out
    if isinstance(node, list):
        return [_portable(item) for item in node]
    return node


def _portable_pattern(pattern: str) -> str:
    if pattern.startswith("\\A"):
        pattern = "^" + pattern[2:]
    if pattern.endswith("\\Z"):
        before = pattern[:-2]
        escapes = len(before) - len(before.rstrip("\\"))
        if escapes % 2 == 0:  # the backslash before Z is not itself escaped
            pattern = before + "$"
    return pattern


def _retarget(node: Any, renames: dict[str, str]) -> Any:
    """A schema with its `$ref`s pointing at renamed components."""
    if not renames:
        return node
    if isinstance(node, dict):
        out = {key: _retarget(value, renames) for key, value in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rpartition("/")[2]
            if name in renames:
                out["$ref"] = SCHEMA_REF.format(name=renames[name])
        return out
    if isinstance(node, list):
        return [_retarget(item, renames) for item in node]
    return node
