"""OpenAPI 3.1 documents built from an app's routes and `app.schema`
contracts, and a reference page that renders them (`install_docs`).

Schemas come from the types msgspec actually validates with (the
contract's rewritten types), so the constraints written as strings
(`Annotated[str, 'min_len=2']`) and strictness (`additionalProperties`)
appear in the document exactly as they are enforced."""

from __future__ import annotations

import copy
import html
import re
from collections import Counter
from typing import Any, Callable

import msgspec

from . import _core
from ._contracts.fields import file_schema

OPENAPI_VERSION = "3.1.0"
#: The reference renderer the page loads unless told otherwise (pinned).
DEFAULT_SCRIPT = "https://cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js"
DEFAULT_SUBDOMAIN = "www"
#: The path parameter a trailing `*` becomes (`path_`... if the route has a `path` already).
WILDCARD_NAME = "path"
SCHEMA_REF = "#/components/schemas/{name}"
RESPONSE_REF = "#/components/responses/{name}"
#: The methods an OpenAPI path item can hold (CONNECT and websockets cannot be described).
METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")
SUCCESS = "Successful response"

PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "format": "int64"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "str": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "uuid": {"type": "string", "format": "uuid"},
}
# What the router accepts where the JSON-schema format alone would mislead.
PARAMETER_NOTES = {
    "bool": "true, false, 1 or 0 (any case)",
    "date": "YYYY-MM-DD",
    "datetime": "ISO 8601; the offset is optional and a bare date means midnight",
    "uuid": "32 hex digits, with or without hyphens",
}

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
FORM_MEDIA = ("application/x-www-form-urlencoded", "multipart/form-data")
_SCHEME = {"default": "https", "enum": ["https", "http"]}
_DOMAIN = {"default": "example.com", "description": "the domain the app is served under"}


# -- the document -------------------------------------------------------------


def openapi_document(
    app: Any,
    title: str = "API",
    version: str = "0.1.0",
    description: str | None = None,
    subdomain: str | None = None,
) -> dict[str, Any]:
    """The app's OpenAPI 3.1 document, as a JSON-able dict. `subdomain`
    limits it to one subdomain's routes; by default it covers them all
    (see docs/api-docs.md for how other subdomains and clashes appear)."""
    listed, unlisted = _place(_documented(app, subdomain))
    components = _Components()
    bodies = _render_bodies(app, [ep for _, ep in listed], components)
    ids = _operation_ids([ep for _, ep in listed])
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, None] = {}
    for (path, ep), op_id in zip(listed, ids):
        operation = _operation(ep, _contract(app, ep), op_id, bodies, combined=subdomain is None)
        tags.update(dict.fromkeys(operation.get("tags", ())))
        paths.setdefault(path, {})[ep.method.lower()] = operation
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    doc: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info, "paths": paths}
    if tags:
        doc["tags"] = [{"name": name} for name in tags]
    parts: dict[str, Any] = {}
    if components.schemas:
        parts["schemas"] = components.schemas
    referred = {r["$ref"] for item in paths.values() for op in item.values() for r in op["responses"].values() if "$ref" in r}
    if referred:
        parts["responses"] = copy.deepcopy(PROBLEM_RESPONSES if app._problems else ERROR_RESPONSES)
    if parts:
        doc["components"] = parts
    if unlisted:
        doc["x-heaven-unlisted"] = unlisted
    return doc


def _documented(app: Any, subdomain: str | None) -> list[Any]:
    """The routes a document describes, `www` first, then the other
    subdomains in registration order, the `*` catch-all last."""
    routes = app.routes
    gets = {(ep.subdomain.lower(), ep.canonical): ep.target for ep in routes if ep.method == "GET"}
    chosen = [
        ep
        for ep in routes
        if ep.method in METHODS
        and not ep.websocket
        and not getattr(ep.target, "_heaven_docs", False)
        and ep.foreign is None
        and not (ep.method == "HEAD" and gets.get((ep.subdomain.lower(), ep.canonical)) == ep.target)
        and (subdomain is None or ep.subdomain.lower() == subdomain.lower())
    ]
    rank = {DEFAULT_SUBDOMAIN: 0, "*": 2}
    return sorted(chosen, key=lambda ep: rank.get(ep.subdomain.lower(), 1))


def _place(routes: list[Any]) -> tuple[list[tuple[str, Any]], list[dict[str, str]]]:
    """(path template, route) for each route the document can hold; a path
    item has one operation per method, so a second subdomain serving the
    same method and path is reported instead of listed."""
    listed, unlisted, taken = [], [], set()
    for ep in routes:
        path = _template(ep.pattern)
        if (path, ep.method) in taken:
            unlisted.append({"method": ep.method, "path": path, "subdomain": ep.subdomain.lower()})
            continue
        taken.add((path, ep.method))
        listed.append((path, ep))
    return listed, unlisted


def _contract(app: Any, ep: Any) -> Any:
    return app._contracts.get((ep.method, ep.subdomain.lower(), ep.canonical))


# -- paths and parameters ------------------------------------------------------


