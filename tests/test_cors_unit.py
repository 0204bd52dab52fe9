"""`heaven.cors.CorsPolicy` on its own (docs/cors.md): options and their spellings,
configuration errors, and the headers preflights and actual responses get."""

import pytest

from heaven import _core
from heaven.cors import CorsPolicy

ORIGIN = "origin"
ACRM = "access-control-request-method"
ACRH = "access-control-request-headers"
VARY_ALL = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


class Req(dict):
    """Stand-in for the request header multi-map: case-insensitive `get`."""

    def get(self, name, default=None):
        return super().get(name.lower(), default)


def req(origin=None, method=None, request_headers=None):
    headers = Req()
    if origin is not None:
        headers[ORIGIN] = origin
    if method is not None:
        headers[ACRM] = method
    if request_headers is not None:
        headers[ACRH] = request_headers
    return headers


def as_dict(pairs):
    """Headers as {name: value} text, checking the wire form on the way."""
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names)), f"repeated header in {pairs}"
    for name, value in pairs:
        assert isinstance(name, bytes) and isinstance(value, bytes)
        assert name == name.lower()
        assert not any(c in name + value for c in b"\r\n\0")
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in pairs}


def preflight(policy, **request):
    result = policy.preflight(req(**request))
    if result is None:
        return None
    status, pairs = result
    return status, as_dict(pairs)


def actual(policy, origin=None):
    return as_dict(policy.response_headers(req(origin=origin)))


# -- option names ---------------------------------------------------------------

LISTED = ["https://a.com"]


@pytest.mark.parametrize(
    "options, attribute, expected",
    [
        ({"origin": LISTED}, "origins", ("https://a.com",)),
        ({"origins": LISTED}, "origins", ("https://a.com",)),
        ({"allow_origins": LISTED}, "origins", ("https://a.com",)),
        ({"allow_origin": LISTED}, "origins", ("https://a.com",)),
        ({"allowed_origins": LISTED}, "origins", ("https://a.com",)),
        ({"allowOrigins": LISTED}, "origins", ("https://a.com",)),
        ({"Origin": LISTED}, "origins", ("https://a.com",)),
        ({"access_control_allow_origin": LISTED}, "origins", ("https://a.com",)),
        ({"methods": ["PUT"]}, "methods", ("PUT",)),
        ({"method": ["PUT"]}, "methods", ("PUT",)),
        ({"allow_methods": ["PUT"]}, "methods", ("PUT",)),
        ({"allowed_methods": ["PUT"]}, "methods", ("PUT",)),
        ({"allowMethods": ["PUT"]}, "methods", ("PUT",)),
        ({"headers": ["X-T"]}, "headers", ("x-t", "accept", "accept-language", "content-language", "content-type")),
        ({"allow_headers": ["X-T"]}, "headers", ("x-t", "accept", "accept-language", "content-language", "content-type")),
        ({"allowed_headers": ["X-T"]}, "headers", ("x-t", "accept", "accept-language", "content-language", "content-type")),
        ({"allowHeaders": ["X-T"]}, "headers", ("x-t", "accept", "accept-language", "content-language", "content-type")),
        ({"expose_headers": ["X-Id"]}, "expose_headers", ("X-Id",)),
        ({"expose": ["X-Id"]}, "expose_headers", ("X-Id",)),
        ({"exposeHeaders": ["X-Id"]}, "expose_headers", ("X-Id",)),
        ({"exposed_headers": ["X-Id"]}, "expose_headers", ("X-Id",)),
        ({"access_control_expose_headers": ["X-Id"]}, "expose_headers", ("X-Id",)),
        ({"origin": LISTED, "credentials": True}, "credentials", True),
        ({"origin": LISTED, "allow_credentials": True}, "credentials", True),
        ({"origin": LISTED, "credential": True}, "credentials", True),
        ({"origin": LISTED, "allowCredentials": True}, "credentials", True),
        ({"max_age": 600}, "max_age", 600),
        ({"maxAge": 600}, "max_age", 600),
        ({"MaxAge": 600}, "max_age", 600),
        ({"access_control_max_age": 600}, "max_age", 600),
    ],
)
def test_every_spelling_sets_its_option(options, attribute, expected):
    assert getattr(CorsPolicy(**options), attribute) == expected


def test_defaults():
    policy = CorsPolicy()
    assert (policy.origins, policy.methods, policy.headers) == ("*", "*", "*")
    assert (policy.expose_headers, policy.credentials, policy.max_age) == ((), False, None)


