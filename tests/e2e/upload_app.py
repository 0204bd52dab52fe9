"""A streaming upload route for the 200 MB end-to-end test."""

import hashlib
import os
from pathlib import Path

from heaven import App

app = App(max_body_size=300 * 1024 * 1024)
DEST = Path(os.environ.get("HEAVEN_E2E_UPLOADS", "."))


async def upload(req, res, ctx):
    form = await req.form
    upload = form["file"]
    digest = hashlib.sha256()
    with upload.file as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    written = upload.save(DEST / "received.bin")
    # On Linux, with DEST on the temporary directory's file system, saving named the upload's
    # temporary file rather than copying it (docs/forms.md, "Saving uploads").
    named = os.stat(DEST / "received.bin").st_ino == os.fstat(upload.file.fileno()).st_ino
    res.body = {
        "name": form["name"], "filename": upload.filename, "size": upload.size, "written": written,
        "sha256": digest.hexdigest(), "named": named,
    }
    form.close()


def pid(req, res, ctx):
    res.body = os.getpid()


app.POST("/upload", upload, stream=True)
app.GET("/pid", pid)
