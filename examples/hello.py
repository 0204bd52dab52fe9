"""The app `make run` serves: plaintext, JSON, typed parameters and a hook.

    make run            # then: curl http://127.0.0.1:8000/users/7
"""

from heaven import App

app = App()


def index(req, res, ctx):
    res.body = "Hello from heaven!"


async def user(req, res, ctx):
    res.body = {"id": req.params["id"], "page": req.queries.get("page", 1), "by": ctx.caller}


def stamp(req, res, ctx):
    ctx.caller = req.headers.get("user-agent", "someone")


def powered_by(req, res, ctx):
    res.headers = "X-Powered-By", "heaven"


app.GET("/", index)
app.GET("/users/:id:int?page:int", user)
app.BEFORE("/users/*", stamp)
app.AFTER("/*", powered_by)