def test_an_alias_overrides_a_keyword_left_at_its_default():
    # What a pass-through wrapper such as app.cors(origin='*', ..., **aliases) sends.
    policy = CorsPolicy(origin="*", methods="*", max_age=None, origins=LISTED, maxAge=5)
    assert policy.origins == ("https://a.com",) and policy.max_age == 5


@pytest.mark.parametrize("name", ["origins_list", "allow_origin_regex", "cache", "subdomains", "allowcors"])
def test_unknown_option_is_named_with_the_valid_ones(name):
    with pytest.raises(TypeError) as info:
        CorsPolicy(**{name: "x"})
    message = str(info.value)
    assert repr(name) in message
    assert "origin, methods, headers, expose_headers, credentials, max_age" in message


def test_regex_option_points_at_patterns():
    with pytest.raises(TypeError, match=r"https://\*\.example\.com"):
        CorsPolicy(allow_origin_regex=r"https://.*\.example\.com")


@pytest.mark.parametrize(
    "options",
    [
        {"origins": LISTED, "allow_origins": LISTED},
        {"origin": LISTED, "origins": LISTED},
        {"methods": ["GET"], "allow_methods": ["GET"]},
        {"headers": "X-A", "allowedHeaders": "X-A"},
        {"expose": "X-A", "exposeHeaders": "X-A"},
        {"expose_headers": "X-A", "expose": "X-A"},
        {"origin": LISTED, "credentials": True, "allow_credentials": True},
        {"max_age": 5, "maxAge": 5},
    ],
)
def test_one_option_twice_is_refused(options):
    with pytest.raises(TypeError, match="given twice"):
        CorsPolicy(**options)


