"""The Starlette contender of the real-work bench (benches/http/work.py):
`Starlette(routes=[...])`, `async def` endpoints.

- upload: `async with request.form() as form` (python-multipart; a file part
  is an `UploadFile` over a SpooledTemporaryFile, in memory up to 1 MB),
  then its `file` copied to disk with `run_in_threadpool`.
- form: `await request.form()`, fields read from the `FormData`.
- static: `Mount("/static", StaticFiles(directory=...))`: ETag and
  Last-Modified, 304 on a matching If-None-Match.
- page: `Jinja2Templates(directory=...)` and `templates.TemplateResponse(
  request, "page.html", context)` (rendered synchronously).
"""

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

import work_fixtures as fx

templates = Jinja2Templates(directory=fx.TEMPLATES)


async def upload(request):
    async with request.form() as form:
        part = form[fx.UPLOAD_FIELD]
        target = fx.upload_target()
        await run_in_threadpool(fx.store, part.file, target)
    return JSONResponse(fx.upload_answer(part.filename, target))


async def form(request):
    return JSONResponse(fx.form_answer(await request.form()))


async def page(request):
    return templates.TemplateResponse(request, fx.PAGE_TEMPLATE, fx.PAGE_CONTEXT)


app = Starlette(
    routes=[
        Route(fx.UPLOAD_PATH, upload, methods=["POST"]),
        Route(fx.FORM_PATH, form, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=fx.STATIC_DIR), name="static"),
        Route(fx.PAGE_PATH, page),
    ]
)
