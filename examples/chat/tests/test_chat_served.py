"""`make example-chat`, the documented command, on both of granian's
interfaces: messages over real websockets, the counter over real
server-sent events (read by httpx-sse), sessions from real cookies."""

import asyncio
import json

import httpx
import pytest
import websockets
from httpx_sse import aconnect_sse

from services.commands import make_example
from services.postgres import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["asgi", "rsgi"])
def chat(request):
    command = make_example("chat", free_port(), request.param, None)
    try:
        command.wait_ready("/")
        yield command.url
    finally:
        output = command.interrupt()
    assert not command.killed, output


def session_cookie(url: str, name: str) -> str:
    r = httpx.post(f"{url}/join", data={"name": name})
    assert r.status_code == 303
    return f"chat={r.cookies['chat']}"


def test_messages_and_the_live_counter(chat):
    ws_url = chat.replace("http://", "ws://") + "/ws"
    ada, bob = session_cookie(chat, "ada"), session_cookie(chat, "bob")

    async def scenario():
        async with httpx.AsyncClient(timeout=10) as client, aconnect_sse(client, "GET", f"{chat}/events") as source:
            assert source.response.headers["content-type"].startswith("text/event-stream")
            events = source.aiter_sse()

            async def counts():
                event = await asyncio.wait_for(anext(events), 10)
                return json.loads(event.data)

            assert await counts() == {"online": 0, "messages": 0}
            async with websockets.connect(ws_url, additional_headers={"cookie": ada}) as first:
                assert await counts() == {"online": 1, "messages": 0}
                async with websockets.connect(ws_url, additional_headers={"cookie": bob}) as second:
                    assert await counts() == {"online": 2, "messages": 0}
                    await first.send("hello bob")
                    for socket in (first, second):
                        message = json.loads(await asyncio.wait_for(socket.recv(), 10))
                        assert (message["from"], message["text"]) == ("ada", "hello bob")
                    assert await counts() == {"online": 2, "messages": 1}
                assert await counts() == {"online": 1, "messages": 1}  # bob closed his page
            assert await counts() == {"online": 0, "messages": 1}

        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with websockets.connect(ws_url):  # no session, no name: no socket
                pass
        assert refused.value.response.status_code == 403

    asyncio.run(scenario())
