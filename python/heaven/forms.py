"""Forms: the parsed body of an HTML form (urlencoded or multipart) as a
read-only multi-map, and uploaded files that stay in memory while small and
live in an anonymous temporary file once they grow past a threshold (saved,
on Linux, by giving that file a name rather than copying it)."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO, Union

from . import _core
from ._http.spool import link_unnamed, unnamed_file
from .errors import BadRequest, FormError

Value = Union[str, "File"]

_COPY_CHUNK = 1 << 20


class File:
    """An uploaded file part. Its bytes are in memory up to `spill_threshold`
    and in a temporary file beyond it, so a large upload never sits in RAM.
    `filename` is what the client sent: never trust it as a path."""

    __slots__ = (
        "filename", "content_type", "headers", "size", "_threshold", "_memory", "_disk", "_linked", "_closed", "_lock"
    )

    def __init__(
        self,
        filename: str | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        spill_threshold: int = 1 << 20,
    ) -> None:
        self.filename = filename
        self.content_type = content_type
        self.headers: dict[str, str] = headers if headers is not None else {}
        self.size = 0
        self._threshold = spill_threshold
        self._memory: io.BytesIO | None = io.BytesIO()
        self._disk: io.BufferedRandom | None = None
        self._linked = False  # the temporary file was saved by name: it is that saved file now
        self._lock = threading.Lock()  # readers in threads (asave) share the storage's position
        self._closed = False

    def _write(self, data: bytes | bytearray | memoryview) -> None:
        """Append bytes, moving to a temporary file when the threshold is passed."""
        if self._closed:
            raise ValueError("I/O operation on a closed File")
        if self._linked:
            self._unshare()
        if self._memory is not None and self.size + len(data) > self._threshold:
            self._spill()
        if self._disk is not None:
            self._disk.write(data)
        else:
            self._memory.write(data)  # type: ignore[union-attr]  # in memory until _spill, then on disk
        self.size += len(data)

    def _spill(self) -> None:
        disk = unnamed_file()
        try:
            with self._memory.getbuffer() as held:  # type: ignore[union-attr]  # _spill runs once, from memory
                disk.write(held)
        except BaseException:
            disk.close()
            raise
        self._memory.close()  # type: ignore[union-attr]  # as above
        self._memory = None
        self._disk = disk

    def _unshare(self) -> None:
        """Move the content to a new temporary file, so that writing to the
        upload leaves the file it was saved as (by name) unchanged."""
        disk = unnamed_file()
        try:
            with self.file as source:
                shutil.copyfileobj(source, disk, _COPY_CHUNK)
        except BaseException:
            disk.close()
            raise
        self._disk.close()  # type: ignore[union-attr]  # linked implies spilled
        self._disk = disk
        self._linked = False

    def _storage(self) -> io.BytesIO | io.BufferedRandom:
        if self._closed:
            raise ValueError("I/O operation on a closed File")
        return self._disk if self._disk is not None else self._memory  # type: ignore[return-value]  # one is set until close

    @property
    def file(self) -> BinaryIO:
        """A new read-only binary file object over the content, at the start.
        Each has its own position, and closing one (`with f.file as h:`)
        leaves the `File` readable."""
        self._storage()
        return io.BufferedReader(_Reader(self))

    @property
    def content(self) -> bytes:
        """All the bytes, read into memory: prefer `save()` or `file` for
        large uploads."""
        storage = self._storage()
        if isinstance(storage, io.BytesIO):
            return storage.getvalue()
        with self.file as handle:
            return handle.read()

    def save(self, path: str | os.PathLike[str]) -> int:
        """Store the content at `path`; returns its size in bytes. A spilled
        upload saved for the first time to a `path` that does not exist yet
        becomes that file, without a copy, where the system allows it (Linux,
        same file system: `_http/spool.link_unnamed` says when); otherwise
        the content is written to `path` in 1 MiB pieces, truncating a file
        already there. Either way `path` gets the same bytes, mode and owner."""
        disk = self._disk
        if disk is not None and not self._linked:
            with self._lock:  # one save links, a concurrent one copies
                self._storage()
                disk.flush()
                if not self._linked and link_unnamed(disk.fileno(), path):
                    self._linked = True
                    return self.size
        with self.file as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target, _COPY_CHUNK)
        return self.size

    async def asave(self, path: str | os.PathLike[str]) -> int:
        """`save()` in a worker thread, so the event loop is not blocked by disk writes."""
        return await asyncio.to_thread(self.save, path)

    def close(self) -> None:
        """Release the memory or delete the temporary file. Idempotent."""
        if getattr(self, "_closed", True):
            return
        self._closed = True
        for storage in (self._memory, self._disk):
            if storage is not None:
                storage.close()
        self._memory = None
        self._disk = None

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "closed" if self._closed else "on disk" if self._disk is not None else "in memory"
        return f"<File {self.filename!r} {self.content_type} {self.size} bytes {where}>"


class _Reader(io.RawIOBase):
    """A view of a `File`'s storage with a position of its own, so handing
    out `file` never exposes (or lets anyone close) the storage itself."""

    def __init__(self, owner: File) -> None:
        self._owner = owner
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        owner = self._owner
        with owner._lock:
            storage = owner._storage()
            storage.seek(self._position)
            count = storage.readinto(buffer)
        self._position += count
        return count

    def readall(self) -> bytes:
        owner = self._owner
        with owner._lock:
            storage = owner._storage()
            storage.seek(self._position)
            data = storage.read()
        self._position += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        elif whence == io.SEEK_END:
            position = self._owner.size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._position = position
        return position

    def tell(self) -> int:
        return self._position

    def fileno(self) -> int:
        """The temporary file's descriptor (spilled files only)."""
        return self._owner._storage().fileno()


