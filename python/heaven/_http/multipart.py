"""An incremental `multipart/form-data` parser (RFC 7578 over RFC 2046).

It is fed the body chunk by chunk, split anywhere, and keeps at most a
delimiter's length of it between feeds (plus, while reading a part's
headers, that header block): file data is written through to the part's
`File` as it arrives, so memory stays bounded whatever the upload size.

Framing is strict: lines end with CRLF (a bare LF is a `FormError`), the
preamble and epilogue are ignored, transport padding after a boundary is
allowed. Text fields are decoded when the body ends, with the part's own
`charset` parameter, else the value of a `_charset_` field, else `charset`."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from ..errors import FormError, PayloadTooLarge
from ..forms import File, Form, parse_content_type

_BOUNDARY = re.compile(rb"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")

_PREAMBLE, _AFTER_BOUNDARY, _BOUNDARY_LINE, _HEADERS, _BODY, _DONE, _FAILED = range(7)


class _Text:
    """A text field's raw bytes, decoded once the whole form is known."""

    __slots__ = ("data", "charset")

    def __init__(self, data: bytes, charset: str | None) -> None:
        self.data = data
        self.charset = charset


class MultipartParser:
    """Feed it the body with `feed(chunk)`, then `close()` for the `Form`.
    On any error every temporary file it created is closed (deleted); call
    `abort()` when the body stops arriving for a reason of the caller's.

    Limits: `max_part_size` bounds any part's data and `max_field_size` a
    text field's (both `PayloadTooLarge`); `max_total` bounds every byte fed,
    framing included (`PayloadTooLarge`); `max_parts` and `max_header_size`
    (one part's header block) are `FormError`s."""

    def __init__(
        self,
        boundary: bytes,
        *,
        spill_threshold: int = 1 << 20,
        max_part_size: int | None = None,
        max_total: int | None = None,
        max_parts: int = 1000,
        max_field_size: int = 1 << 20,
        max_header_size: int = 16 << 10,
        charset: str = "utf-8",
    ) -> None:
        if not _BOUNDARY.fullmatch(boundary):
            raise FormError("Bad Request: invalid multipart boundary (RFC 2046: 1-70 characters of a restricted set)")
        b"".decode(charset)  # an unknown charset is the caller's mistake: LookupError now
        self._delimiter = b"\r\n--" + boundary
        self._spill_threshold = spill_threshold
        self._max_part_size = max_part_size
        self._max_total = max_total
        self._max_parts = max_parts
        self._max_field_size = max_field_size
        self._max_header_size = max_header_size
        self._charset = charset
        # The body is read as if it began with CRLF, so the first boundary
        # line (with or without a preamble before it) is an ordinary delimiter.
        self._buffer = bytearray(b"\r\n")
        self._state = _PREAMBLE
        self._total = 0
        self._count = 0
        self._scanned = 0
        self._parts: list[tuple[str, File | _Text]] = []
        self._name = ""
        self._file: File | None = None
        self._field: bytearray | None = None
        self._field_charset: str | None = None
        self._part_size = 0
        self._form: Form | None = None

    # -- feeding -------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        """Parse as much of the body as `chunk` allows."""
        if self._state == _FAILED:
            raise FormError("Bad Request: the multipart body was already refused")
        if self._form is not None:
            raise RuntimeError("feed() after close()")
        try:
            self._total += len(chunk)
            if self._max_total is not None and self._total > self._max_total:
                raise PayloadTooLarge(f"Payload Too Large: form body over {self._max_total} bytes")
            if self._state != _DONE:
                self._buffer += chunk
                self._run()
        except BaseException:
            self.abort()
            raise

    def _run(self) -> None:
        buffer = self._buffer
        delimiter = self._delimiter
        end = len(buffer)
        pos = 0
        while True:
            state = self._state
            if state == _BODY or state == _PREAMBLE:
                found = buffer.find(delimiter, pos)
                if found < 0:
                    keep = self._partial_delimiter(buffer, pos)
                    if state == _BODY:
                        self._data(buffer, pos, keep)
                    pos = keep
                    break
                if state == _BODY:
                    self._data(buffer, pos, found)
                    self._end_part()
                pos = found + len(delimiter)
                self._state = _AFTER_BOUNDARY
            elif state == _AFTER_BOUNDARY:
                if pos >= end:
                    break
                if buffer[pos] == 0x2D:  # "-": the close delimiter, or garbage
                    if end - pos < 2:
                        break
                    if buffer[pos + 1] != 0x2D:
                        raise _garbled()
                    self._state = _DONE
                    pos = end  # the epilogue is ignored
                    break
                self._state = _BOUNDARY_LINE
            elif state == _BOUNDARY_LINE:
                while pos < end and buffer[pos] in b" \t":
                    pos += 1
                if end - pos < 2:
                    if pos < end and buffer[pos] != 0x0D:
                        raise _garbled()
                    break
                if buffer[pos] != 0x0D or buffer[pos + 1] != 0x0A:
                    raise _garbled()
                pos += 2
                self._count += 1
                if self._count > self._max_parts:
                    raise FormError(f"Bad Request: more than {self._max_parts} parts in the form")
                self._scanned = 0
                self._state = _HEADERS
            elif state == _HEADERS:
                if end - pos < 2:
                    break
                if buffer[pos] == 0x0D and buffer[pos + 1] == 0x0A:
                    raise FormError("Bad Request: form part without headers (no Content-Disposition)")
                found = buffer.find(b"\r\n\r\n", pos + self._scanned)
                size = (found if found >= 0 else end) - pos
                if size > self._max_header_size:
                    raise FormError(f"Bad Request: form part headers over {self._max_header_size} bytes")
                if found < 0:
                    self._scanned = max(0, size - 3)
                    break
                self._start_part(bytes(buffer[pos:found]))
                pos = found + 4
                self._state = _BODY
            else:  # _DONE
                pos = end
                break
        del buffer[:pos]

    def _partial_delimiter(self, buffer: bytearray, pos: int) -> int:
        """Where a delimiter cut by the chunk's end may begin (the end if
        nothing there can start one): the bytes kept for the next feed."""
        delimiter = self._delimiter
        end = len(buffer)
        cr = buffer.find(b"\r", max(pos, end - len(delimiter) + 1))
        while cr >= 0:
            if buffer.endswith(delimiter[: end - cr]):
                return cr
            cr = buffer.find(b"\r", cr + 1)
        return end

    def _data(self, buffer: bytearray, start: int, stop: int) -> None:
        if stop <= start:
            return
        size = self._part_size + stop - start
        if self._max_part_size is not None and size > self._max_part_size:
            raise PayloadTooLarge(f"Payload Too Large: form part over {self._max_part_size} bytes")
        with memoryview(buffer)[start:stop] as piece:
            if self._file is not None:
                self._file._write(piece)
            else:
                if size > self._max_field_size:
                    raise PayloadTooLarge(f"Payload Too Large: form field over {self._max_field_size} bytes")
                self._field += piece  # type: ignore[operator]  # a text part always has its bytearray (_start_part)
        self._part_size = size

    # -- parts ---------------------------------------------------------------

    def _start_part(self, block: bytes) -> None:
        headers = _headers(block, self._delimiter[2:])
        disposition = headers.get("content-disposition")
        if disposition is None:
            raise FormError("Bad Request: form part without Content-Disposition")
        kind, params = parse_content_type(disposition)
        if kind != "form-data":
            raise FormError("Bad Request: form part whose Content-Disposition is not form-data")
        name = _param(params, "name")
        if name is None:
            raise FormError("Bad Request: form part without a name")
        filename = _param(params, "filename")
        self._name = name
        self._part_size = 0
        if filename is not None:
            content_type = headers.get("content-type")  # None when the part declares none
            self._file = File(filename, content_type, headers, spill_threshold=self._spill_threshold)
            self._parts.append((name, self._file))
        else:
            self._field = bytearray()
            self._field_charset = parse_content_type(headers.get("content-type", ""))[1].get("charset")

    def _end_part(self) -> None:
        if self._file is not None:
            self._file = None
        else:
            self._parts.append((self._name, _Text(bytes(self._field or b""), self._field_charset)))
            self._field = None

    # -- the end -------------------------------------------------------------

    def close(self) -> Form:
        """The body ended: the `Form`, once the closing boundary was seen."""
        if self._form is not None:
            return self._form
        if self._state == _FAILED:
            raise FormError("Bad Request: the multipart body was already refused")
        try:
            if self._state == _PREAMBLE and self._total == 0:
                form = Form()  # an empty body is an empty form, as in Heaven 2.4.3
                self._form = form
                return form
            if self._state == _PREAMBLE:
                raise FormError("Bad Request: multipart body without its opening boundary")
            if self._state == _HEADERS and self._delimiter[2:] in self._buffer:
                raise FormError("Bad Request: form part headers not followed by a blank line")
            if self._state != _DONE:
                raise FormError("Bad Request: multipart body ended before the closing boundary")
            form = Form(self._decoded())
        except BaseException:
            self.abort()
            raise
        self._parts = []
        self._buffer = bytearray()
        self._form = form
        return form

    def _decoded(self) -> list[tuple[str, str | File]]:
        default = self._charset
        for name, value in self._parts:
            if name == "_charset_" and isinstance(value, _Text):
                requested = _decode(value.data, "ascii").strip()
                if requested:
                    _decode(b"", requested)
                    default = requested
                break
        return [
            (name, value if isinstance(value, File) else _decode(value.data, value.charset or default))
            for name, value in self._parts
        ]

    def abort(self) -> None:
        """Give up: close every file created so far. Nothing happens once
        `close()` has returned the form (the form owns the files then)."""
        if self._form is not None:
            return
        self._state = _FAILED
        for _, value in self._parts:
            if isinstance(value, File):
                value.close()
        self._parts = []
        self._file = None
        self._field = None
        self._buffer = bytearray()


