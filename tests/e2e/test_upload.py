"""A 200 MB multipart upload streamed through granian: the server's peak
RSS must stay under 64 MB above its idle RSS (measured here, from /proc),
and saving it names the temporary file instead of copying it (Linux)."""

import hashlib
import os
import sys
import tempfile

import httpx
import pytest

pytestmark = pytest.mark.e2e

SIZE = 200 * 1024 * 1024
BOUNDARY = "heaven-e2e-boundary-7f3a"
BLOCK = os.urandom(1 << 20)


def multipart_body():
    """The request body, generated on the fly: the client never holds it either."""
    yield (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbig upload\r\n"
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    for _ in range(SIZE // len(BLOCK)):
        yield BLOCK
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def test_200mb_streamed_upload_keeps_memory_flat(serve, tmp_path):
    server = serve("upload_app:app", env={"HEAVEN_E2E_UPLOADS": str(tmp_path)})
    with httpx.Client(base_url=server.url, timeout=120) as http:
        worker = http.get("/pid").json()
        for _ in range(3):  # warm the worker up before taking the idle reading
            http.get("/pid")
        idle = kib(worker, "VmRSS")
        r = http.post("/upload", content=multipart_body(), headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
        peak = kib(worker, "VmHWM")
    assert r.status_code == 200, r.text
    digest = hashlib.sha256()
    for _ in range(SIZE // len(BLOCK)):
        digest.update(BLOCK)
    expected = digest.hexdigest()
    # tmp_path and the server's temporary directory are on one file system: saved without a copy.
    assert os.stat(tmp_path).st_dev == os.stat(tempfile.gettempdir()).st_dev
    named = sys.platform == "linux"
    assert r.json() == {"name": "big upload", "filename": "big.bin", "size": SIZE, "written": SIZE, "sha256": expected, "named": named}
    saved = (tmp_path / "received.bin").stat()
    assert (saved.st_size, saved.st_nlink) == (SIZE, 1)  # whole, and still there once the request closed the upload
    grew_mb = (peak - idle) / 1024
    print(f"server idle RSS {idle / 1024:.1f} MB, peak {peak / 1024:.1f} MB, grew {grew_mb:.1f} MB")
    assert grew_mb < 64, f"peak RSS grew by {grew_mb:.1f} MB during a 200 MB upload"