def _template(pattern: str) -> str:
    """`/files/:id:int/*` as an OpenAPI path template: `/files/{id}/{path}`."""
    segments, _, _ = _core.pattern_parts(pattern)
    names = {seg[1] for seg in segments if seg[0] == "param"}
    parts = []
    for seg in segments:
        if seg[0] == "literal":
            parts.append(seg[1].replace("{", "%7B").replace("}", "%7D"))
        elif seg[0] == "param":
            parts.append("{" + seg[1] + "}")
        else:
            parts.append("{" + _wildcard_name(names) + "}")
    return "/" + "/".join(parts)


def _wildcard_name(taken: set[str]) -> str:
    name = WILDCARD_NAME
    while name in taken:
        name += "_"
    return name


def _parameters(pattern: str) -> list[dict[str, Any]]:
    """Path parameters from the pattern, then query parameters from its hints."""
    segments, hints, _ = _core.pattern_parts(pattern)
    names = {seg[1] for seg in segments if seg[0] == "param"}
    params = []
    for seg in segments:
        if seg[0] == "param":
            params.append(_parameter(seg[1], "path", seg[2]))
        elif seg[0] == "wildcard":
            wildcard = _parameter(_wildcard_name(names), "path", "str")
            wildcard["description"] = "The rest of the path: one or more segments, slashes included (`req.params['*']`)"
            params.append(wildcard)
    params.extend(_parameter(name, "query", kind) for name, kind in hints)
    return params


def _parameter(name: str, where: str, kind: str) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": where, "required": where == "path"}
    param["schema"] = dict(PARAMETER_SCHEMAS.get(kind, {"type": "string"}))
    if kind in PARAMETER_NOTES:
        param["description"] = PARAMETER_NOTES[kind]
    return param


# -- operations ---------------------------------------------------------------


def _operation(ep: Any, contract: Any, op_id: str, bodies: dict[Any, Any], combined: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {}
    tag = _tag(ep.pattern, contract)
    if tag:
        operation["tags"] = [tag]
    if contract is not None and contract.summary:
        operation["summary"] = contract.summary
    if contract is not None and contract.description:
        operation["description"] = contract.description
    operation["operationId"] = op_id
    params = _parameters(ep.pattern)
    body = bodies.get(contract)
    if body is not None and body.parameters:
        declared = {p["name"] for p in body.parameters if p["in"] == "query"}
        params = [p for p in params if not (p["in"] == "query" and p["name"] in declared)] + body.parameters
    if params:
        operation["parameters"] = params
    if body is not None and body.expects is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body.expects}}}
    elif body is not None and body.form is not None:
        media = FORM_MEDIA[1:] if body.files else FORM_MEDIA
        operation["requestBody"] = {"required": True, "content": {kind: {"schema": body.form} for kind in media}}
    # A contract's route checks its typed query hints too (422 for a value they cannot read).
    hinted = contract is not None and any(kind != "str" for _, kind in _core.pattern_parts(ep.pattern)[1])
    operation["responses"] = _responses(body, hinted)
    sub = ep.subdomain.lower()
    if combined and sub != DEFAULT_SUBDOMAIN:
        operation["servers"] = [_server(sub)]
        operation["x-heaven-subdomain"] = sub
    return operation


def _responses(body: Any, hinted: bool = False) -> dict[str, Any]:
    """200 for every route (the status a handler sets is not knowable
    here); 400 where a JSON body is read, 415 where a body is, 422 where
    anything is validated."""
    ok: dict[str, Any] = {"description": SUCCESS}
    if body is not None and body.returns is not None:
        ok["content"] = {"application/json": {"schema": body.returns}}
    responses: dict[str, Any] = {"200": ok}
    if body is not None and body.expects is not None:
        responses["400"] = {"$ref": RESPONSE_REF.format(name="BodyNotJSON")}
    if body is not None and (body.expects is not None or body.form is not None):
        responses["415"] = {"$ref": RESPONSE_REF.format(name="UnsupportedMediaType")}
    if body is not None and (body.validates or hinted):
        responses["422"] = {"$ref": RESPONSE_REF.format(name="ValidationFailed")}
    return responses


def _tag(pattern: str, contract: Any) -> str | None:
    if contract is not None and contract.group:
        return str(contract.group)
    segments, _, _ = _core.pattern_parts(pattern)
    return next((seg[1] for seg in segments if seg[0] == "literal"), None)


def _server(subdomain: str) -> dict[str, Any]:
    """Where a route of another subdomain answers; `*` takes any."""
    if subdomain == "*":
        return {
            "url": "{scheme}://{subdomain}.{domain}",
            "description": "any subdomain without routes of its own",
            "variables": {"scheme": dict(_SCHEME), "subdomain": {"default": "tenant"}, "domain": dict(_DOMAIN)},
        }
    return {
        "url": "{scheme}://" + subdomain + ".{domain}",
        "variables": {"scheme": dict(_SCHEME), "domain": dict(_DOMAIN)},
    }


