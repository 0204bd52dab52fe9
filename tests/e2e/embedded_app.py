"""Serve a heaven app with granian's embedded server (the loop is already
running when granian calls `__rsgi_init__`): run as a script, it prints what
a client saw, as JSON, for tests/e2e/test_embedded.py."""

import asyncio
import json
import sys

import httpx
from granian.constants import Interfaces
from granian.server.embed import Server

from heaven import App

app = App()
events = []


async def slow_startup(app):
    await asyncio.sleep(0.3)  # a request arriving now must wait, not see a half-started app
    events.append("started")


async def shutdown(app):
    await asyncio.sleep(0.05)
    events.append("stopped")


async def state(req, res, ctx):
    res.body = {"events": list(events)}


app.ON("startup", slow_startup)
app.ON("shutdown", shutdown)
app.GET("/state", state)


async def main(interface: str, port: int) -> dict:
    server = Server(app, port=port, interface=Interfaces(interface))
    serving = asyncio.create_task(server.serve())
    seen = None
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                seen = (await client.get(f"http://127.0.0.1:{port}/state")).json()
                break
            except httpx.TransportError:
                await asyncio.sleep(0.02)
    server.stop()
    await serving
    for _ in range(100):  # shutdown under a running loop finishes as the loop turns
        if "stopped" in events:
            break
        await asyncio.sleep(0.01)
    return {"first_answer": seen, "events": events}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2])))))
