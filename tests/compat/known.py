"""The differences between heaven and Heaven 2.4.3 that docs/compatibility.md
lists as better or deliberate, each with the check that recognises it.

A difference the suite finds must be recognised by one of these, or the
build fails; an entry that recognises nothing in a run fails it too, so
this table and the page stay exactly the list of what differs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

from compare import Diff
from models import greedy_match, spec_match


@dataclass(frozen=True)
class Known:
    tag: str
    why: str
    check: Callable[[Diff], bool]

    def matches(self, diff: Diff) -> bool:
        """Whether this explains `diff` (a check that does not apply to the
        diff's shape, say a payload that is not JSON, does not explain it)."""
        try:
            return bool(self.check(diff))
        except (KeyError, TypeError, IndexError, AttributeError):
            return False


def _where(prefix: str) -> Callable[[Diff], bool]:
    return lambda d: d.where.startswith(prefix)


def _header(name: str) -> Callable[[Diff], bool]:
    return lambda d: d.what == f"header {name}"


def _new_body(d: Diff) -> bytes:
    body = d.context.get("new", {}).get("body", {})
    return body.get("text", "").encode() if "text" in body else b""


def _old_status(d: Diff) -> int | None:
    return d.context.get("old", {}).get("status")


def _new_status(d: Diff) -> int | None:
    return d.context.get("new", {}).get("status")


def _request(where: str, old_status: int | None, new_status: int | None) -> Callable[[Diff], bool]:
    """Every field of one request whose statuses differ as given: the whole
    answer is the difference (its body, type and length follow the status)."""
    return lambda d: d.where == where and _old_status(d) == old_status and _new_status(d) == new_status


def _cookie(value: str) -> tuple[str, frozenset[str]]:
    pair, *attributes = [part.strip() for part in value.split(";")]
    return pair, frozenset(a.lower() for a in attributes if a)


def _cookie_defaults(d: Diff) -> bool:
    """Same cookies once heaven's default `Path=/` and `SameSite=Lax` are
    set aside (attribute order does not matter)."""
    if d.what != "header set-cookie" or not d.old or not d.new or len(d.old) != len(d.new):
        return False
    for old, new in zip(d.old, d.new):
        (old_pair, old_attrs), (new_pair, new_attrs) = _cookie(old), _cookie(new)
        extra = new_attrs - old_attrs
        if old_pair != new_pair or not old_attrs <= new_attrs or not extra <= {"path=/", "samesite=lax"}:
            return False
    return True


def _json_error(d: Diff) -> bool:
    try:
        body = json.loads(_new_body(d))
    except ValueError:
        return False
    return isinstance(body, dict) and "error" in body and "path" in body


_CORS = re.compile(r"header (access-control-[a-z-]+|vary)$")

APP_DIFFERENCES = [
    Known("K-wire-length", "heaven declares the length of a whole body (a HEAD answer, the GET body's); 2.4.3 leaves it to the server",
          lambda d: d.what == "header content-length" and d.old is None and (
              d.context["request"].get("method") == "HEAD" or d.new == [str(len(_new_body(d)))])),
    Known("K-wire-text-type", "text bodies are labelled text/plain; charset=utf-8 (2.4.3 sends no type)",
          lambda d: d.what == "header content-type" and d.old is None and d.new == ["text/plain; charset=utf-8"]),
    Known("K-wire-file", "files carry validators and ranges, and text types their charset",
          lambda d: d.where.startswith("files:") and (
              d.what in ("header accept-ranges", "header etag", "header last-modified", "header content-length")
              and d.old is None
              or d.what == "header content-type" and d.new == [f"{d.old[0]}; charset=utf-8"])),
    Known("K-wire-chunked", "heaven leaves framing and connection headers to the server",
          lambda d: d.what in ("header transfer-encoding", "header connection") and d.new is None
          and d.old in (["chunked"], ["keep-alive"])),
    Known("K-500-handler-headers", "an unhandled error keeps the headers BEFORE hooks set, not those of the handler that failed",
          lambda d: d.where == "errors: GET /boom" and d.what == "header x-before" and d.new is None),
    Known("K-none-body", "a None body is sent as empty; 2.4.3 puts None in the ASGI message",
          lambda d: d.what == "body" and d.old == {"invalid": ["NoneType"]} and d.new == {"text": ""}),
    Known("K-cookie-defaults", "cookies get Path=/ and SameSite=Lax unless given", _cookie_defaults),
    Known("K-return-body", "a handler's return value is its body; 2.4.3 discarded it",
          lambda d: d.where.endswith("GET /returned") and d.what in ("body", "payload", "header content-type", "header content-length")),
    Known("K-json-400", "a body that is not JSON is a 400, not a 500",
          lambda d: _old_status(d) == 500 and _new_status(d) == 400
          and _new_body(d).startswith(b"Bad Request: malformed JSON")
          and d.what in ("status", "body", "header content-type", "header content-length")),
    Known("K-schema-422-json", "the 422 body is JSON naming the failing path",
          lambda d: _old_status(d) == 422 and _new_status(d) == 422 and _json_error(d)
          and (d.what == "body" or d.what == "header content-type" and d.new == ["application/json"])),
    Known("K-schema-500-json", "the output-validation 500 body is JSON",
          lambda d: _old_status(d) == 500 and _new_status(d) == 500
          and _new_body(d).startswith(b'{"error":"the response does not match its contract"')
          and (d.what == "body" or d.what == "header content-type" and d.new == ["application/json"])),
    Known("K-schema-int", "an int field refuses a number with a fraction (36.0)",
          lambda d: d.where.endswith("float age") and _new_status(d) == 422),
    Known("K-schema-unknown-kept", "undeclared body fields are accepted but not kept in req.data",
          lambda d: d.what == "body.data" and isinstance(d.old, dict) and isinstance(d.new, dict)
          and set(d.new) < set(d.old) and all(d.old[k] == v for k, v in d.new.items())),
    Known("K-schema-2xx", "only 2xx response bodies are checked against `returns`",
          _request("schema_edges: GET /missing", 500, 404)),
    Known("K-schema-415", "a body of another Content-Type than a JSON contract reads is a 415, not decoded",
          _request("schema_failures: POST /echo form body", 500, 415)),
    Known("K-schema-hints", "on a route with a contract, a typed query hint that does not convert is a 422",
          _request("schema_failures: GET /page bad hint", 500, 422)),
    Known("K-schema-twice", "a second contract for one route raises at registration",
          lambda d: d.area == "app" and d.where == "schema_twice" and d.what == "build" and d.new[0] == "ValueError"),
    Known("K-form-400", "a malformed form is a 400, not a 500",
          lambda d: _old_status(d) == 500 and _new_status(d) == 400 and _new_body(d).startswith(b"Bad Request: multipart")),
    Known("K-sse-lines", "an SSE item with newlines is framed as one data line per line",
          lambda d: d.where == "stream_edges: GET /sse" and d.what == "body"),
    Known("K-startup-fails", "a failing startup callback fails the startup",
          lambda d: d.area == "app" and d.what == "lifespan" and d.old[0] == "lifespan.startup.complete"
          and d.new[0] == "lifespan.startup.failed"),
    Known("K-max-body-default", "max_body_size is 10 MiB unless set (SPEC §2); 2.4.3 has no limit by default",
          _request("state_edges: POST /upload 11 MiB", 200, 413)),
    Known("K-unkeep-missing", "app.unkeep of a missing key gives None", _request("state_edges: GET /unkeep", 500, 200)),
    Known("K-body-kept", "res.body keeps what was assigned until it is sent",
          lambda d: d.what == "header x-body-type" and (d.old, d.new) == (["bytes"], ["str"])),
    Known("K-earth-wire", "earth's res is what went on the wire (its content type included)",
          lambda d: d.area == "earth" and d.what == "typed" and (d.old, d.new) == (False, True)),
    Known("K-cors-expose", "Access-Control-Expose-Headers only when expose_headers is given",
          lambda d: d.what == "header access-control-expose-headers" and d.old == ["*"] and d.new is None),
    Known("K-cors-actual", "preflight headers only on preflights; no Allow-Origin (not `null`) for other origins",
          lambda d: d.where.startswith(("cors_lists:", "mounting_cors: child route")) and "preflight" not in d.where
          and bool(_CORS.match(d.what))),
    Known("K-cors-preflight", "preflights answer 204 with the headers they are asked about",
          lambda d: d.where.startswith("cors_lists: preflight") and (
              d.what == "status" and (d.old, d.new) == (200, 204) or bool(_CORS.match(d.what)))),
    Known("K-route-backtrack", "heaven backtracks to the parameter and wildcard branches",
          _request("fallthrough: GET /a/b/d", 404, 200)),
    Known("K-route-encoded-slash", "%2F stays inside its segment",
          lambda d: "%2F" in d.where and _old_status(d) == 404 and _new_status(d) == 200),
    Known("K-url-query", "req.url includes the query string",
          lambda d: d.what == "body.url" and isinstance(d.new, str) and "?" in d.new and d.new.split("?")[0] == d.old),
    Known("K-querystring-str", "req.querystring is str",
          lambda d: d.what == "body.querystring" and isinstance(d.old, str) and d.old == "b" + d.new),
    Known("K-headers-repeated", "req.headers.get() gives the first of repeated values (getlist gives all)",
          lambda d: d.what == "body.multi" and isinstance(d.old, list) and d.old[0] == d.new),
    Known("K-mounted", "req.mounted is the app a mounted route came from (2.4.3's setter drops it)",
          lambda d: d.what == "body.mounted" and (d.old, d.new) == (False, True)),
    Known("K-mount-app", "a mounted route sees the app it was registered on, not the first app mounted for its method",
          lambda d: d.where == "mounting: GET /shared" and d.what == "body.db" and d.old is None),
    Known("K-mount-cors", "a mounted app's CORS policy covers its own routes, not the parent's",
          lambda d: d.where == "mounting_cors: parent route" and bool(_CORS.match(d.what)) and d.new is None),
    Known("K-host-case", "hosts are lower-cased; api.localhost is api",
          lambda d: d.what == "body.subdomain" and (d.old == d.new.upper() or d.where.endswith("api.localhost"))),
    Known("K-earth-host", "earth sends a Host header (the subdomain's)",
          lambda d: d.area == "earth" and d.what == "payload" and d.old["json"]["host"] is None
          and {**d.old["json"], "host": None} == {**d.new["json"], "host": None}),
    Known("K-session-dict", "ctx.session reads and writes as a dict too; 2.4.3's Look has neither, so its own examples answer 500",
          lambda d: d.where.startswith("sessions:") and _old_status(d) == 500 and _new_status(d) == 401),
    Known("K-interpolate-context", "res.interpolate's templates see req and res as render's do",
          _request("templates: GET /mail", 500, 200)),
]


# -- routing ------------------------------------------------------------------------


def _empty_segments(path: str) -> bool:
    return "//" in path.partition("?")[0].strip("/")


def classify_route(routes: list[str], path: str, old: list, new: list) -> str | None:
    """The tag explaining why 2.4.3 (`old`) and heaven (`new`) answer `path`
    differently, or None when it is not a known difference. `old`/`new` are
    `[status, {"r", "p", "q"} or None, raised]`."""
    spec, greedy = spec_match(routes, path), greedy_match(routes, path)

    def answer(result):
        return [404, None, None] if result is None else [200, {"r": result[0], "p": result[1], "q": result[2]}, None]

    if new != answer(spec) or old != answer(greedy):
        return None
    if _empty_segments(path):
        squeezed = "/" + "/".join(s for s in path.partition("?")[0].split("/") if s)
        query = path.partition("?")[2]
        if answer(greedy_match(routes, squeezed + ("?" + query if query else ""))) == new:
            return "K-route-empty-segments"
    if old[0] == 200 and new[0] == 200 and old[1]["r"] == new[1]["r"]:
        o, n = old[1], new[1]
        unhinted = spec_match(routes, path, hints=False)
        if "*" in o["p"] and o["p"]["*"] == n["p"].get("*") and set(o["p"]) < set(n["p"]) and (
            o["q"] == n["q"] or unhinted is not None and o["q"] == unhinted[2]
        ):
            return "K-route-wildcard-params"
        if o["p"] == n["p"] and unhinted is not None and o["q"] == unhinted[2]:
            return "K-route-hints"
    return "K-route-backtrack"


ROUTING_TAGS = {
    "K-route-backtrack": "heaven backtracks to the parameter and wildcard branches (literal, parameter, wildcard at every segment)",
    "K-route-wildcard-params": "parameters before a trailing wildcard are captured",
    "K-route-empty-segments": "empty path segments (`//`) are insignificant",
    "K-route-hints": "query hints convert on every route (2.4.3 ignores them on `/` and where a wildcard took the path)",
}


# -- registration -------------------------------------------------------------------


def same_outcome(old, new) -> bool:
    """Both accepted, or both refused with the same error class (2.4.3's
    class is among heaven's: heaven's `UrlError` is also a `ValueError`)."""
    if old == "ok" or new == "ok":
        return old == new
    return old[0] in new


def _segments(pattern: str) -> list[str]:
    return pattern.partition("?")[0].split("/")[1:]


def _params(pattern: str) -> list[tuple[str, str]]:
    return [(s[1:].partition(":")[0], s[1:].partition(":")[2]) for s in _segments(pattern) if s.startswith(":")]


def classify_registration(pattern: str, kind: str, old, new) -> str | None:
    """The tag explaining a different outcome of registering `pattern` alone."""
    refused = new != "ok" and new[0] in ("UrlError", "SubdomainError")
    if not (old == "ok" and refused):
        return None
    path, _, hint = pattern.partition("?")
    segments = _segments(pattern)
    if kind == "BEFORE" and pattern.startswith("/"):
        return "K-reg-hook-checked"  # 2.4.3 checks a hook's pattern less than a route's
    names = [name for name, _ in _params(pattern)]
    if any(not name for name in names):
        return "K-reg-nameless"
    if len(set(names)) != len(names):
        return "K-reg-repeated-name"
    if any("*" in s and (s != "*" or i != len(segments) - 1) for i, s in enumerate(segments)):
        return "K-reg-misplaced-wildcard"
    if re.search(r"%(?![0-9A-Fa-f]{2})", path) or re.search(r"%[89A-Fa-f][0-9A-Fa-f]", path):
        return "K-reg-percent-literal"
    pairs = [p.partition(":")[0] for p in hint.split("&")]
    if len(set(pairs)) != len(pairs):
        return "K-reg-repeated-hint"
    return None


def classify_pair(first: str, second: str, old, new) -> str | None:
    """The tag explaining a different outcome of registering `second` after `first`."""
    if old[0] != "ok" or new[0] != "ok":
        return None
    old2, new2 = old[1], new[1]
    if old2 != "ok" and old2[0] == "AssertionError" and new2 != "ok" and new2[0] == "UrlDuplicateError":
        return "K-reg-assertion"
    if old2 != "ok" and old2[0] == "AssertionError" and new2 == "ok":
        kinds = {kind.lower() or "str" for _, kind in _params(first) + _params(second)}
        return "K-reg-typed-siblings" if len(kinds) > 1 else None
    if old2 == "ok" and new2 != "ok" and "//" in first.strip("/") + second.strip("/"):
        return "K-route-empty-segments"
    return None


REGISTRATION_TAGS = {
    "K-reg-nameless": "a nameless `:` is refused",
    "K-reg-repeated-name": "a parameter name used twice in a route is refused",
    "K-reg-misplaced-wildcard": "`*` elsewhere than a whole last segment is refused",
    "K-reg-percent-literal": "a literal's percent-escapes are decoded (broken ones refused)",
    "K-reg-repeated-hint": "a query hint declared twice is refused",
    "K-reg-hook-checked": "hook patterns are checked like route patterns",
    "K-reg-assertion": "conflicting routes raise UrlDuplicateError, not AssertionError",
    "K-reg-typed-siblings": "differently typed parameters at one position are both registered",
}


# Differences no request or registration can show (an API's shape, a
# secret's salt); each names the heaven test that pins heaven's side.
DOCUMENTED_ONLY = {
    "K-session-salt": "tests/compat/test_api.py::test_session_cookies_have_their_own_salt",
    "K-metadata": "tests/compat/test_api.py::test_res_metadata_is_kept_not_sent",
    "K-internals": "tests/compat/test_api.py::test_route_tree_classes_are_not_provided",
    "K-folders-checked": "tests/http/test_files.py::test_assets_route_option_and_validation",
    "K-cli-schema": "tests/compat/test_api.py::test_cli_spellings",
}


def all_tags() -> set[str]:
    return {k.tag for k in APP_DIFFERENCES} | set(ROUTING_TAGS) | set(REGISTRATION_TAGS) | set(DOCUMENTED_ONLY)
