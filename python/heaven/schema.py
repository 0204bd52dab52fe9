"""Typed contracts: `app.schema.POST('/users', expects=NewUser, returns=User)`.
The body is decoded and validated from bytes in one msgspec pass into
`req.data`; a failure is a 422 naming the failing location. `returns`
validates the response body and strips what the contract does not list."""

from __future__ import annotations

import copy
import logging
import types
from typing import Annotated, Any, Callable, Union, get_args, get_origin

import msgspec

from . import _core
from ._contracts.constraints import Checks, Rewriter, plain, top_fields
from ._contracts.fields import FieldContract, HintCheck
from ._contracts.fields import split as _split
from .errors import (
    BodyNotJSON,
    ContractError,
    ContractViolation,
    HTTPError,
    PytasticError,
    UnsupportedMediaType,
    ValidationError,
    ValidationFailed,
)
from .forms import Form, parse_content_type
from .request import UNREAD
from ._routing.prefix import join

#: Content-Type values already parsed to their media type (see `Contract._media`).
_KINDS: dict[str, str] = {}
#: Content-Type values already accepted for a JSON body (see `Contract.check_json`).
_JSON_SENT: set[str] = set()

__all__ = ["Contract", "DotDict", "Pytastic", "PytasticError", "SchemaRegistry", "ValidationError"]

