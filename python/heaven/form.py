"""Heaven 2.4.3's `heaven.form`: the `Form` and `File` classes and the
ceilings on what one form may cost, as module constants an application may
set before serving (`heaven.form.FIELD_LIMIT = 8 * 1024 * 1024`). An app
that passes its own `App(form_...=)` limits uses those instead."""

from __future__ import annotations

from typing import Any

from .forms import File, Form

__all__ = ["FIELD_LIMIT", "HEADERS_LIMIT", "PARTS_LIMIT", "SPOOL_LIMIT", "File", "Form", "limits"]

#: Largest text field value (bytes); also the largest streamed urlencoded body.
FIELD_LIMIT = 1024 * 1024
#: File parts larger than this move from memory to a temporary file.
SPOOL_LIMIT = 256 * 1024
#: Largest header block of one multipart part.
HEADERS_LIMIT = 16 * 1024
#: Most parts (or urlencoded fields) in one form.
PARTS_LIMIT = 1000


def limits(app: Any) -> dict[str, Any]:
    """The form limits `app` parses with: its own where it set them, the
    module's ceilings (read now, so a later assignment counts) elsewhere."""
    own: dict[str, int | None] = app.form_limits

    def pick(key: str, default: int) -> int:
        value = own.get(key)
        return default if value is None else value

    return {
        "spill_threshold": pick("spill_threshold", SPOOL_LIMIT),
        "max_part_size": own.get("max_part_size"),
        "max_parts": pick("max_parts", PARTS_LIMIT),
        "max_field_size": pick("max_field_size", FIELD_LIMIT),
        "max_header_size": HEADERS_LIMIT,
    }
