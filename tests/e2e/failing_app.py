"""An app whose startup fails: granian must not serve it."""

from heaven import App

app = App()


def connect(app):
    raise ConnectionError("database unreachable")


app.ONCE(connect)
app.GET("/", lambda req, res, ctx: None)