logger = logging.getLogger("heaven")
_SKIP_OUTPUT = (bytes, bytearray, memoryview, str)
DEFAULT_SUBDOMAIN = "www"
JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Contract:
    """One route's contract, compiled at registration.

    `protect`, `partial` and `strict` are Heaven 2.4.3's output options (None:
    the app's `protect_output`, `allow_partials`, `fail_on_output`): strip
    undeclared fields from the response, let it omit declared ones, answer
    500 when it does not match. With neither `protect` nor `partial` the
    response is not checked. A `PATCH` body is partial: only the fields sent
    are checked and kept. `dot=True` gives `req.data` attribute access.
    `forbid_unknown=True` refuses body fields the contract does not declare
    (by default they are accepted and left out of `req.data`).

    `query=`, `headers=` and `form=` are record types for the query string
    (`req.query_data`), the headers (`req.headers_data`) and a form body
    (`req.data`, instead of a JSON `expects=`); see `_contracts/fields.py`."""

    def __init__(
        self,
        method: str,
        route: str,
        subdomain: str,
        expects: Any = None,
        returns: Any = None,
        summary: str | None = None,
        description: str | None = None,
        group: str | None = None,
        protect: bool | None = None,
        partial: bool | None = None,
        strict: bool | None = None,
        dot: bool = False,
        forbid_unknown: bool = False,
        query: Any = None,
        headers: Any = None,
        form: Any = None,
        app: Any = None,
    ) -> None:
        where = f"schema {method} {route!r}"
        if expects is not None and form is not None:
            raise ContractError(f"{where}: a body is either JSON (expects=) or a form (form=), not both")
        self.method = method
        self.route = route
        self.subdomain = subdomain.lower()
        self.canonical = _core.pattern_parts(route)[2]
        self.expects = _resolve_type(expects, where)
        self.returns = _resolve_type(returns, where)
        self.summary = summary
        self.description = description
        self.group = group
        self.protect = getattr(app, "protect_output", True) if protect is None else bool(protect)
        self.output_partial = getattr(app, "allow_partials", False) if partial is None else bool(partial)
        self.strict = getattr(app, "fail_on_output", True) if strict is None else bool(strict)
        self.dot = bool(dot)
        self.forbid_unknown = bool(forbid_unknown)
        #: The body is partial (PATCH): only the fields sent are checked and kept.
        self.partial = method == "PATCH"
        self._decoder: msgspec.json.Decoder[Any] | None = None
        self._convert_back = False
        self._rebuild = False
        self._checks = False
        self._partial_hints: dict[str, Any] = {}
        self._dot_fields: frozenset[str] | None = None
        self.decode_type: Any = None
        self.returns_type: Any = None
        if self.expects is not None:
            self._compile_input(where)
        #: The decoded body is the answer as is (no extra checks, no rewriting back).
        self._as_decoded = not (self._checks or self.partial or self._rebuild or self._convert_back or self.dot)
        if self.returns is not None:
            self.returns_type = Rewriter(False, where, partial=self.output_partial).rewrite(self.returns)
            _check_type(self.returns_type, where, "returns")
        self.query = _resolve_type(query, where)
        self.headers = _resolve_type(headers, where)
        self.form = _resolve_type(form, where)
        self.query_fields = None if self.query is None else FieldContract(self.query, where, "query", forbid_unknown)
        self.header_fields = None if self.headers is None else FieldContract(self.headers, where, "header")
        self.form_fields = None if self.form is None else FieldContract(self.form, where, "form", forbid_unknown)
        #: Whether a body is validated (read per request: an attribute, not a property).
        self.has_body = self.expects is not None or self.form is not None
        #: The route's typed query hints, checked on a contract's route (set by `for_route`).
        self.hints: HintCheck | None = None
        self.for_route(route)

    def for_route(self, pattern: str) -> None:
        """Take the query hints of the route this contract is attached to
        (its handler may declare hints the contract's route leaves out)."""
        hints = HintCheck(_core.pattern_parts(pattern)[1])
        self.hints = hints if hints.hints else None

    @property
    def validates(self) -> bool:
        """Whether a request on this contract's route is checked at all."""
        return bool(self.expects is not None or self.form is not None or self.query_fields or self.header_fields
                    or self.hints)

    # -- a request, checked once (the lifecycle, before the handler) ----------

    def check(self, req: Any) -> None:
        """Validate what the contract declares, cheapest first: headers,
        the query string, then the body. Each result is kept on `req`
        (`headers_data`, `query_data`, `data`), so nothing is checked twice."""
        if self.header_fields is not None or self.query_fields is not None or self.hints is not None:
            self._check_head(req)
        if self.has_body and req._data is UNREAD:
            req._data = self.body_of(req)  # what `req.data` would do, without finding the contract again

    def checker(self) -> Callable[[Any], None]:
        """The check a route without hooks runs per request: `check`, or
        `check_json` when a JSON `expects=` is all there is to check."""
        if self.expects is not None and self.form is None and self.header_fields is None \
                and self.query_fields is None and self.hints is None:
            return self.check_json
        return self.check

    def check_json(self, req: Any) -> None:
        """`check` for a contract with only a JSON `expects=`: the body's
        media type (a value seen before is known good), then the body."""
        if req._data is UNREAD:
            sent = req._content_type
            if sent is not None and sent not in _JSON_SENT:
                self._media(req, JSON_TYPES)
            req._data = self.decode(req._body)

    async def check_streaming(self, req: Any) -> None:
        """`check` on a `stream=True` route: a form body is parsed as it
        arrives (large files spill to disk), then validated. (A JSON body is
        read whole before the handler: see `App._compile`.) Refused before
        its body is read, the request closes its connection."""
        try:
            self._check_head(req)
            arriving = self.form is not None and self._media(req, FORM_TYPES)
        except HTTPError as exc:
            exc._unread_body = True
            raise
        if arriving:
            await req.form
        if self.has_body and req._data is UNREAD:
            req._data = self.body_of(req)  # what `req.data` would do, without finding the contract again

    def _check_head(self, req: Any) -> None:
        if self.header_fields is not None:
            req.headers_data
        if self.query_fields is not None or self.hints is not None:
            req.query_data

    def headers_of(self, req: Any) -> Any:
        if self.header_fields is None:
            return None
        return self.header_fields.convert(req.headers)

    def query_of(self, req: Any) -> Any:
        query_string = req.querystring.encode("latin-1")
        if self.hints is not None:
            self.hints.check(query_string)
        if self.query_fields is None:
            return None
        return self.query_fields.convert(Form(_core.parse_query(query_string)))

    def body_of(self, req: Any) -> Any:
        """The validated body: a JSON `expects=` decoded from bytes, or a
        `form=` read from the parsed form. A body of another type is 415."""
        if self.form_fields is not None:
            kind = self._media(req, FORM_TYPES)
            form = req.form if kind else Form()
            if form is not None and not isinstance(form, Form):
                raise RuntimeError(f"{self.method} {self.route}: on a stream=True route the form is validated once it "
                                   "has arrived (after the BEFORE hooks): read req.data in the handler")
            return self.form_fields.convert(form)
        self._media(req, JSON_TYPES)
        return self.decode(req.body)

    def _media(self, req: Any, accepted: tuple[str, ...]) -> str:
        """The body's media type when it is one `accepted` (or any
        `application/*+json` for JSON); '' when none is sent (then JSON is
        assumed, as Heaven 2.4.3 did, and a form is empty). Anything else
        is 415."""
        sent = req._content_type  # read with the routing headers: req.headers is not built
        if sent is None:
            headers = req.headers
            if accepted is FORM_TYPES and (headers.get("content-length", "0") != "0" or "transfer-encoding" in headers):
                raise UnsupportedMediaType("a body without a Content-Type", accepted)
            return ""
        kind = _KINDS.get(sent)
        if kind is None:
            kind = parse_content_type(sent)[0]
            if len(_KINDS) < 256:  # clients send few distinct values; a flood of odd ones is not cached
                _KINDS[sent] = kind
        if kind in accepted or (accepted is JSON_TYPES and kind.startswith("application/") and kind.endswith("+json")):
            if accepted is JSON_TYPES and len(_JSON_SENT) < 256:
                _JSON_SENT.add(sent)
            return kind
        raise UnsupportedMediaType(kind or "an empty Content-Type", accepted)

    def _compile_input(self, where: str) -> None:
        rewriter = Rewriter(self.forbid_unknown, where)
        if self.partial:
            fields = top_fields(self.expects, where)
            spec = [(name, rewriter.rewrite(hint) | msgspec.UnsetType, msgspec.UNSET) for name, hint, _ in fields]
            self._partial_hints = {name: hint for name, hint, _ in fields}
            name = getattr(self.expects, "__name__", "Body")
            self.decode_type = msgspec.defstruct(f"{name}Patch", spec, forbid_unknown_fields=self.forbid_unknown)
        else:
            self.decode_type = rewriter.rewrite(self.expects)
        self._convert_back = rewriter.convert_back
        self._rebuild = rewriter.dataclasses
        self._checks = rewriter.checks
        self._decoder = _check_type(self.decode_type, where, "expects")
        if self.dot:
            try:
                self._dot_fields = frozenset(name for name, _, _ in top_fields(self.expects, where))
            except ContractError:
                self._dot_fields = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.method, self.subdomain, self.canonical)

    def at(self, route: str) -> Contract:
        """This contract for the same route served at another path (a mount
        with a prefix): the compiled types are shared."""
        moved = copy.copy(self)
        moved.route = route
        moved.canonical = _core.pattern_parts(route)[2]
        return moved

    def decode(self, body: bytes) -> Any:
        """The validated body: an instance of `expects` (a dict for a
        TypedDict; for a partial contract, a dict of the fields that were
        sent; with `dot=True`, dicts read as attributes too)."""
        if self._decoder is None:
            raise RuntimeError(f"{self.method} {self.route}: this contract declares no expects= type")
        try:
            value = self._decoder.decode(body)
        except msgspec.ValidationError as exc:
            raise ValidationFailed(*_split(exc)) from exc
        except msgspec.DecodeError as exc:
            if not body.strip():
                raise ValidationFailed("Expected a JSON body, got nothing", "$") from exc
            raise BodyNotJSON(f"the body is not valid JSON ({exc})") from exc
        except RecursionError as exc:
            raise BodyNotJSON("the JSON body is nested too deeply") from exc
        if self._as_decoded:
            return value
        if self._checks:
            verify(value, self.decode_type, "$")
        if self.partial:
            sent = {f: v for f in value.__struct_fields__ if (v := getattr(value, f)) is not msgspec.UNSET}
            if self._rebuild:
                sent = {f: msgspec.convert(plain(v), self._partial_hints[f]) for f, v in sent.items()}
            elif self._convert_back:
                sent = {f: plain(v) for f, v in sent.items()}
            return DotDict(sent, self._dot_fields) if self.dot else sent
        if self._rebuild:
            value = msgspec.convert(plain(value), self.expects)
        elif self._convert_back:
            value = plain(value)  # TypedDicts are dicts: the mirror's fields, as given
        if self.dot and isinstance(value, dict):
            return DotDict(value, self._dot_fields)
        return value

    def shape(self, res: Any) -> None:
        """Check a 2xx JSON-able response body against `returns`: with
        `protect`, send only what the contract lists; with `partial`, let it
        leave declared fields out. With neither, it is not checked."""
        if not (self.protect or self.output_partial):
            return
        body = res.body
        status = int(res.status)
        if body is None or isinstance(body, _SKIP_OUTPUT) or not 200 <= status < 300 or hasattr(body, "__aiter__"):
            return
        if type(body).__name__ in ("FileBody", "StreamBody"):
            return
        try:
            shaped = msgspec.convert(body, self.returns_type, from_attributes=True)
        except msgspec.ValidationError as exc:
            reason, path = _split(exc)
            if self.strict:
                raise ContractViolation(f"{self.method} {self.route}", reason, path) from exc
            logger.warning("%s %s: response does not match its contract: %s (at %s)", self.method, self.route, reason, path)
            return
        if self.protect:
            res.body = shaped


