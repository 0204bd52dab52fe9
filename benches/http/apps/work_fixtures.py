"""What every contender of the real-work bench (benches/http/work.py) serves
and answers, in one place: the upload, form, static-file and page scenarios'
request bodies, the files on disk, and the answers the harness checks.

Standard library only (jinja2 aside, for the reference page), so the apps,
the harness and tests/project/test_bench_work.py read the same definitions.
Each app does the work its own framework's way; the small computations that
turn what it read into an answer (`upload_answer`, `form_answer`) are shared
so that every contender answers the same bytes.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import uuid
import zlib
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent

# -- upload: one 10 MB file part in a multipart/form-data body -------------------

UPLOAD_PATH = "/upload"
UPLOAD_SIZE = 10_000_000  # bytes of the file part (MB/s = req/s x 10)
UPLOAD_FIELD = "file"
UPLOAD_FILENAME = "upload.bin"
UPLOAD_BOUNDARY = "heaven-bench-work-3f9a1c"
UPLOAD_CONTENT_TYPE = f"multipart/form-data; boundary={UPLOAD_BOUNDARY}"
# Where the apps store the uploads (one file per request, removed once measured).
UPLOAD_DIR = Path(tempfile.gettempdir()) / "heaven-bench-work" / "uploads"
COPY_CHUNK = 1 << 20


def upload_content() -> bytes:
    """10 MB of pseudo-random bytes (a 1 MiB random block repeated): no run
    of CR/LF or dashes that a parser could take for a boundary by luck."""
    block = random.Random(14).randbytes(1 << 20)
    return (block * (UPLOAD_SIZE // len(block) + 1))[:UPLOAD_SIZE]


def upload_body(content: bytes | None = None) -> bytes:
    content = upload_content() if content is None else content
    head = (
        f"--{UPLOAD_BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{UPLOAD_FIELD}"; filename="{UPLOAD_FILENAME}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{UPLOAD_BOUNDARY}--\r\n".encode()


def upload_target() -> Path:
    """A new path under UPLOAD_DIR for one request's file."""
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    return UPLOAD_DIR / f"{uuid.uuid4().hex}.bin"


def store(source, target: str | os.PathLike[str]) -> None:
    """Copy an upload's file object to `target` in 1 MiB pieces: what the
    peers whose upload API hands out a file object run in a worker thread
    (heaven's `File.asave` and BlackSheep's part stream do their own)."""
    with open(target, "wb") as out:
        shutil.copyfileobj(source, out, COPY_CHUNK)


def upload_answer(filename: str, path: str | os.PathLike[str]) -> dict:
    """What every app answers once the upload is on disk: the name the client
    sent, then the size and CRC-32 of the stored file, read back from disk
    (so a truncated or garbled store shows); the file is removed after."""
    crc, size = 0, 0
    try:
        with open(path, "rb") as stored:
            while chunk := stored.read(COPY_CHUNK):
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
    finally:
        os.unlink(path)
    return {"name": filename, "size": size, "crc32": f"{crc:08x}"}


def expected_upload() -> dict:
    return {"name": UPLOAD_FILENAME, "size": UPLOAD_SIZE, "crc32": f"{zlib.crc32(upload_content()):08x}"}


# -- form: a 1 KB urlencoded body of 20 fields -----------------------------------

FORM_PATH = "/form"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
FORM_TEXT = ("name", "email", "company", "street", "city", "country", "phone", "website", "comment", "referrer")
FORM_NUMBERS = tuple(f"qty{i:02d}" for i in range(1, 11))
FORM_NAMES = FORM_TEXT + FORM_NUMBERS


def form_fields() -> list[tuple[str, str]]:
    """Twenty fields: ten texts (spaces, punctuation, non-ASCII, markup:
    percent-encoding and '+' to decode) and ten quantities."""
    texts = {
        "name": "Ada Lovelace-Byron",
        "email": "ada.lovelace+orders@analytical-engine.example.org",
        "company": "Babbage & Lovelace Difference Engines, Ltd. (London office, accounts payable)",
        "street": "12 St James's Square, Third Floor, Room 7 (the door on the left, past the library)",
        "city": "Londres / London — Westminster",
        "country": "GB",
        "phone": "+44 20 7946 0958 ext. 1815",
        "website": "https://analytical-engine.example.org/notes?on=bernoulli&lang=en",
        "comment": "Please ship <b>before</b> Friday; the été edition if there is one — merci! "
        "Fragile: brass gears & punched cards, keep dry, this side up. Leave with the porter at "
        "No. 12 if nobody answers; call ahead on the number above (mornings only, 9–12).",
        "referrer": "a friend at the Royal Society, who read Note G & liked it (and the table of Bernoulli numbers)",
    }
    numbers = {name: str((i * 7) % 13 + 1) for i, name in enumerate(FORM_NUMBERS)}
    return [(name, texts[name]) for name in FORM_TEXT] + [(name, numbers[name]) for name in FORM_NUMBERS]


def form_body() -> bytes:
    return urlencode(form_fields()).encode()


def form_answer(fields) -> dict:
    """The answer computed from the fields read (`fields[name]`: a str, or
    an int for a quantity where the framework converted it)."""
    return {
        "name": fields["name"],
        "fields": sum(1 for name in FORM_NAMES if name in fields),
        "chars": sum(len(str(fields[name])) for name in FORM_NAMES),
        "quantity": sum(int(fields[name]) for name in FORM_NUMBERS),
    }


def expected_form() -> dict:
    return form_answer(dict(form_fields()))


# -- static: a 100 KB file, served with an ETag ----------------------------------

STATIC_DIR = Path(tempfile.gettempdir()) / "heaven-bench-work" / "static"
STATIC_NAME = "photo.png"
STATIC_PATH = f"/static/{STATIC_NAME}"
STATIC_SIZE = 100 * 1024
STATIC_CONTENT_TYPE = "image/png"


def static_content() -> bytes:
    return random.Random(100).randbytes(STATIC_SIZE)


def ensure_static() -> Path:
    """Write the static file unless it is already there with the right bytes:
    an unchanged file keeps its mtime, so the ETags stay the same across
    server starts."""
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    path = STATIC_DIR / STATIC_NAME
    content = static_content()
    try:
        if path.read_bytes() == content:
            return path
    except FileNotFoundError:
        pass
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(content)
    os.replace(partial, path)
    return path


# -- page: a jinja2 template extending a layout, 50 rows, autoescaped ------------

PAGE_PATH = "/page"
TEMPLATES = HERE / "work_templates"
PAGE_TEMPLATE = "page.html"
PAGE_CONTENT_TYPE = "text/html; charset=utf-8"


def page_rows() -> list[dict]:
    """Fifty rows; names and notes carry characters autoescaping must turn
    into entities (<, >, &, quotes)."""
    rows = []
    for i in range(1, 51):
        rows.append(
            {
                "id": i,
                "name": f"Widget <{i:02d}> & \"Sons\"",
                "price": round(3.5 * i + i % 7 * 0.25, 2),
                "stock": (i * 37) % 101,
                "tags": ["new", "sale", "o'clock"][: i % 3 + 1],
                "note": "<script>alert('x')</script>" if i % 10 == 0 else "",
            }
        )
    return rows


PAGE_CONTEXT = {"title": "Inventory & <Orders>", "rows": page_rows()}


def expected_page() -> str:
    """The page rendered by plain jinja2 with autoescaping on: what every
    framework's template integration must produce."""
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    return env.get_template(PAGE_TEMPLATE).render(PAGE_CONTEXT)


ensure_static()
