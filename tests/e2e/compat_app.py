"""Heaven 2.4.3 spellings served by granian (tests/e2e/test_compat.py)."""

import os
import tempfile

from heaven import App

app = App(None, True, False, True)  # 2.4.3's positional constructor
FILES = tempfile.mkdtemp(prefix="heaven-e2e-compat-")
with open(os.path.join(FILES, "report.txt"), "w") as handle:
    handle.write("numbers\n")


def where(req, res, ctx):
    res.body = {"server": req.server is not None, "route": req.route, "qh": req.qh, "page": req.queries.get("page"),
                "day": str(req.params["day"]), "n": req.params["n"]}


def boom(req, res, ctx):
    res.headers = "X-Handler", "dropped"
    raise RuntimeError("boom")


async def stream(req, res, ctx):
    async def rows():
        yield b"a\n"
        yield b"b\n"

    res.stream(rows(), status=201)


app.GET("/day/:day:Date/:n:int?page:INT", where)
app.BEFORE("/boom", lambda req, res, ctx: res.header("X-Hook", "kept"))
app.GET("/boom", boom)
app.PUT("/things/:id", lambda req, res, ctx: None)
app.DELETE("/things/:id", lambda req, res, ctx: None)
app.GET("/file/*", lambda req, res, ctx: res.file(os.path.join(FILES, req.params["*"]), within=FILES))
app.GET("/stream", stream)
app.cors(lambda req, res, ctx: res.header("Access-Control-Allow-Origin", "*"))