# -- configuration errors -------------------------------------------------------


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"credentials": True}, "credentials=True cannot be used with origin='*'"),
        ({"credentials": True, "origin": ["*"]}, "credentials=True cannot be used"),
        ({"credentials": True, "origin": ["https://a.com", "*"]}, "credentials=True cannot be used"),
        ({"credentials": "yes", "origin": LISTED}, "True or False"),
        ({"credentials": 1, "origin": LISTED}, "True or False"),
        ({"origin": "https://a.com/"}, "'https://a.com'"),
        ({"origin": "https://a.com/api"}, "without a path or trailing slash"),
        ({"origin": "a.com"}, "scheme://host[:port]"),
        ({"origin": "https://"}, "scheme://host[:port]"),
        ({"origin": "https://a.com?x=1"}, "scheme://host[:port]"),
        ({"origin": "https://a.com."}, "scheme://host[:port]"),
        ({"origin": "https://user@a.com"}, "scheme://host[:port]"),
        ({"origin": "https://bücher.de"}, "xn--"),
        ({"origin": "https://a.com:99999"}, "invalid port"),
        ({"origin": "https://a.com:0"}, "invalid port"),
        ({"origin": "null"}, "'null' is refused"),
        ({"origin": []}, "no origins given"),
        ({"origin": ""}, "no origins given"),
        ({"origin": 42}, "a comma-separated string or a list"),
        ({"origin": [b"https://a.com"]}, "must be strings"),
        ({"origin": "https://a.com\r\nX-Evil: 1"}, "control character"),
        ({"origin": "https://*.com"}, "too broad"),
        ({"origin": "https://*"}, "scheme://host[:port]"),
        ({"origin": "https://*.[::1]"}, "too broad"),
        ({"origin": "https://*example.com"}, "scheme://host[:port]"),
        ({"origin": "https://a.*.example.com"}, "scheme://host[:port]"),
        ({"origin": "https://*.*.example.com"}, "scheme://host[:port]"),
        ({"origin": "*://example.com"}, "scheme://host[:port]"),
        ({"max_age": 0}, "positive whole number"),
        ({"max_age": -5}, "positive whole number"),
        ({"max_age": 1.5}, "positive whole number"),
        ({"max_age": "600"}, "positive whole number"),
        ({"max_age": True}, "positive whole number"),
        ({"headers": "X Token"}, "not a valid name"),
        ({"headers": ["ok", "bad:name"]}, "not a valid name"),
        ({"headers": "x-token\r\nSet-Cookie: a=b"}, "control character"),
        ({"headers": "x-é"}, "not a valid name"),
        ({"methods": "GE T"}, "not a valid name"),
        ({"methods": "GET\n"}, "control character"),
        ({"methods": {"GET": 1}}, "a comma-separated string or a list"),
        ({"expose_headers": "a b"}, "not a valid name"),
        ({"expose_headers": ["X-Id\r"]}, "control character"),
        ({"expose_headers": "*", "credentials": True, "origin": LISTED}, "list the headers to expose"),
    ],
)
def test_configuration_errors(options, fragment):
    with pytest.raises(ValueError) as info:
        CorsPolicy(**options)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "given, normalized",
    [
        ("HTTPS://Example.COM", "https://example.com"),
        ("https://example.com:443", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("http://example.com:443", "http://example.com:443"),
        ("https://example.com:8443", "https://example.com:8443"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://xn--bcher-kva.de", "https://xn--bcher-kva.de"),
        ("  https://a.com  ", "https://a.com"),
        ("https://*.Example.com", "https://*.example.com"),
        ("http://*.localhost:8000", "http://*.localhost:8000"),
    ],
)
def test_origins_are_normalized_as_browsers_send_them(given, normalized):
    assert CorsPolicy(origin=given).origins == (normalized,)


def test_comma_separated_strings_and_lists_are_equivalent():
    a = CorsPolicy(origin="https://a.com, https://b.com", methods="get, put", headers="X-A,x-b,")
    b = CorsPolicy(origin=["https://a.com", "https://b.com"], methods=["GET", "PUT"], headers=["x-a", "X-B"])
    assert (a.origins, a.methods, a.headers) == (b.origins, b.methods, b.headers)
    assert a.methods == ("GET", "PUT")


@pytest.mark.parametrize("value", ["*", ["*"], ("*",), ["X", "*"], "X, *"])
def test_a_star_anywhere_means_any(value):
    assert CorsPolicy(methods=value).methods == "*"
    assert CorsPolicy(headers=value).headers == "*"
    assert CorsPolicy(expose_headers=value).expose_headers == "*"


@pytest.mark.parametrize("value", ["*", ["*"], ["https://a.com", "*"], "https://a.com, *"])
def test_a_star_among_origins_means_any(value):
    assert CorsPolicy(origin=value).origins == "*"


# -- any origin -----------------------------------------------------------------


@pytest.mark.parametrize("origin", ["https://a.com", "http://anything:1234", "null", None])
def test_any_origin_gets_a_static_star(origin):
    assert actual(CorsPolicy(), origin) == {"access-control-allow-origin": "*"}


def test_any_origin_preflight():
    status, headers = preflight(CorsPolicy(), origin="https://a.com", method="DELETE", request_headers="X-A")
    assert status == 204
    assert headers == {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "*",
        "access-control-allow-headers": "x-a",
        "vary": "Access-Control-Request-Headers",
    }


# -- listed origins -------------------------------------------------------------


def test_listed_origins_are_reflected_and_others_refused():
    policy = CorsPolicy(origin=["https://a.com", "http://localhost:3000"])
    assert actual(policy, "https://a.com") == {"access-control-allow-origin": "https://a.com", "vary": "Origin"}
    assert actual(policy, "http://localhost:3000")["access-control-allow-origin"] == "http://localhost:3000"
    for other in ["https://b.com", "http://a.com", "https://a.com:8443", "https://a.com.evil.com", "null", ""]:
        assert actual(policy, other) == {"vary": "Origin"}, other
    assert actual(policy, None) == {"vary": "Origin"}


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://x.example.com", True),
        ("https://api-2.example.com", True),
        ("https://API.Example.com", True),
        ("https://example.com", False),
        ("https://evil-example.com", False),
        ("https://xexample.com", False),
        ("https://a.b.example.com", False),
        ("http://x.example.com", False),
        ("https://x.example.com:8443", False),
        ("https://x.example.com.evil.com", False),
        ("https://-x.example.com", False),
        ("https://.example.com", False),
        ("https://x.example.com/", False),
        ("https://x_y.example.com", False),
    ],
)
def test_a_pattern_matches_exactly_one_label(origin, allowed):
    policy = CorsPolicy(origin=["https://*.example.com", "https://other.org"])
    headers = actual(policy, origin)
    if allowed:
        assert headers == {"access-control-allow-origin": origin.lower(), "vary": "Origin"}
    else:
        assert headers == {"vary": "Origin"}


def test_a_pattern_with_a_port_needs_that_port():
    policy = CorsPolicy(origin="http://*.localhost:8000")
    assert "access-control-allow-origin" in actual(policy, "http://api.localhost:8000")
    assert "access-control-allow-origin" not in actual(policy, "http://api.localhost:8001")
    assert "access-control-allow-origin" not in actual(policy, "http://api.localhost")


# -- credentials, expose, max_age ------------------------------------------------


