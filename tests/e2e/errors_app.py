"""The app tests/e2e/test_errors.py serves: a custom 404 page, problem+json
for everything else heaven answers, a crash, 204 and 304 answers, str
bodies UTF-8 cannot encode."""

from http import HTTPStatus

from heaven import App, HTTPError

app = App().PROBLEMS()


@app.ERROR(404)
def not_found(req, res, ctx, exc):
    res.body = f"<h1>Nothing at {req.path}</h1>"
    res.header("Content-Type", "text/html; charset=utf-8")


def crash(req, res, ctx):
    raise ZeroDivisionError("boom")


def empty(req, res, ctx):
    res.status = 204
    res.body = "dropped"


def unchanged(req, res, ctx):
    res.status = 304
    res.header("ETag", '"v1"')


def refused(req, res, ctx):
    raise HTTPError(status=409, detail="the order was already paid", headers={"Retry-After": "5"})


def unencodable(req, res, ctx):
    """A lone surrogate in a str body: the handler's bug, on the usual path, a
    bodiless status, and the general path (a status that is not a plain int)."""
    res.body = "bad \ud800 text"
    kind = req.params["kind"]
    if kind == "bodiless":
        res.status = 204
    elif kind == "general":
        res.status = HTTPStatus.OK


app.GET("/", lambda req, res, ctx: setattr(res, "body", "up"))
app.GET("/unencodable/:kind", unencodable)
app.GET("/crash", crash)
app.GET("/empty", empty)
app.GET("/unchanged", unchanged)
app.POST("/orders", refused)
app.GET("/jp", lambda req, res, ctx: res.redirect("/日本 語"))
