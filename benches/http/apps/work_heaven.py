"""The heaven contender of the real-work bench (benches/http/work.py), served
as `heaven` over ASGI and as `heaven_rsgi` over RSGI: the same App object.

- upload: a `stream=True` route (docs/forms.md, "Large uploads"): `await
  req.form` parses the multipart body as it arrives, the file part spilling
  to a temporary file past 256 KiB; `await upload.asave(path)` stores it
  (on Linux, by naming that temporary file: the upload directory is on the
  temporary directory's file system).
- form: `req.form` on an ordinary route (the body is already read).
- static: `app.ASSETS(...)`, which sends ETag and Last-Modified and answers
  a matching If-None-Match with 304 (docs/files.md).
- page: `app.TEMPLATES(...)` and `await res.render("page.html", ...)`
  (docs/templates.md; Jinja2's async mode).
"""

from heaven import App

import work_fixtures as fx


async def upload(req, res, ctx):
    form = await req.form
    part = form[fx.UPLOAD_FIELD]
    target = fx.upload_target()
    await part.asave(target)
    res.body = fx.upload_answer(part.filename, target)


async def form(req, res, ctx):
    res.body = fx.form_answer(req.form)


async def page(req, res, ctx):
    await res.render(fx.PAGE_TEMPLATE, **fx.PAGE_CONTEXT)


def build() -> App:
    app = App(max_body_size=4 * fx.UPLOAD_SIZE)
    app.POST(fx.UPLOAD_PATH, upload, stream=True)
    app.POST(fx.FORM_PATH, form)
    app.ASSETS("static", relative_to=fx.STATIC_DIR.parent)
    app.TEMPLATES(fx.TEMPLATES.name, relative_to=fx.TEMPLATES.parent, asynchronous=False)
    app.GET(fx.PAGE_PATH, page)
    return app


app = build()