def test_credentials_reflect_and_say_true():
    policy = CorsPolicy(origin=LISTED, credentials=True, expose_headers=["X-Id", "X-Total"])
    assert actual(policy, "https://a.com") == {
        "access-control-allow-origin": "https://a.com",
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "X-Id, X-Total",
        "vary": "Origin",
    }
    assert actual(policy, "https://b.com") == {"vary": "Origin"}
    status, headers = preflight(policy, origin="https://a.com", method="PUT", request_headers="Authorization")
    assert status == 204
    assert headers == {
        "access-control-allow-origin": "https://a.com",
        "access-control-allow-methods": "PUT",  # '*' is literal with credentials: reflected
        "access-control-allow-headers": "authorization",
        "access-control-allow-credentials": "true",
        "vary": VARY_ALL,
    }


@pytest.mark.parametrize("expose, sent", [(None, None), ([], None), ("*", "*"), ("X-A, X-B", "X-A, X-B")])
def test_expose_headers(expose, sent):
    headers = actual(CorsPolicy(expose_headers=expose), "https://a.com")
    assert headers.get("access-control-expose-headers") == sent


def test_expose_headers_are_not_sent_on_preflights():
    status, headers = preflight(CorsPolicy(expose="X-A"), origin="https://a.com", method="PUT")
    assert status == 204 and "access-control-expose-headers" not in headers


def test_max_age_is_sent_on_preflights_only():
    policy = CorsPolicy(max_age=600)
    assert preflight(policy, origin="https://a.com", method="PUT")[1]["access-control-max-age"] == "600"
    assert "access-control-max-age" not in actual(policy, "https://a.com")
    assert "access-control-max-age" not in preflight(CorsPolicy(), origin="https://a.com", method="PUT")[1]


# -- preflights ------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_headers",
    [
        {"origin": None, "method": "PUT"},
        {"origin": "https://a.com", "method": None},
        {"origin": None, "method": None, "request_headers": "X-A"},
    ],
)
def test_not_a_preflight_is_none(request_headers):
    assert preflight(CorsPolicy(origin=LISTED), **request_headers) is None
    assert preflight(CorsPolicy(), **request_headers) is None


RESTRICTED = {"origin": LISTED, "methods": ["GET", "PUT", "PATCH"], "headers": ["X-Token"]}


@pytest.mark.parametrize(
    "method, request_headers, status",
    [
        ("PUT", None, 204),
        ("GET", "", 204),
        ("put", None, 204),
        ("PUT", "X-Token", 204),
        ("PUT", "x-token, CONTENT-TYPE", 204),
        ("PUT", " x-token ,accept,, ", 204),
        ("PUT", "Accept-Language, Content-Language", 204),
        ("DELETE", None, 403),
        ("POST", None, 403),
        ("delete", "X-Token", 403),
        ("PUT", "X-Other", 403),
        ("PUT", "X-Token, X-Other", 403),
        ("PUT", "Authorization", 403),
        ("PUT", "x token", 403),
        ("PUT", "x-token\r\nx: y", 403),
        ("", None, 403),
        ("GE T", None, 403),
    ],
)
def test_preflight_checks_method_and_headers(method, request_headers, status):
    result = preflight(CorsPolicy(**RESTRICTED), origin="https://a.com", method=method, request_headers=request_headers)
    assert result[0] == status
    if status == 403:
        assert result[1] == {"vary": VARY_ALL}
    else:
        assert result[1]["access-control-allow-origin"] == "https://a.com"
        assert result[1]["access-control-allow-headers"] == (
            "x-token, accept, accept-language, content-language, content-type"
        )
        assert result[1]["vary"] == VARY_ALL


def test_preflight_from_a_refused_origin_gets_only_vary():
    assert preflight(CorsPolicy(**RESTRICTED), origin="https://b.com", method="PUT") == (403, {"vary": VARY_ALL})


@pytest.mark.parametrize(
    "asked, allow_methods",
    [
        ("PUT", "GET, PUT, PATCH"),
        ("PATCH", "GET, PUT, PATCH"),
        # fetch() leaves 'patch' in lower case and browsers compare case-sensitively.
        ("patch", "GET, PUT, PATCH, patch"),
    ],
)
def test_allow_methods_names_the_method_as_asked(asked, allow_methods):
    status, headers = preflight(CorsPolicy(**RESTRICTED), origin="https://a.com", method=asked)
    assert status == 204 and headers["access-control-allow-methods"] == allow_methods