def _operation_ids(routes: list[Any]) -> list[str]:
    """Unique ids: the route's `name=`, else its handler's name; a base
    shared by operations of several methods gets `_<method>`, and one
    still repeated gets a number."""
    bases = [_id_base(ep) for ep in routes]
    methods: dict[str, set[str]] = {}
    for ep, base in zip(routes, bases):
        methods.setdefault(base, set()).add(ep.method)
    ids: list[str] = []
    taken: set[str] = set()
    for ep, base in zip(routes, bases):
        wanted = base if len(methods[base]) == 1 else f"{base}_{ep.method.lower()}"
        unique, n = wanted, 2
        while unique in taken:
            unique, n = f"{wanted}_{n}", n + 1
        taken.add(unique)
        ids.append(unique)
    return ids


def _id_base(ep: Any) -> str:
    name: str | None = ep.name
    if name:
        return name
    target = ep.target
    if isinstance(target, str):
        module_path, _, method = target.partition("#")
        text = module_path.rpartition(".")[2] + ("." + method if method else "")
    else:
        text = getattr(target, "__qualname__", None) or type(target).__qualname__
        text = text.rpartition("<locals>.")[2]
    if "<lambda>" in text:
        # Lambdas have no name: the method and the path say what they do.
        words = re.sub(r"[^0-9A-Za-z]+", "_", _template(ep.pattern)).strip("_")
        return f"{ep.method.lower()}_{words or 'root'}"
    return re.sub(r"\W+", "_", text).strip("_") or ep.method.lower()


# -- schemas ------------------------------------------------------------------


class _Body(msgspec.Struct):
    """One contract's request and response schemas (or None), its query
    and header parameters, and whether a request can fail its checks."""

    expects: Any = None
    returns: Any = None
    form: Any = None
    files: bool = False
    parameters: list[dict[str, Any]] = []
    validates: bool = False


def _render_bodies(app: Any, routes: list[Any], components: _Components) -> dict[Any, _Body]:
    """Every contract's schemas; request types first so they keep the plain
    component names when a response variant differs (`User-Output`)."""
    contracts = list(dict.fromkeys(c for ep in routes if (c := _contract(app, ep)) is not None))
    bodies = {contract: _Body() for contract in contracts}
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


def _properties(components: _Components, fields: Any) -> tuple[dict[str, Any], list[str]]:
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


def _field_parameters(fields: Any, components: _Components) -> list[dict[str, Any]]:
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


class _Components:
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


# -- serving ------------------------------------------------------------------


def install_docs(
    app: Any,
    route: str = "/docs",
    title: str = "API",
    version: str = "0.1.0",
    subdomain: str = DEFAULT_SUBDOMAIN,
    script_url: str = DEFAULT_SCRIPT,
    style_url: str | None = None,
    *,
    description: str | None = None,
    document_subdomain: str | None = None,
    favicon: str | None = None,
) -> None:
    """Serve the document at `GET {route}/openapi.json` and a reference page
    at `GET {route}`, on `subdomain`. The document is built on first request
    and again only after routes or contracts are added."""
    base = route.rstrip("/")
    json_route = f"{base}/openapi.json"
    document = _Cached(app, lambda: openapi_document(app, title, version, description, document_subdomain))
    page = reference_page(title, json_route, script_url, style_url, favicon).encode()

    def openapi_json(req: Any, res: Any, ctx: Any) -> None:
        res.body = document.payload()
        res.header("Content-Type", "application/json")

    def docs_page(req: Any, res: Any, ctx: Any) -> None:
        res.body = page
        res.header("Content-Type", "text/html; charset=utf-8")

    for handler in (openapi_json, docs_page):
        handler._heaven_docs = True  # type: ignore[attr-defined]  # not listed in the document
    app.GET(json_route, openapi_json, subdomain)
    app.GET(base or "/", docs_page, subdomain)


class _Cached:
    """The encoded document, rebuilt when the app's routes or contracts
    have changed since it was built."""

    def __init__(self, app: Any, build: Callable[[], dict[str, Any]]) -> None:
        self._app = app
        self._build = build
        self._stamp: tuple[int, int] | None = None
        self._payload = b""

    def payload(self) -> bytes:
        stamp = (len(self._app.routes), len(self._app._contracts))
        if stamp != self._stamp:
            self._payload = msgspec.json.encode(self._build())
            self._stamp = stamp
        return self._payload


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def reference_page(
    title: str, json_url: str, script_url: str = DEFAULT_SCRIPT, style_url: str | None = None, favicon: str | None = None
) -> str:
    """The HTML page: it names the document for both Redoc (`<redoc
    spec-url>`) and Scalar (`<script id="api-reference" data-url>`), so
    either bundle works as `script_url`; no inline script."""
    esc = _escape
    style = f'\n<link rel="stylesheet" href="{esc(style_url)}">' if style_url else ""
    if favicon:
        style += f'\n<link rel="icon" href="{esc(favicon)}">'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>{style}
<style>body {{ margin: 0; }}</style>
</head>
<body>
<redoc spec-url="{esc(json_url)}"></redoc>
<script id="api-reference" data-url="{esc(json_url)}"></script>
<noscript>This reference needs JavaScript. The OpenAPI document is at <a href="{esc(json_url)}">{esc(json_url)}</a>.</noscript>
<script src="{esc(script_url)}"></script>
</body>
</html>
"""
