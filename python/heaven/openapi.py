"""OpenAPI 3.1 documents built from an app's routes and `app.schema`
contracts, and a reference page that renders them (`install_docs`); see
docs/api-docs.md. This is the public face: the document is built in
`_contracts/document.py`, its schemas and error responses in
`_contracts/components.py`, the page and its routes in `_contracts/page.py`."""

from __future__ import annotations

from ._contracts.components import ERROR_RESPONSES, PROBLEM_RESPONSES, RESPONSE_REF, SCHEMA_REF
from ._contracts.document import (
    DEFAULT_SUBDOMAIN,
    FORM_MEDIA,
    METHODS,
    OPENAPI_VERSION,
    PARAMETER_NOTES,
    PARAMETER_SCHEMAS,
    SUCCESS,
    WILDCARD_NAME,
    openapi_document,
)
from ._contracts.page import DEFAULT_SCRIPT, install_docs, reference_page

__all__ = [
    "DEFAULT_SCRIPT",
    "DEFAULT_SUBDOMAIN",
    "ERROR_RESPONSES",
    "FORM_MEDIA",
    "METHODS",
    "OPENAPI_VERSION",
    "PARAMETER_NOTES",
    "PARAMETER_SCHEMAS",
    "PROBLEM_RESPONSES",
    "RESPONSE_REF",
    "SCHEMA_REF",
    "SUCCESS",
    "WILDCARD_NAME",
    "install_docs",
    "openapi_document",
    "reference_page",
]
