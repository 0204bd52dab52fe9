"""Typed contracts: `app.schema.POST('/users', expects=NewUser, returns=User)`.
The body is decoded and validated from bytes in one msgspec pass into
`req.data`; a failure is a 422 naming the failing location. `returns`
validates the response body and strips what the contract does not list."""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from . import _core
from ._types import Rewriter, plain, top_fields
from .errors import BodyNotJSON, ContractError, ContractViolation, ValidationFailed

logger = logging.getLogger("heaven")
_SKIP_OUTPUT = (bytes, bytearray, memoryview, str)
DEFAULT_SUBDOMAIN = "www"


def _split(error: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec says "Expected `int`, got `str` - at `$.address.zip`"."""
    text = str(error)
    reason, sep, where = text.rpartition(" - at `")
    if not sep:
        return text, "$"
    return reason, where.rstrip("`")


class Contract:
    """One route's contract, compiled at registration."""

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
        protect: bool = True,
        partial: bool | None = None,
        strict: bool = True,
    ) -> None:
        where = f"schema {method} {route!r}"
        self.method = method
        self.route = route
        self.subdomain = subdomain.lower()
        self.canonical = _core.pattern_parts(route)[2]
        self.expects = expects
        self.returns = returns
        self.summary = summary
        self.description = description
        self.group = group
        self.protect = protect
        self.partial = (method == "PATCH") if partial is None else bool(partial)
        self.strict = strict
        self._decoder: msgspec.json.Decoder | None = None
        self._convert_back = False
        self._partial_hints: dict[str, Any] = {}
        self.decode_type: Any = None
        self.returns_type: Any = None
        if expects is not None:
            self._compile_input(where)
        if returns is not None:
            self.returns_type = Rewriter(strict=False, where=where).rewrite(returns)
            _check_type(self.returns_type, where, "returns")

    def _compile_input(self, where: str) -> None:
        rewriter = Rewriter(self.strict, where)
        if self.partial:
            fields = top_fields(self.expects, where)
            spec = [(name, rewriter.rewrite(hint) | msgspec.UnsetType, msgspec.UNSET) for name, hint, _ in fields]
            self._partial_hints = {name: hint for name, hint, _ in fields}
            name = getattr(self.expects, "__name__", "Body")
            self.decode_type = msgspec.defstruct(f"{name}Patch", spec, forbid_unknown_fields=self.strict)
        else:
            self.decode_type = rewriter.rewrite(self.expects)
        self._convert_back = rewriter.convert_back
        self._decoder = _check_type(self.decode_type, where, "expects")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.method, self.subdomain, self.canonical)

    def decode(self, body: bytes) -> Any:
        """The validated body: an instance of `expects` (for a partial
        contract, a dict of the fields that were sent)."""
        if self._decoder is None:
            raise RuntimeError(f"{self.method} {self.route}: this contract declares no expects= type")
        try:
            value = self._decoder.decode(body)
        except msgspec.ValidationError as exc:
            raise ValidationFailed(*_split(exc)) from exc
        except msgspec.DecodeError as exc:
            raise BodyNotJSON(f"the body is not valid JSON ({exc})") from exc
        except RecursionError as exc:
            raise BodyNotJSON("the JSON body is nested too deeply") from exc
        if self.partial:
            sent = {f: v for f in value.__struct_fields__ if (v := getattr(value, f)) is not msgspec.UNSET}
            if self._convert_back:
                sent = {f: msgspec.convert(plain(v), self._partial_hints[f]) for f, v in sent.items()}
            return sent
        if self._convert_back:
            return msgspec.convert(plain(value), self.expects)
        return value

    def shape(self, res: Any) -> None:
        """Validate a 2xx JSON-able response body against `returns`; with
        `protect`, send only what the contract lists."""
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


def _check_type(tp: Any, where: str, role: str) -> msgspec.json.Decoder:
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

    def __init__(self, app: Any, subdomain: str = DEFAULT_SUBDOMAIN) -> None:
        self._app = app
        self._subdomain = subdomain

    def _declare(self, method: str, route: str, subdomain: str | None, **options: Any) -> Contract:
        contract = Contract(method, route, subdomain or self._subdomain, **options)
        self._app._add_contract(contract, 0)
        return contract

    def GET(self, route: str, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self._declare("GET", route, subdomain, returns=returns, **options)

    def POST(self, route: str, expects: Any = None, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self._declare("POST", route, subdomain, expects=expects, returns=returns, **options)

    def PUT(self, route: str, expects: Any = None, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self._declare("PUT", route, subdomain, expects=expects, returns=returns, **options)

    def PATCH(self, route: str, expects: Any = None, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self._declare("PATCH", route, subdomain, expects=expects, returns=returns, **options)

    def DELETE(self, route: str, returns: Any = None, *, subdomain: str | None = None, **options: Any) -> Contract:
        return self._declare("DELETE", route, subdomain, returns=returns, **options)