def _garbled() -> FormError:
    return FormError("Bad Request: malformed multipart boundary line (expected CRLF or '--' after the boundary)")


def _headers(block: bytes, dash_boundary: bytes) -> dict[str, str]:
    """A part's header block as lower-cased names to values (the first of a
    repeated name wins). UTF-8 (what browsers send), else Latin-1."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        text = block.decode("latin-1")
    boundary_line = dash_boundary.decode("latin-1")
    lines: list[str] = []
    for line in text.split("\r\n"):
        if line.startswith(boundary_line):
            raise FormError("Bad Request: form part headers not followed by a blank line")
        if line[:1] in (" ", "\t") and lines:  # an obsolete folded continuation
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        if not colon or not name or "\n" in line or "\r" in line:
            raise FormError("Bad Request: malformed form part header line")
        headers.setdefault(name, value.strip())
    return headers


def _param(params: dict[str, str], key: str) -> str | None:
    """`key*` (an RFC 5987 `charset'lang'%XX` value) if present, else `key`."""
    extended = params.get(key + "*")
    if extended is None:
        return params.get(key)
    charset, quote, rest = extended.partition("'")
    _, quote2, encoded = rest.partition("'")
    if not quote or not quote2 or not charset:
        raise FormError(f"Bad Request: malformed {key}* parameter")
    try:
        return unquote_to_bytes(encoded).decode(charset)
    except (LookupError, UnicodeError) as exc:
        raise FormError(f"Bad Request: undecodable {key}* parameter") from exc


def _decode(data: bytes, charset: str) -> str:
    try:
        return data.decode(charset)
    except LookupError as exc:
        raise FormError("Bad Request: unknown charset in the form") from exc
    except UnicodeError as exc:
        raise FormError(f"Bad Request: form field that is not valid {charset}") from exc
