"""Stand-ins for granian's RSGI objects, for serving an app in-process on
RSGI: the scope (attributes, a percent-decoded path, `RSGIHeaders`), the
HTTP protocol (`await proto()`, `async for chunk in proto`,
`client_disconnect()`, the `response_*` calls, stream transports) and the
websocket protocol. They behave as granian 2.8.7 does where heaven can
tell: header values must be `str`, only the first `response_*` call
counts, the body can be taken once, an iterated body ends with one empty
chunk (two on HTTP/2), a body that breaks off or a send to a gone client
raises granian's closed-protocol error."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator
from urllib.parse import unquote


def _closed_error() -> type[BaseException]:
    try:
        # granian.rsgi imports it under another name, which mypy's strict mode
        # does not count as exported; granian.rsgi is where granian documents it.
        from granian.rsgi import ProtocolClosed  # type: ignore[attr-defined]
    except ImportError:

        class ProtocolClosed(RuntimeError):  # type: ignore[no-redef]
            """granian's RSGIProtocolClosed, when granian is not installed."""

    return ProtocolClosed


def _protocol_error() -> type[BaseException]:
    try:
        from granian.rsgi import ProtocolError  # type: ignore[attr-defined]  # as ProtocolClosed above
    except ImportError:

        class ProtocolError(RuntimeError):  # type: ignore[no-redef]
            """granian's RSGIProtocolError, when granian is not installed."""

    return ProtocolError


class RSGIHeaders:
    """Request headers as granian hands them over: names lower-case,
    lookups case-insensitive, repeats kept by `items()` and `get_all()`."""

    __slots__ = ("_pairs",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = [(name.lower(), value) for name, value in pairs]

    def get(self, key: str, default: Any = None) -> Any:
        key = key.lower()
        return next((v for k, v in self._pairs if k == key), default)

    def get_all(self, key: str) -> list[str]:
        key = key.lower()
        return [v for k, v in self._pairs if k == key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and any(k == key.lower() for k, _ in self._pairs)

    def keys(self) -> list[str]:
        return list(dict.fromkeys(k for k, _ in self._pairs))

    def values(self) -> list[str]:
        return [v for _, v in self._pairs]

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)


class RSGIScope:
    """granian's scope: `path` percent-decoded (as UTF-8, bad bytes become
    U+FFFD, malformed escapes stay as they are), `query_string` as sent."""

    __slots__ = ("proto", "http_version", "rsgi_version", "server", "client", "scheme", "method", "path",
                 "query_string", "authority", "headers")  # fmt: skip

    def __init__(self, method: str, raw_path: str, query_string: str = "", headers: list[tuple[str, str]] | None = None,
                 *, proto: str = "http", scheme: str = "http", server: str = "testserver:80",
                 client: str = "127.0.0.1:50000", http_version: str = "1.1") -> None:
        self.proto = proto
        self.http_version = http_version
        self.rsgi_version = "1.6"
        self.server = server
        self.client = client
        self.scheme = scheme
        self.method = method
        self.path = unquote(raw_path, errors="replace")
        self.query_string = query_string
        self.authority = None
        self.headers = RSGIHeaders(headers or [])


def _text_pairs(headers: Any, where: str) -> list[tuple[str, str]]:
    pairs = []
    for name, value in headers:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"{where}: RSGI header names and values must be str, got {name!r}: {value!r}")
        pairs.append((name, value))
    return pairs


class Response:
    """What the app answered, as a client would see it."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []
        self.streamed = False
        self.complete = asyncio.Event()

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


class StreamTransport:
    """`proto.response_stream(...)`'s transport."""

    def __init__(self, protocol: HTTPProtocol) -> None:
        self._protocol = protocol

    async def send_bytes(self, data: bytes) -> None:
        self._protocol._write(bytes(data))

    async def send_str(self, data: str) -> None:
        self._protocol._write(data.encode())


