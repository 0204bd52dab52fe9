"""A websocket handler reads `ctx.session` from the cookie sent with the
handshake, on both interfaces (it read None before: only the HTTP lifecycle
handed the session manager to the context)."""

import asyncio

import httpx
import pytest
import websockets

pytestmark = pytest.mark.e2e


def test_websocket_handler_reads_the_session(serve):
    server = serve("session_ws_app:app")
    cookie = httpx.post(f"{server.url}/login/ada").headers["set-cookie"].split(";")[0]
    url = server.url.replace("http://", "ws://") + "/whoami"

    async def talk():
        async with websockets.connect(url, additional_headers={"cookie": cookie}) as ws:
            assert await ws.recv() == "you are ada"
        async with websockets.connect(url) as ws:
            assert await ws.recv() == "you are None"  # no cookie: an empty session

    asyncio.run(talk())