def _resolve_type(tp: Any, where: str) -> Any:
    """`expects='my.schemas.User'` (Heaven 2.4.3 accepts import strings)."""
    if isinstance(tp, str):
        from ._routing.callables import load_callable

        return load_callable(tp, where)
    return tp


def verify(value: Any, tp: Any, path: str) -> None:
    """The checks msgspec cannot make (`Checks` markers), over a decoded
    value and the type it was decoded as; raises ValidationFailed."""
    if value is msgspec.UNSET or value is None:
        return
    origin = get_origin(tp)
    if origin is Annotated:
        base, *metas = get_args(tp)
        for meta in metas:
            if isinstance(meta, Checks):
                _check(value, meta, path)
        verify(value, base, path)
    elif isinstance(tp, type) and issubclass(tp, msgspec.Struct) and isinstance(value, msgspec.Struct):
        for field in msgspec.structs.fields(tp):
            verify(getattr(value, field.name, msgspec.UNSET), field.type, f"{path}.{field.encode_name}")
    elif origin in (list, tuple, set, frozenset) and isinstance(value, (list, tuple, set, frozenset)):
        args = get_args(tp)
        for i, item in enumerate(value):
            item_tp = args[i] if origin is tuple and len(args) > i and args[-1] is not Ellipsis else (args[0] if args else Any)
            verify(item, item_tp, f"{path}[{i}]")
    elif origin is dict and isinstance(value, dict):
        args = get_args(tp)
        for key, item in value.items():
            verify(item, args[1] if len(args) == 2 else Any, f"{path}.{key}")
    elif origin in (Union, types.UnionType):
        for arm in get_args(tp):
            bare = get_args(arm)[0] if get_origin(arm) is Annotated else arm
            runtime = get_origin(bare) or bare
            if isinstance(runtime, type) and isinstance(value, runtime):
                verify(value, arm, path)
                return


