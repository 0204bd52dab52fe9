"""File responses: confinement to a root, validators (ETag, Last-Modified)
with 304, single byte ranges with 206/416, and reads that never block the
event loop."""

from __future__ import annotations

import asyncio
import mimetypes
import os
import stat
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from typing import Any, AsyncIterator
from urllib.parse import quote

from ..errors import NotFound
from .headers import header_value

CHUNK = 256 * 1024
_TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")
_O_PATH = getattr(os, "O_PATH", 0)


def _kernel_lookup_works() -> bool:
    """Linux resolves a path in one system call (an O_PATH descriptor, its
    real path read back from /proc/self/fd) where os.path.realpath makes
    one per component, in Python: a confinement check costs a third as
    much. Used only where it gives the right answer for "/" here (not
    without /proc, or in sandboxes that fake it); else os.path.realpath."""
    if not _O_PATH:
        return False
    try:
        fd = os.open("/", _O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            return os.readlink(f"/proc/self/fd/{fd}") == "/"
        finally:
            os.close(fd)
    except OSError:
        return False


_KERNEL_LOOKUP = _kernel_lookup_works()


def confined_path(path: str | os.PathLike[str], within: str | os.PathLike[str] | None) -> str:
    """The real path of the file to send. With `within`, the fully resolved
    path (symlinks followed, `..` collapsed) must stay inside it; anything
    else, or anything that is not a regular file, is a 404."""
    raw = os.fspath(path)
    if "\0" in raw or (within is not None and "\0" in os.fspath(within)):
        raise NotFound()
    # An absolute `path` must not escape: it is taken as relative to the root.
    if within is not None and _KERNEL_LOOKUP:
        root, target, info = _lookup_beneath(os.fspath(within), raw.lstrip("/\\"))
    else:
        root = None
        if within is None:
            target = os.path.realpath(raw)
        else:
            root = os.path.realpath(within)
            target = os.path.realpath(os.path.join(root, raw.lstrip("/\\")))
        try:
            info = os.stat(target)
        except (OSError, ValueError):
            raise NotFound() from None
    if root is not None and target != root and not target.startswith(root.rstrip(os.sep) + os.sep):
        raise NotFound()
    if not stat.S_ISREG(info.st_mode):
        raise NotFound()
    return target


def _lookup_beneath(within: str, relative: str) -> tuple[str, str, os.stat_result]:
    """The real paths of `within` and of `relative` looked up from it, and
    the file's stat, each resolved by the kernel as realpath would (symlinks
    followed, `..` taken physically). Anything that cannot be opened is a 404."""
    try:
        root_fd = os.open(within, _O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except (OSError, ValueError):
        raise NotFound() from None
    try:
        root = os.readlink(f"/proc/self/fd/{root_fd}")
        fd = os.open(relative, _O_PATH | os.O_CLOEXEC, dir_fd=root_fd)
        try:
            return root, os.readlink(f"/proc/self/fd/{fd}"), os.fstat(fd)
        finally:
            os.close(fd)
    except (OSError, ValueError):
        raise NotFound() from None
    finally:
        os.close(root_fd)


@lru_cache(maxsize=1024)
def _http_date(mtime: float) -> bytes:
    return formatdate(mtime, usegmt=True).encode()


@lru_cache(maxsize=1024)
def _content_type(path: str) -> bytes:
    """The Content-Type for a file's name (remembered per name: types added
    to `mimetypes` later apply to names not served yet)."""
    guessed, encoding = mimetypes.guess_type(path)
    if encoding is not None or guessed is None:
        return b"application/octet-stream"
    if guessed.startswith(_TEXT_TYPES):
        return f"{guessed}; charset=utf-8".encode()
    return guessed.encode()


@lru_cache(maxsize=1024)
def content_disposition(filename: str) -> bytes:
    """`attachment` under `filename`: an ASCII fallback, plus the exact name
    as RFC 6266 `filename*` (UTF-8, percent-encoded) when it is not ASCII.
    A name with control characters is refused, like any header value."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("\\", "")
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header_value("Content-Disposition", value)


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses weak comparison: W/"x" and "x" are the same."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def _not_modified_since(header: str, mtime: float) -> bool:
    try:
        since = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return int(mtime) <= since


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end inclusive) for a single satisfiable range, None when the
    header should be ignored (malformed, or several ranges: the whole file is
    sent), False when unsatisfiable (416)."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if first == "":
            length = int(last)
            if length <= 0:
                return False
            return (max(0, size - length), size - 1) if size else False
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start < 0:
        return None
    if start >= size:
        return False
    if end < start:
        return None
    return start, min(end, size - 1)


class FileBody:
    """What `res.file()` puts in `res.body`: sent when the response goes out,
    with the request's conditional and range headers taken into account."""

    __slots__ = ("path", "disposition", "size", "mtime", "etag")

    def __init__(self, path: str, disposition: bytes | None) -> None:
        info = os.stat(path)
        self.path = path
        self.disposition = disposition
        self.size = info.st_size
        self.mtime = info.st_mtime
        self.etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'

    def respond(self, status: int, headers: list[tuple[bytes, bytes]], request_headers: Any, typed: bool) -> tuple[int, Any]:
        """(status, payload) for this file, given the request; its headers
        are added to `headers`. The payload is a `FileSpan`, or `b""`."""
        headers.append((b"etag", self.etag.encode()))
        headers.append((b"last-modified", _http_date(self.mtime)))
        headers.append((b"accept-ranges", b"bytes"))
        if not typed:
            headers.append((b"content-type", _content_type(self.path)))
        if self.disposition is not None:
            headers.append((b"content-disposition", self.disposition))
        if status != 200:
            # The handler chose a status (say 404 page from a file): send it whole.
            return self._whole(status, headers)

        none_match = request_headers.get("if-none-match")
        if none_match is not None:
            if _etag_matches(none_match, self.etag):
                return 304, b""
        else:
            since = request_headers.get("if-modified-since")
            if since is not None and _not_modified_since(since, self.mtime):
                return 304, b""

        wanted = request_headers.get("range")
        if wanted is not None and self._if_range_holds(request_headers.get("if-range")):
            span = _byte_range(wanted, self.size)
            if span is False:
                headers.append((b"content-range", f"bytes */{self.size}".encode()))
                return 416, b""
            if span is not None and span is not True:
                start, end = span
                headers.append((b"content-range", f"bytes {start}-{end}/{self.size}".encode()))
                headers.append((b"content-length", str(end - start + 1).encode()))
                return 206, FileSpan(self.path, start, end - start + 1)
        return self._whole(200, headers)

    def _whole(self, status: int, headers: list[tuple[bytes, bytes]]) -> tuple[int, Any]:
        headers.append((b"content-length", str(self.size).encode()))
        return status, FileSpan(self.path, 0, self.size)

    def _if_range_holds(self, if_range: str | None) -> bool:
        """A Range is honoured only if If-Range (when present) still names
        this version of the file; otherwise the whole file is sent."""
        if if_range is None:
            return True
        if_range = if_range.strip()
        if if_range.startswith(('"', "W/")):
            return if_range == self.etag  # strong comparison
        return _not_modified_since(if_range, self.mtime)


class FileSpan:
    """`length` bytes of a file from `offset`: what a file response sends.
    A wire hands it to the server whole (RSGI, ASGI pathsend) or reads it
    with `chunks()`."""

    __slots__ = ("path", "offset", "length")

    def __init__(self, path: str, offset: int, length: int) -> None:
        self.path = path
        self.offset = offset
        self.length = length

    async def chunks(self) -> AsyncIterator[bytes]:
        """The span in pieces, read in a worker thread so the event loop
        never waits on the disk. Raises OSError if the file shrank."""
        run = asyncio.get_running_loop().run_in_executor
        handle = await run(None, open, self.path, "rb")
        try:
            await run(None, handle.seek, self.offset)
            remaining = self.length
            while remaining > 0:
                chunk = await run(None, handle.read, min(CHUNK, remaining))
                if not chunk:
                    raise OSError(f"{self.path} ended {remaining} bytes early")
                remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()  # at once: a cancelled send (the client left) must not leak it
