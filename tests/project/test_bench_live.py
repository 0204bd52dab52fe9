"""The heaven app of benches/http/live.py answers what the bench checks, on
both interfaces, so the bench cannot rot unnoticed: the websocket route
echoes text and bytes and closes normally, and GET /events sends the hub's
events as consecutive SSE `data:` lines, to each subscriber, and forgets a
subscriber that leaves (else the publisher would wait on it for ever)."""

import asyncio
import sys
from pathlib import Path

import pytest

from helpers import converse, http_scope, stream_call

APPS = Path(__file__).resolve().parents[2] / "benches" / "http" / "apps"
sys.path.append(str(APPS))  # after tests/ and the venv: nothing here shadows them

import fanout  # noqa: E402  (benches/http/apps)
import live_heaven  # noqa: E402

pytestmark = pytest.mark.interfaces


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> fanout.Hub:
    fresh = fanout.Hub(queue_size=4)
    monkeypatch.setattr(live_heaven, "hub", fresh)
    return fresh


def event(seq: int) -> bytes:
    return b'data: {"seq":%d,"topic":"ticks"}\n\n' % seq


def test_websocket_echoes_until_the_client_leaves(interface: str) -> None:
    seen = asyncio.run(converse(live_heaven.app, "/ws", ["hello", b"\x00\xff", "héllo ✓"]))
    assert seen[:4] == [("accept",), ("text", "hello"), ("bytes", b"\x00\xff"), ("text", "héllo ✓")]
    # The client left: nothing more on ASGI; RSGI's transport is closed
    # (granian needs it, and sends no frame to a gone client).
    assert seen[4:] == ([] if interface == "asgi" else [("close", 1000)])


def test_events_arrive_in_order_and_the_subscriber_is_forgotten(hub: fanout.Hub) -> None:
    async def main() -> dict:
        answer = await stream_call(live_heaven.app, http_scope("/events"), leave_after_chunks=6)
        await asyncio.sleep(0)  # let the publisher see the queue gone
        return answer

    answer = asyncio.run(main())
    assert answer["status"] == 200
    assert answer["chunks"] == [event(n) for n in range(1, 7)]
    assert hub.subscribers == {}


def test_every_subscriber_gets_consecutive_events(hub: fanout.Hub) -> None:
    async def main() -> list[dict]:
        return await asyncio.gather(
            *(stream_call(live_heaven.app, http_scope("/events"), leave_after_chunks=20) for _ in range(3))
        )

    for answer in asyncio.run(main()):
        first = int(answer["chunks"][0].split(b'"seq":')[1].split(b",")[0])
        assert answer["chunks"] == [event(n) for n in range(first, first + 20)]
    assert hub.subscribers == {}