def _check(value: Any, checks: Checks, path: str) -> None:
    if checks.unique and isinstance(value, (list, tuple)):
        seen: set[bytes] = set()
        for item in value:
            key = msgspec.json.encode(item, order="sorted")
            if key in seen:
                raise ValidationFailed("Expected distinct items, found a duplicate", path)
            seen.add(key)
    if checks.min_props is not None or checks.max_props is not None:
        count = len(value) if isinstance(value, dict) else sum(
            getattr(value, f) is not msgspec.UNSET for f in getattr(value, "__struct_fields__", ())
        )
        if checks.min_props is not None and count < checks.min_props:
            raise ValidationFailed(f"Expected at least {checks.min_props} properties, got {count}", path)
        if checks.max_props is not None and count > checks.max_props:
            raise ValidationFailed(f"Expected at most {checks.max_props} properties, got {count}", path)


class DotDict(dict[str, Any]):
    """`req.data` of a `dot=True` contract: a dict whose keys read as
    attributes too (`req.data.name`), nested dicts included. A declared
    field that was not sent reads None; any other missing name raises
    AttributeError (a typo is not a missing value)."""

    def __init__(self, data: Any = (), fields: frozenset[str] | None = None) -> None:
        super().__init__(data)
        object.__setattr__(self, "_fields", fields)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        if key in self:
            value = self[key]
            if isinstance(value, dict) and not isinstance(value, DotDict):
                value = self[key] = DotDict(value)
            return value
        fields = self.__dict__.get("_fields")
        if fields is not None and key in fields:
            return None
        raise AttributeError(f"{key!r} is not a field of this body")

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delattr__(self, key: str) -> None:
        try:
            del self[key]
        except KeyError:
            raise AttributeError(key) from None


