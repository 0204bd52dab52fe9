"""The chat example in-process, on ASGI and RSGI: joining sets a signed-cookie
session, the page and its assets are served, and the websocket needs a name
and carries messages to every page (through app.earth, on ASGI). The SSE
counter never ends, so it is tested through granian on both interfaces:
test_chat_served.py."""

import asyncio
import importlib
import json
import sys
from pathlib import Path

import pytest

from heaven.testing import Client

EXAMPLE = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["asgi", "rsgi"])
def interface(request):
    """The HTTP tests run on both of granian's interfaces (in-process)."""
    return request.param


@pytest.fixture(scope="module")
def app():
    sys.path.insert(0, str(EXAMPLE))
    return importlib.import_module("chat").app


def test_joining_keeps_the_name_in_a_signed_cookie(app, interface):
    with Client(app, interface=interface) as client:
        assert 'action="/join"' in client.get("/").text
        r = client.post("/join", data={"name": "  ada  "}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert r.headers["set-cookie"].startswith("chat=") and "HttpOnly" in r.headers["set-cookie"]
        page = client.get("/")
        assert '<span id="me">ada</span>' in page.text and "/static/chat.js" in page.text
        r = client.post("/leave", follow_redirects=False)
        assert r.status_code == 303 and 'action="/join"' in client.get("/").text


def test_names_are_checked_and_escaped(app, interface):
    with Client(app, interface=interface) as client:
        for name in ("", "   ", "x" * 31):
            r = client.post("/join", data={"name": name})
            assert r.status_code == 422 and "1 to 30 characters" in r.text
        client.post("/join", data={"name": "<b>eve</b>"})
        page = client.get("/").text
        assert "&lt;b&gt;eve&lt;/b&gt;" in page and "<b>eve</b>" not in page


def test_assets_are_served(app, interface):
    with Client(app, interface=interface) as client:
        css = client.get("/static/chat.css")
        assert css.status_code == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
        js = client.get("/static/chat.js")
        assert js.status_code == 200 and "new WebSocket" in js.text and "new EventSource" in js.text
        assert client.get("/static/../chat.py").status_code == 404


def test_messages_reach_every_page_and_a_nameless_socket_is_refused(app):
    with Client(app) as client:
        client.post("/join", data={"name": "ada"})
        ada = f"chat={client.cookies['chat']}"
    with Client(app) as client:
        client.post("/join", data={"name": "bob"})
        bob = f"chat={client.cookies['chat']}"

    async def talk():
        async with app.earth.test():
            async with app.earth.SOCKET("/ws") as nameless:
                assert nameless.close_code == 1008  # refused by the BEFORE hook
            async with app.earth.SOCKET("/ws", headers={"cookie": ada}) as first:
                async with app.earth.SOCKET("/ws", headers={"cookie": bob}) as second:
                    await first.send("  hello bob  ")
                    for socket in (first, second):
                        message = json.loads(await socket.receive())
                        assert (message["from"], message["text"]) == ("ada", "hello bob")
                    await second.send("")  # empty: ignored
                    await second.send("x" * 501)  # too long: ignored
                    await second.send("hi ada")
                    assert json.loads(await first.receive())["text"] == "hi ada"
                    room = app.peek("room")
                    assert room.counts() == {"online": 2, "messages": 2}
            # A page opened later starts with the conversation so far.
            async with app.earth.SOCKET("/ws", headers={"cookie": bob}) as late:
                assert [json.loads(await late.receive())["text"] for _ in range(2)] == ["hello bob", "hi ada"]

    asyncio.run(talk())
