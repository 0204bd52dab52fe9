"""The native module directly: the one-call contract of docs/architecture.md."""

import pytest

from heaven import _core
from heaven.errors import BadRequest, UrlError


def scope(path=b"/", method="GET", headers=None, query=b""):
    return {
        "type": "http",
        "method": method,
        "path": path.decode("latin-1"),
        "raw_path": path,
        "query_string": query,
        "headers": headers or [],
    }


def test_one_call_returns_entry_params_and_route():
    routes = _core.Routes()
    assert routes.add_routes(["GET"], "www", "/a/:x:int/*") == [0]
    assert routes.add_routes(["POST", "PUT"], "www", "/a") == [1, 2]
    routes.add_hook("before", "www", "/*", None, 7)
    routes.add_hook("after", "www", "/a", ["PUT"], 8)
    routes.add_hook("around", None, "/a", ["POST"], 9)
    assert routes.chains() == [((7,), (), ()), ((7,), (), (9,)), ((7,), (8,), ())]
    matcher = routes.compile(["get-entry", "post-entry", "put-entry"])
    head = matcher.route(scope(b"/a/5/rest/of/it"))
    assert head._status == 0
    assert head._entry == "get-entry"
    assert head.params == {"x": 5, "*": "rest/of/it"}
    assert head._route == "/a/:x:int/*"
    miss = matcher.route(scope(b"/a", method="GET"))
    assert (miss._status, miss._entry, miss._allow) == (405, None, "POST, PUT")
    assert matcher.route(scope(b"/zzz"))._status == 404
    bad = matcher.route(scope(b"/%zz"))
    assert (bad._status, bad._error) == (400, "Bad Request: malformed percent-encoding")


def test_compile_checks_entry_count():
    routes = _core.Routes()
    routes.add_routes(["GET"], "www", "/")
    with pytest.raises(ValueError, match="needs 1 entries"):
        routes.compile([])


def test_hook_kind_is_checked():
    with pytest.raises(ValueError, match="'before', 'after' or 'around'"):
        _core.Routes().add_hook("wrap", "www", "/*", None, 0)


def test_headers_multidict():
    routes = _core.Routes()
    routes.add_routes(["GET"], "www", "/")
    head = routes.compile([None]).route(scope(headers=[(b"X-A", b"1"), (b"x-a", b"2"), (b"b", b"\xe9")]))
    h = head.headers
    assert h["x-a"] == "1" and h.getlist("X-A") == ["1", "2"]
    assert h["b"] == "é"  # latin-1
    assert len(h) == 2 and list(h) == ["x-a", "b"] and h.keys() == ["x-a", "b"]
    assert h.items() == [("x-a", "1"), ("b", "é")]
    assert h.multi_items() == [("x-a", "1"), ("x-a", "2"), ("b", "é")]
    assert h == {"x-a": "1", "b": "é"}
    assert repr(h) == "Headers({'x-a': '1', 'b': 'é'})"
    assert 3 not in h
    with pytest.raises(KeyError):
        h["missing"]


def test_queries_multidict_and_bad_encoding():
    routes = _core.Routes()
    routes.add_routes(["GET"], "www", "/?n:int")
    matcher = routes.compile([None])
    q = matcher.route(scope(query=b"n=1&n=x&s=a+b")).queries
    assert q["n"] == [1, "x"] and q.getlist("s") == ["a b"] and q.to_dict() == {"n": [1, "x"], "s": "a b"}
    with pytest.raises(BadRequest):
        matcher.route(scope(query=b"x=%zz")).queries


def test_helpers():
    assert _core.parse_query(b"a=1&b") == [("a", "1"), ("b", "")]
    assert _core.subdomain_of("Api.Example.com:80") == "api"
    with pytest.raises(UrlError):
        _core.Routes().add_routes(["GET"], "www", "nope")


def test_stub_file_matches_the_module():
    """The names in _core.pyi and in the compiled module agree (a light stubtest)."""
    import ast
    from pathlib import Path

    stub = ast.parse((Path(_core.__file__).parent / "_core.pyi").read_text())
    declared = {}
    for node in stub.body:
        if isinstance(node, ast.ClassDef):
            declared[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        elif isinstance(node, ast.FunctionDef):
            declared[node.name] = None
    public = {n for n in dir(_core) if not n.startswith("_")}
    assert public == {n for n in declared if not n.startswith("_")}
    assert all(hasattr(_core, n) for n in declared)  # the private ones too
    for name, members in declared.items():
        if members is None:
            continue
        cls = getattr(_core, name)
        for member in members - {"__init__"}:
            assert hasattr(cls, member), f"{name}.{member} is in the stub but not the module"
        actual = {m for m in vars(cls) if not m.startswith("_")}
        assert actual <= members, f"{name}: undocumented {actual - members}"


def test_content_length_is_dropped_beside_chunked_encoding():
    routes = _core.Routes()
    routes.add_routes(["POST"], "www", "/")
    matcher = routes.compile([None])
    plain = matcher.route(scope(method="POST", headers=[(b"content-length", b"12")]))
    assert (plain._content_length, plain._has_body) == (12, True)
    both = matcher.route(
        scope(method="POST", headers=[(b"content-length", b"12"), (b"transfer-encoding", b"chunked")])
    )
    assert (both._content_length, both._has_body) == (None, True)


def test_body_facts_and_content_type_come_with_the_routing_headers():
    """What the lifecycle and a contract's 415 check read without building
    `headers`: entry, head_only, has_body, and the body's Content-Type."""
    from heaven._testing.rsgi import RSGIScope

    routes = _core.Routes()
    routes.add_routes(["GET", "POST"], "www", "/a")
    matcher = routes.compile(["get", "post"])
    sent = [(b"Content-Type", b"application/json; charset=utf-8"), (b"content-length", b"2")]
    posted = matcher.route(scope(b"/a", method="POST", headers=sent))
    assert (posted._entry, posted._head_only, posted._has_body) == ("post", False, True)
    assert posted._content_type == "application/json; charset=utf-8"
    head = matcher.route(scope(b"/a", method="HEAD"))
    assert (head._entry, head._head_only, head._has_body, head._content_type) == ("get", True, False, None)
    # RSGI: read from granian's headers map, and only when a body may follow.
    rsgi = RSGIScope("POST", "/a", "", [("content-type", "text/csv"), ("content-length", "3")])
    assert matcher.route(rsgi)._content_type == "text/csv"
    empty = RSGIScope("POST", "/a", "", [("content-type", "text/csv"), ("content-length", "0")])
    assert matcher.route(empty)._content_type is None
