"""The BlackSheep contender of the real-work bench (benches/http/work.py):
`Application()` with `async def` request handlers.

- upload: `request.multipart_stream()` (BlackSheep's streaming parser: the
  part's bytes go straight to the file, no temporary file), each chunk of
  `part.stream()` written to disk, which is what `part.save_to(path)` does;
  `save_to` itself refuses paths outside the working directory.
- form: `await request.form()`, a dict of the fields.
- static: `app.serve_files(folder, root_path="static")`: ETag and
  Last-Modified, 304 on a matching If-None-Match.
- page: a `JinjaRenderer` over the template folder and `view(name, model)`
  (synchronous rendering, BlackSheep's default; APP_JINJA_EXTENSION names
  the templates' extension, as its docs say); `view` also sends
  `Cache-Control: no-cache`.
"""

import os

os.environ.setdefault("APP_JINJA_EXTENSION", ".html")  # read when blacksheep's renderer module loads

from blacksheep import Application, Request, json  # noqa: E402
from blacksheep.server.rendering.jinja2 import JinjaRenderer  # noqa: E402
from blacksheep.server.responses import view  # noqa: E402
from blacksheep.settings.html import html_settings  # noqa: E402
from jinja2 import FileSystemLoader  # noqa: E402

import work_fixtures as fx  # noqa: E402

app = Application()
app.serve_files(fx.STATIC_DIR, root_path="static")
html_settings.use(JinjaRenderer(loader=FileSystemLoader(fx.TEMPLATES)))


async def upload(request: Request):
    answer = None
    async for part in request.multipart_stream():
        if part.name == fx.UPLOAD_FIELD and part.file_name:
            target = fx.upload_target()
            with open(target, "wb") as out:
                async for chunk in part.stream():
                    out.write(chunk)
            answer = fx.upload_answer(part.file_name, target)
    return json(answer)


async def form(request: Request):
    return json(fx.form_answer(await request.form()))


async def page(request: Request):
    return view(fx.PAGE_TEMPLATE, fx.PAGE_CONTEXT)


app.router.add_post(fx.UPLOAD_PATH, upload)
app.router.add_post(fx.FORM_PATH, form)
app.router.add_get(fx.PAGE_PATH, page)
