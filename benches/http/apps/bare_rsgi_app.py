"""The RSGI floor: a raw RSGI app doing the minimum (the same three paths,
matched by hand, headers prebuilt, one `response_bytes` call)."""

PLAINTEXT = b"Hello, World!"
JSON = b'{"message":"Hello, World!"}'
TEXT = [("content-type", "text/plain; charset=utf-8")]
JSON_TYPE = [("content-type", "application/json")]


async def app(scope, proto):
    if scope.proto != "http":
        return
    path = scope.path
    if path == "/plaintext":
        proto.response_bytes(200, TEXT, PLAINTEXT)
        return
    if path == "/json":
        proto.response_bytes(200, JSON_TYPE, JSON)
        return
    parts = path.split("/")
    if len(parts) == 5 and parts[1] == "users" and parts[3] == "posts":
        try:
            user, post = int(parts[2]), int(parts[4])
        except ValueError:
            pass
        else:
            proto.response_bytes(200, JSON_TYPE, b'{"user":%d,"post":%d}' % (user, post))
            return
    proto.response_bytes(404, TEXT, b"Not Found")
