"""The FastAPI contender of the real-work bench (benches/http/work.py):
`async def` path operations, the interactive docs routes off.

- upload: an `UploadFile` parameter (python-multipart, SpooledTemporaryFile
  in memory up to 1 MB), its `file` copied to disk with `run_in_threadpool`.
- form: the twenty fields as a pydantic model read with `Form()` (FastAPI's
  documented "form models"; the quantities typed `int`, so FastAPI also
  validates and converts them), made with `create_model` from the fixture's
  field names.
- static: `app.mount("/static", StaticFiles(directory=...))` (Starlette's).
- page: `Jinja2Templates` and `templates.TemplateResponse(request, ...)`.
"""

from typing import Annotated

from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import create_model

import work_fixtures as fx

templates = Jinja2Templates(directory=fx.TEMPLATES)
Order = create_model("Order", **{name: (str, ...) for name in fx.FORM_TEXT}, **{name: (int, ...) for name in fx.FORM_NUMBERS})

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.post(fx.UPLOAD_PATH)
async def upload(file: UploadFile):
    target = fx.upload_target()
    await run_in_threadpool(fx.store, file.file, target)
    return fx.upload_answer(file.filename, target)


@app.post(fx.FORM_PATH)
async def form(data: Annotated[Order, Form()]):
    return fx.form_answer(data.model_dump())


@app.get(fx.PAGE_PATH, response_class=HTMLResponse)
async def page(request: Request):
    return templates.TemplateResponse(request, fx.PAGE_TEMPLATE, fx.PAGE_CONTEXT)


app.mount("/static", StaticFiles(directory=fx.STATIC_DIR), name="static")
