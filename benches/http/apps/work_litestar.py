"""The Litestar contender of the real-work bench (benches/http/work.py):
`@get`/`@post` route handlers (`async def`; POSTs answer 200, not Litestar's
default 201), OpenAPI off.

- upload: `data: Annotated[UploadFile, Body(media_type=MULTI_PART)]`
  (Litestar's parser over the `multipart` package, the file part in a
  SpooledTemporaryFile, in memory up to 1 MB), its `file` copied to disk
  with `sync_to_thread`; `request_max_body_size` raised from its 10 MB
  default, which the 10 MB part plus framing exceeds.
- form: `data: Annotated[Order, Body(media_type=URL_ENCODED)]`, a msgspec
  Struct of the twenty fields (quantities typed `int`: Litestar validates
  and converts them), Litestar's documented way to read a form.
- static: `create_static_files_router(path="/static", directories=[...])`:
  sends an ETag but has no conditional handling (no 304; work.py leaves
  Litestar out of `static_304` and says so).
- page: `TemplateConfig(engine=JinjaTemplateEngine)` and a `Template`
  response.
"""

from typing import Annotated

import msgspec
from litestar import Litestar, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

import work_fixtures as fx

Order = msgspec.defstruct("Order", [(name, str) for name in fx.FORM_TEXT] + [(name, int) for name in fx.FORM_NUMBERS])


@post(fx.UPLOAD_PATH, status_code=200, request_max_body_size=4 * fx.UPLOAD_SIZE)
async def upload(data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)]) -> dict:
    target = fx.upload_target()
    await sync_to_thread(fx.store, data.file, target)
    return fx.upload_answer(data.filename, target)


@post(fx.FORM_PATH, status_code=200)
async def form(data: Annotated[Order, Body(media_type=RequestEncodingType.URL_ENCODED)]) -> dict:
    return fx.form_answer(msgspec.structs.asdict(data))


@get(fx.PAGE_PATH)
async def page() -> Template:
    return Template(template_name=fx.PAGE_TEMPLATE, context=fx.PAGE_CONTEXT)


app = Litestar(
    route_handlers=[upload, form, page, create_static_files_router(path="/static", directories=[fx.STATIC_DIR])],
    template_config=TemplateConfig(directory=fx.TEMPLATES, engine=JinjaTemplateEngine),
    openapi_config=None,
)