class HTTPProtocol:
    """granian's `RSGIHTTPProtocol` for one request. `chunks` is the body as
    the client sends it; `broken=True` makes it end as a malformed body
    (HTTP/1.1) or a reset stream (HTTP/2) does. `http_version` is the
    scope's. Call `disconnect()` to play a client that leaves."""

    def __init__(self, chunks: list[bytes] | None = None, *, broken: bool = False, http_version: str = "1.1") -> None:
        self._chunks = list(chunks or [])
        self._broken = broken
        self._http2 = not http_version.startswith("1")
        self._read = 0
        self._body_taken = False
        self._gone = asyncio.Event()
        self.response = Response()

    # -- the request body ----------------------------------------------------

    def _take_body(self) -> None:
        if self._body_taken:
            raise _protocol_error()("the request body was already read")
        self._body_taken = True

    async def __call__(self) -> bytes:
        self._take_body()
        self._read = len(self._chunks)
        if self._broken:
            raise _closed_error()("RSGI transport is closed")
        return b"".join(self._chunks)

    def __aiter__(self) -> AsyncIterator[bytes]:
        self._take_body()
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            self._read += 1
            if chunk:
                yield chunk
        if self._broken and self._http2:
            # granian 2.8.7 on a reset HTTP/2 stream: empty chunks without end
            # (bounded here, so a reader that never stops fails instead of hanging).
            for _ in range(100):
                yield b""
            raise RuntimeError("read 100 empty chunks of a reset HTTP/2 stream: the reader never stopped")
        if self._broken:
            yield b""  # what granian yields for a body error, before the end
        if self._http2:
            yield b""  # the stream's end, before granian's own
        yield b""

    @property
    def unread(self) -> int:
        """Body chunks the app never asked for."""
        return len(self._chunks) - self._read

    # -- the client leaving ----------------------------------------------------

    async def client_disconnect(self) -> None:
        await self._gone.wait()

    def disconnect(self) -> None:
        self._gone.set()

    # -- answers ---------------------------------------------------------------

    def _start(self, status: int, headers: Any, where: str) -> bool:
        """Only the first answer counts, as in granian."""
        if self.response.status is not None:
            return False
        if not isinstance(status, int):
            raise TypeError(f"{where}: status must be an int, got {status!r}")
        self.response.status = status
        self.response.headers = _text_pairs(headers, where)
        return True

    def _finish(self, body: bytes, length: bool = True) -> None:
        names = {name.lower() for name, _ in self.response.headers}
        if length and "content-length" not in names and self.response.status not in (204, 304):
            self.response.headers.append(("content-length", str(len(body))))
        self.response.chunks.append(body)
        self.response.complete.set()

    def response_empty(self, status: int, headers: Any) -> None:
        if self._start(status, headers, "response_empty"):
            self._finish(b"", length=False)

    def response_str(self, status: int, headers: Any, body: str) -> None:
        if not isinstance(body, str):
            raise TypeError(f"response_str: body must be str, got {type(body).__name__}")
        data = body.encode()  # before the start, as granian reads its arguments before it answers
        if self._start(status, headers, "response_str"):
            self._finish(data)

    def response_bytes(self, status: int, headers: Any, body: bytes) -> None:
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise TypeError(f"response_bytes: body must be bytes, got {type(body).__name__}")
        if self._start(status, headers, "response_bytes"):
            self._finish(bytes(body))

    def response_file(self, status: int, headers: Any, file: str) -> None:
        if self._start(status, headers, "response_file"):
            with open(file, "rb") as handle:
                data = handle.read()
            self._finish(data)

    def response_file_range(self, status: int, headers: Any, file: str, start: int, end: int) -> None:
        if self._start(status, headers, "response_file_range"):
            with open(file, "rb") as handle:
                handle.seek(start)
                data = handle.read(end - start)
            self._finish(data)

    def response_stream(self, status: int, headers: Any) -> StreamTransport:
        if not self._start(status, headers, "response_stream"):
            raise _protocol_error()("a response was already sent")
        self.response.streamed = True
        return StreamTransport(self)

    def _write(self, data: bytes) -> None:
        if self._gone.is_set():
            raise _closed_error()("RSGI transport is closed")
        self.response.chunks.append(data)

    def finished(self) -> None:
        """The app returned: a stream ends here (granian sends the terminator)."""
        self.response.complete.set()


class WebsocketMessage:
    __slots__ = ("kind", "data")

    def __init__(self, kind: int, data: bytes | str) -> None:
        self.kind = kind
        self.data = data


class WebsocketTransport:
    """What `await proto.accept()` returns: the client's messages come from
    `incoming` (None: the client closes)."""

    def __init__(self, protocol: WebsocketProtocol) -> None:
        self._protocol = protocol

    async def receive(self) -> WebsocketMessage:
        message = await self._protocol.incoming.get()
        if message is None:
            self._protocol.client_closed = True
            return WebsocketMessage(0, b"")
        return WebsocketMessage(2, message) if isinstance(message, str) else WebsocketMessage(1, bytes(message))

    async def send_str(self, data: str) -> None:
        self._send(data)

    async def send_bytes(self, data: bytes) -> None:
        self._send(bytes(data))

    def _send(self, data: str | bytes) -> None:
        if self._protocol.client_closed or self._protocol.close_status is not None:
            raise _closed_error()("RSGI transport is closed")
        self._protocol.outgoing.put_nowait(data)


class WebsocketProtocol:
    """granian's `RSGIWebsocketProtocol`: `accept()`, then `close(status)`,
    which ends the conversation (before accept, `status` is an HTTP status)."""

    def __init__(self) -> None:
        self.incoming: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.outgoing: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.accepted = False
        self.client_closed = False
        self.close_status: int | None = None

    async def accept(self) -> WebsocketTransport:
        if self.accepted or self.close_status is not None:
            raise _protocol_error()("the websocket was already accepted or closed")
        self.accepted = True
        return WebsocketTransport(self)

    def close(self, status: int | None = None) -> tuple[int, bool]:
        if self.close_status is None:
            self.close_status = 0 if status is None else status
            self.outgoing.put_nowait(None)
        return self.close_status, self.accepted
