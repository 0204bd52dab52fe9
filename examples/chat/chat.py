"""A small browser chat: a Jinja2 page, CSS and JS served by ASSETS, messages
over a websocket to every open page, a live counter over server-sent events,
and the user's name in a signed-cookie session.

    make example-chat      # then open http://127.0.0.1:8000/ in two browser windows
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys

from heaven import App, Event
from room import Room

MAX_NAME = 30
MAX_TEXT = 500
KEEPALIVE_SECONDS = 15.0

SECRET_KEY = os.environ.get("SECRET_KEY")
if not SECRET_KEY:
    # Fine for one process; set SECRET_KEY when several workers (or restarts)
    # must read the same cookies.
    SECRET_KEY = secrets.token_hex(32)
    print("chat example: SECRET_KEY not set, using a random key for this process", file=sys.stderr)

app = App()
app.sessions(SECRET_KEY, cookie_name="chat", max_age=7 * 24 * 3600)
app.TEMPLATES("templates", relative_to=__file__)
app.ASSETS("static", relative_to=__file__)
app.ON("startup", lambda app: app.keep("room", Room()))


async def page(req, res, ctx):
    """The chat for a visitor with a name, else the form that asks for one."""
    await res.render("chat.html" if ctx.session.name else "join.html", max_name=MAX_NAME, max_text=MAX_TEXT)


async def join(req, res, ctx):
    name = str((await req.form).get("name", "")).strip()
    if not 1 <= len(name) <= MAX_NAME:
        res.status = 422
        await res.render("join.html", max_name=MAX_NAME, error=f"A name of 1 to {MAX_NAME} characters, please.")
        return
    ctx.session.name = name
    see_other(res, "/")


def leave(req, res, ctx):
    ctx.session.clear()
    see_other(res, "/")


def see_other(res, location):
    # 303: the browser follows with a GET (307/308 would repeat the POST).
    res.status = 303
    res.header("Location", location)


def named_only(req, res, ctx):
    """BEFORE hook of the websocket: no name in the session, no handshake (403)."""
    if not ctx.session.name:
        res.abort()


async def conversation(send, receive, req, ctx):
    room: Room = req.app.peek("room")
    name = ctx.session.name
    member = await room.join(name, send)
    try:
        while (message := await receive()) is not None:
            text = message.strip() if isinstance(message, str) else ""
            if 1 <= len(text) <= MAX_TEXT:
                await room.say(name, text)
    finally:
        room.leave(member)


async def counter(req, res, ctx):
    """Server-sent events: the counts now, then after every change, with a
    comment every KEEPALIVE_SECONDS so proxies keep the stream open."""
    room: Room = req.app.peek("room")

    async def events():
        queue = room.watch()
        try:
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except asyncio.TimeoutError:
                    yield Event(None, comment="keep-alive")
        finally:
            room.unwatch(queue)

    res.stream(events(), sse=True)


app.GET("/", page)
app.POST("/join", join)
app.POST("/leave", leave)
app.BEFORE("/ws", named_only)
app.WS("/ws", conversation)
app.GET("/events", counter)