def test_any_headers_are_reflected_lower_cased_and_deduplicated():
    status, headers = preflight(
        CorsPolicy(origin=LISTED), origin="https://a.com", method="PUT", request_headers="X-A, authorization, x-a"
    )
    assert status == 204 and headers["access-control-allow-headers"] == "x-a, authorization"
    status, headers = preflight(CorsPolicy(origin=LISTED), origin="https://a.com", method="PUT")
    assert status == 204 and "access-control-allow-headers" not in headers


def test_origin_matching_is_case_insensitive_in_preflights():
    status, headers = preflight(CorsPolicy(**RESTRICTED), origin="HTTPS://A.COM", method="put")
    assert status == 204 and headers["access-control-allow-origin"] == "https://a.com"


# -- Vary ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, preflight_vary, actual_vary, no_origin_vary",
    [
        ({}, "Access-Control-Request-Headers", None, None),
        ({"methods": ["PUT"]}, "Access-Control-Request-Method, Access-Control-Request-Headers", None, None),
        ({"origin": LISTED}, "Origin, Access-Control-Request-Headers", "Origin", "Origin"),
        ({"origin": LISTED, "methods": "PUT"}, VARY_ALL, "Origin", "Origin"),
        ({"origin": LISTED, "credentials": True}, VARY_ALL, "Origin", "Origin"),
        ({"origin": "https://*.a.com"}, "Origin, Access-Control-Request-Headers", "Origin", "Origin"),
    ],
)
def test_vary_names_what_the_answer_depends_on(options, preflight_vary, actual_vary, no_origin_vary):
    policy = CorsPolicy(**options)
    allowed = "https://a.com" if policy.origins != ("https://*.a.com",) else "https://x.a.com"
    assert preflight(policy, origin=allowed, method="PUT")[1]["vary"] == preflight_vary
    assert preflight(policy, origin=allowed, method="TRACE", request_headers="bad header")[1]["vary"] == preflight_vary
    assert actual(policy, allowed).get("vary") == actual_vary
    assert actual(policy, "https://refused.org").get("vary") == actual_vary
    assert actual(policy, None).get("vary") == no_origin_vary


# -- wire form -------------------------------------------------------------------


HOSTILE = ["https://a.com\r\nX-Evil: 1", "https://a.com\n", "\x00", "https://é.com", " https://a.com", "*", ","]


@pytest.mark.parametrize(
    "options",
    [{}, {"origin": LISTED, "credentials": True, "max_age": 60, "expose": "X-A"}, RESTRICTED, {"origin": "https://*.a.com"}],
)
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_request_headers_never_reach_the_answer(options, value):
    policy = CorsPolicy(**options)
    for request in [
        req(origin=value),
        req(origin=value, method=value),
        req(origin="https://a.com", method=value, request_headers=value),
        req(origin="https://x.a.com", method="PUT", request_headers=value),
    ]:
        as_dict(policy.response_headers(request))
        result = policy.preflight(request)
        if result is not None:
            for _, header_value in result[1]:
                assert b"evil" not in header_value.lower() and b"\xe9" not in header_value


def test_each_call_returns_a_new_list():
    for policy, origin in [(CorsPolicy(), "https://a.com"), (CorsPolicy(origin=LISTED), "https://a.com")]:
        first = policy.response_headers(req(origin=origin))
        first.append((b"x", b"y"))
        assert policy.response_headers(req(origin=origin)) != first
        status, pairs = policy.preflight(req(origin="https://a.com", method="PATCH"))
        pairs.clear()
        assert policy.preflight(req(origin="https://a.com", method="PATCH"))[1]


def test_works_with_the_real_request_headers():
    routes = _core.Routes()
    routes.add_routes(["OPTIONS"], "www", "/")
    scope = {
        "type": "http", "method": "OPTIONS", "path": "/", "raw_path": b"/", "query_string": b"",
        "headers": [(b"Origin", b"https://a.com"), (b"Access-Control-Request-Method", b"PUT"),
                    (b"Access-Control-Request-Headers", b"X-Token")],
    }
    headers = routes.compile([None]).route(scope).headers
    policy = CorsPolicy(**RESTRICTED)
    status, pairs = policy.preflight(headers)
    assert status == 204 and as_dict(pairs)["access-control-allow-origin"] == "https://a.com"
    assert as_dict(policy.response_headers(headers))["access-control-allow-origin"] == "https://a.com"


def test_repr_shows_the_normalized_policy():
    policy = CorsPolicy(origins="HTTPS://A.com", methods="get", maxAge=5)
    assert repr(policy) == (
        "CorsPolicy(origin=('https://a.com',), methods=('GET',), headers='*', expose_headers=(), "
        "credentials=False, max_age=5)"
    )
