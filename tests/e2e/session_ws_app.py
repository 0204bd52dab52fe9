"""A websocket handler that reads the signed-cookie session the browser sent
with the handshake (test_websocket_session.py)."""

from heaven import App

app = App()
app.sessions("websocket session secret")


def login(req, res, ctx):
    ctx.session.user = req.params["name"]


async def whoami(send, receive, req, ctx):
    await send(f"you are {ctx.session.user}")


app.POST("/login/:name", login)
app.WS("/whoami", whoami)
