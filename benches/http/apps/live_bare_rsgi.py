"""The RSGI floor of benches/http/live.py: a raw RSGI app doing the minimum.

- `/ws`: `proto.accept()`, then `send_str`/`send_bytes` of every message
  until the close message.
- `/events`: `proto.response_stream`, one `send_bytes` per event, framed by
  hand (`data: ` + msgspec JSON + a blank line); a write to a client that has
  gone raises, which ends the stream.
- `/plaintext`: the readiness check.
"""

import msgspec

from fanout import Hub

hub = Hub()
encode = msgspec.json.encode
TEXT = [("content-type", "text/plain; charset=utf-8")]
SSE = [("content-type", "text/event-stream"), ("cache-control", "no-cache")]


async def _echo(proto):
    transport = await proto.accept()
    while True:
        message = await transport.receive()
        if message.kind == 2:  # text
            await transport.send_str(message.data)
        elif message.kind == 1:  # bytes
            await transport.send_bytes(message.data)
        else:  # close
            return


async def app(scope, proto):
    if scope.proto == "ws":
        await _echo(proto)
        return
    if scope.proto != "http":
        return
    if scope.path == "/events":
        transport = proto.response_stream(200, SSE)
        async for event in hub.events():
            await transport.send_bytes(b"data: %s\n\n" % encode(event))
        return
    proto.response_bytes(200, TEXT, b"Hello, World!")