class Form(Mapping[str, Any]):
    """A read-only map of field name to `str` (text fields) or `File` (file
    parts), in arrival order. A name sent once gives its value; a name sent
    several times gives the list of its values (as in Heaven 2.4.3), so
    `form['tag']` is `'a'` or `['a', 'b']`. `getlist(name)` always gives a
    list. `form.name` reads like `form.get('name')` (None when absent)."""

    __slots__ = ("_items", "_index")

    def __init__(self, items: Iterable[tuple[str, Value]] = ()) -> None:
        self._items: list[tuple[str, Value]] = list(items)
        self._index: dict[str, list[Value]] = {}
        for name, value in self._items:
            self._index.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> Any:
        values = self._index[name]
        return values[0] if len(values) == 1 else list(values)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not attributes of the class; `_`
        # names are never fields here (and must not recurse into _index).
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def to_dict(self) -> dict[str, Any]:
        """`{name: value}`, a list for names sent more than once."""
        return {name: self[name] for name in self._index}

    def getlist(self, name: str) -> list[Value]:
        """Every value sent under `name` (empty when absent)."""
        return list(self._index.get(name, ()))

    def multi_items(self) -> list[tuple[str, Value]]:
        """Every (name, value) pair, in arrival order."""
        return list(self._items)

    @property
    def files(self) -> Form:
        """The file parts only, as a `Form` (so `getlist` works for multi-file inputs)."""
        return Form((k, v) for k, v in self._items if isinstance(v, File))

    @property
    def fields(self) -> Form:
        """The text fields only."""
        return Form((k, v) for k, v in self._items if isinstance(v, str))

    def __await__(self) -> Any:
        """`await req.form` works on every route: a parsed form is ready."""
        return _ready(self).__await__()

    def close(self) -> None:
        """Close every file (delete its temporary file)."""
        for _, value in self._items:
            if isinstance(value, File):
                value.close()

    def __repr__(self) -> str:
        return f"Form({self._items!r})"


async def _ready(form: Form) -> Form:
    return form


def parse_urlencoded(body: bytes, *, max_fields: int = 1000) -> Form:
    """An `application/x-www-form-urlencoded` body (`+` is a space). Bad
    percent-encoding or UTF-8, or more than `max_fields` pairs, is a `FormError`."""
    try:
        pairs = _core.parse_query(body)
    except BadRequest as exc:
        raise FormError(f"Bad Request: malformed form body ({exc.message.removeprefix('Bad Request: ')})") from exc
    if len(pairs) > max_fields:
        raise FormError(f"Bad Request: more than {max_fields} form fields")
    return Form(pairs)


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """A `Content-Type` (or `Content-Disposition`) value as its lower-cased
    type and its parameters: names lower-cased, quoted strings unquoted. In a
    quoted string a backslash escapes only `"` and `\\`; other backslashes are
    kept, since old browsers sent Windows paths unescaped. The first of a
    repeated parameter wins; parameters without `=` are skipped."""
    kind, _, rest = value.partition(";")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " \t;":
            i += 1
        start = i
        while i < n and rest[i] not in "=;":
            i += 1
        name = rest[start:i].strip().lower()
        if i >= n or rest[i] == ";":
            continue
        i += 1
        while i < n and rest[i] in " \t":
            i += 1
        if i < n and rest[i] == '"':
            text, i = _quoted(rest, i + 1)
            while i < n and rest[i] != ";":
                i += 1
        else:
            start = i
            while i < n and rest[i] != ";":
                i += 1
            text = rest[start:i].strip()
        if name and name not in params:
            params[name] = text
    return kind.strip().lower(), params


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The quoted string starting after its opening quote at `i`, and the
    index after its closing quote (an unterminated one runs to the end)."""
    out: list[str] = []
    n = len(text)
    while i < n:
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "\\" and i + 1 < n and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out), n


def __getattr__(name: str) -> Any:
    """`heaven.forms.MultipartParser`, the parser behind `req.form`, for
    parsing a multipart body on its own (imported on first use: it builds
    the `Form` and `File` objects of this module)."""
    if name == "MultipartParser":
        from ._http.multipart import MultipartParser

        return MultipartParser
    raise AttributeError(f"module 'heaven.forms' has no attribute {name!r}")