def _check_type(tp: Any, where: str, role: str) -> msgspec.json.Decoder[Any]:
    """A decoder for `tp`. `msgspec.json.schema` refuses custom classes up
    front (the decoder would only fail on the first request), and a type it
    cannot describe could not be documented in OpenAPI either."""
    try:
        msgspec.json.schema(tp)
        return msgspec.json.Decoder(tp)
    except (TypeError, ValueError) as exc:
        raise ContractError(f"{where}: {role}={tp!r} is not a type msgspec can validate: {exc}") from None


class SchemaRegistry:
    """`app.schema`: declare the contract of a route (its handler is
    registered as usual, before or after)."""

    def __init__(self, app: Any, subdomain: str = DEFAULT_SUBDOMAIN, prefix: str = "") -> None:
        self._app = app
        self._subdomain = subdomain
        #: A group's prefix, joined to every route given here.
        self._prefix = prefix

    def add(self, method: str, route: str, expects: Any = None, returns: Any = None, *,
            subdomain: str | None = None, **options: Any) -> Contract:
        """Declare the contract of `method route` (Heaven 2.4.3's general form)."""
        contract = Contract(method.upper(), join(self._prefix, route), subdomain or self._subdomain, expects=expects, returns=returns,
                            app=self._app, **options)
        self._app._add_contract(contract, 0)
        return contract

    def GET(self, route: str, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self.add("GET", route, returns=returns, subdomain=subdomain, **options)

    def POST(self, route: str, expects: Any = None, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self.add("POST", route, expects, returns, subdomain=subdomain, **options)

    def PUT(self, route: str, expects: Any = None, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self.add("PUT", route, expects, returns, subdomain=subdomain, **options)

    def PATCH(self, route: str, expects: Any = None, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self.add("PATCH", route, expects, returns, subdomain=subdomain, **options)

    def DELETE(self, route: str, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self.add("DELETE", route, returns=returns, subdomain=subdomain, **options)


class Pytastic:
    """Heaven 2.4.3 re-exported pytastic's validator as `heaven.Pytastic`.
    This one validates with heaven's contract compiler (msgspec), the same
    schemas and constraint strings `app.schema` takes:

        Pytastic().validate(User, {"name": "Ada"})    # the dict, or ValidationError

    `strip=True` drops keys the schema does not declare (else they are
    kept), `partial=True` lets declared fields be missing, `dot=True`
    returns a `DotDict`. pytastic's own extension points (`factory`,
    `setter`, `use`, ...) are not provided."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[Any, bool], tuple[Any, bool, bool]] = {}

    def _type(self, schema: Any, partial: bool) -> tuple[Any, bool, bool]:
        key = (schema, partial)
        if key not in self._compiled:
            rewriter = Rewriter(False, f"Pytastic {getattr(schema, '__name__', schema)!r}", partial=partial)
            self._compiled[key] = (rewriter.rewrite(schema), rewriter.dataclasses, rewriter.checks)
        return self._compiled[key]

    def validate(self, schema: Any, data: Any, strip: bool = False, partial: bool = False, dot: bool = False,
                 context: Any = None) -> Any:
        tp, rebuild, checks = self._type(schema, partial)
        try:
            value = msgspec.convert(data, tp)
            if checks:
                verify(value, tp, "$")
            result = msgspec.convert(plain(value), schema) if rebuild else plain(value)
        except msgspec.ValidationError as exc:
            reason, path = _split(exc)
            raise ValidationError(f"{reason} at {path}", [{"path": path, "message": reason}]) from exc
        except ValidationFailed as exc:
            raise ValidationError(f"{exc.reason} at {exc.path}", [{"path": exc.path, "message": exc.reason}]) from exc
        if not strip and isinstance(result, dict) and isinstance(data, dict):
            result = {**result, **{k: v for k, v in data.items() if k not in result}}
        return DotDict(result) if dot and isinstance(result, dict) else result

    def patch(self, schema: Any, data: Any, dot: bool = False, context: Any = None) -> Any:
        """`validate` with every field optional: a partial update."""
        return self.validate(schema, data, partial=True, dot=dot)

    def schema(self, schema: Any) -> str:
        """The JSON Schema of `schema`, as JSON text."""
        tp, _, _ = self._type(schema, False)
        document = msgspec.json.schema(tp)
        ref = document.get("$ref", "")
        defs = document.get("$defs", {})
        if ref.startswith("#/$defs/") and ref[8:] in defs:
            # The schema itself at the top, its nested types under $defs.
            document = {**defs.pop(ref[8:]), **({"$defs": defs} if defs else {})}
        return msgspec.json.encode(document).decode()
