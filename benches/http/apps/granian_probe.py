"""Times, inside a granian worker, the reads of granian's own request
objects that heaven's request path makes and the bare apps skip (see
benches/http/granian_costs.py). `/plaintext` answers 200 (the readiness
poll); any other path answers the timings, as JSON, of the request it came
with. `app` is the ASGI app, `rsgi_app` the RSGI one."""

import json
import timeit

N = 50_000


def _timed(stmt, names):
    """Nanoseconds per run of `stmt` (with `names` as its globals), best
    of seven loops of `N`, less the loop itself (`pass`)."""

    def best(code):
        return min(timeit.Timer(code, globals=names).repeat(7, N)) / N * 1e9

    return max(best(stmt) - best("pass"), 0.0)


def rsgi_reads(scope):
    """The reads of an RSGI scope a plain GET costs heaven and the bare app."""
    names = {"scope": scope, "headers": scope.headers}
    reads = {
        name: _timed(name, names)
        for name in ("scope.proto", "scope.method", "scope.path", "scope.headers",
                     "'content-length' in headers", "headers.get('host')")
    }  # fmt: skip
    reads["same headers object twice"] = scope.headers is scope.headers
    return reads


def asgi_reads(scope):
    """The reads of an ASGI scope a plain GET costs heaven and the bare app."""
    names = {"scope": scope}
    reads = {name: _timed(name, names) for name in ("scope['type']", "scope['method']", "scope['raw_path']", "scope['headers']")}
    reads["scope is a dict"] = type(scope) is dict
    return reads


async def rsgi_app(scope, proto):
    if scope.proto != "http":
        return
    body = "ok" if scope.path == "/plaintext" else json.dumps(rsgi_reads(scope))
    proto.response_str(200, [("content-type", "application/json")], body)


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b"ok" if scope["path"] == "/plaintext" else json.dumps(asgi_reads(scope)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
