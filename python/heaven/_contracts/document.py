"""An app's OpenAPI 3.1 document: its routes as paths and operations, with
parameters from the patterns and the contracts, and the responses each
operation can give (see docs/api-docs.md)."""

from __future__ import annotations

import copy
import re
from typing import Any

from .. import _core
from .components import ERROR_RESPONSES, PROBLEM_RESPONSES, RESPONSE_REF, Components, render_bodies

OPENAPI_VERSION = "3.1.0"
DEFAULT_SUBDOMAIN = "www"
#: The path parameter a trailing `*` becomes (`path_`... if the route has a `path` already).
WILDCARD_NAME = "path"
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

FORM_MEDIA = ("application/x-www-form-urlencoded", "multipart/form-data")
_SCHEME = {"default": "https", "enum": ["https", "http"]}
_DOMAIN = {"default": "example.com", "description": "the domain the app is served under"}


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
    components = Components()
    contracts = [c for _, ep in listed if (c := _contract(app, ep)) is not None]
    bodies = render_bodies(list(dict.fromkeys(contracts)), components)
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
