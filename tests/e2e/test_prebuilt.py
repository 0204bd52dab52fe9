"""Prebuilt start messages under a real granian: the usual answers are
right whatever their length, type or method, concurrently; answers of
other shapes are unchanged; a middleware that edits a start message in
place never changes another request's answer; and heaven recognises
granian's own ASGI `send` (the check the prebuilt messages rely on).
On RSGI, the usual answers share one header list, checked the same way."""

import asyncio

import httpx
import pytest

from .conftest import Server

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(serve):
    return serve("prebuilt_app:app", ready=False)


def test_the_usual_answers_at_every_length_type_and_method(server):
    server.wait_ready(path="/text/1")
    with httpx.Client(base_url=server.url) as http:
        for n in (0, 1, 27, 1000, 1023, 1024, 5000):
            r = http.get(f"/text/{n}")
            assert (r.status_code, r.text, r.headers["content-type"]) == (200, "x" * n, "text/plain; charset=utf-8")
            assert r.headers["content-length"] == str(n)
            r = http.get(f"/json/{n}")
            assert r.json() == {"pad": "y" * n} and r.headers["content-type"] == "application/json"
            assert r.headers["content-length"] == str(len(r.content))
            head = http.head(f"/text/{n}")
            assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(n))


def test_other_shapes_keep_their_own_headers(server):
    server.wait_ready(path="/text/1")
    with httpx.Client(base_url=server.url) as http:
        for _ in range(2):  # the second time, after the usual answers were prebuilt
            r = http.get("/created")
            assert (r.status_code, r.text, r.headers["content-length"]) == (201, "made", "4")
            r = http.get("/tagged/3")
            assert (r.text, r.headers["x-tag"], r.headers["content-length"]) == ("xxx", "3", "3")
            r = http.get("/text/3")
            assert "x-tag" not in r.headers and r.headers["content-length"] == "3"


def test_concurrent_answers_each_get_their_own_length(server):
    server.wait_ready(path="/text/1")
    sizes = [n % 97 for n in range(300)]

    # `connections` requests in flight at a time, each on a connection of its
    # own. Never more: httpx queues the rest in its pool, spends CPU on that
    # queue that grows with its length, and a slow client machine then times
    # its own queue out (a PoolTimeout with the server idle).
    connections = 32

    async def fetch_all():
        in_flight = asyncio.Semaphore(connections)
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30.0) as http:

            async def fetch(n):
                async with in_flight:
                    return await http.get(f"/text/{n}")

            return await asyncio.gather(*(fetch(n) for n in sizes))

    for n, r in zip(sizes, asyncio.run(fetch_all())):
        assert (r.text, r.headers["content-length"]) == ("x" * n, str(n))


def test_an_answer_edited_on_its_way_out_changes_no_other(interface):
    """ASGI: a middleware edits a start message in place (its own, never a
    prebuilt one), and heaven recognises granian's own `send` (if a granian
    release renamed its protocol type, heaven would still answer right, but
    build every message anew). RSGI: an answer with its own header never
    reaches the header list made once for the usual answers."""
    if interface == "asgi":
        server = Server("prebuilt_app:wrapped", interface="asgi")
        server.wait_ready(path="/text/2")
        plain, edited = "/text/5", "/wrapped/text/5"
    else:
        server = Server("prebuilt_app:app", interface="rsgi")
        server.wait_ready(path="/text/2")
        plain, edited = "/text/5", "/tagged/5"
    try:
        with httpx.Client(base_url=server.url) as http:
            assert [k for k in http.get(plain).headers if k.startswith("x-")] == []
            for _ in range(3):
                r = http.get(edited)
                assert r.text == "xxxxx" and len([k for k in r.headers if k.startswith("x-")]) == 1
                r = http.get(plain)
                assert r.text == "xxxxx" and [k for k in r.headers if k.startswith("x-")] == []
            if interface == "asgi":
                assert http.get("/recognised").text == "yes"
    finally:
        server.stop()


def test_any_other_send_is_not_the_servers_own():
    from heaven import _core

    async def send(message):
        pass

    assert not _core._servers_own(send)
    assert not _core._servers_own(print)  # a builtin function, of no granian object
    assert not _core._servers_own([].append)  # a builtin method of another type


def test_a_body_message_in_flight_is_never_reused():
    """The server's own `send` gets one kept body message, reused only when
    nothing else holds it: an answer whose messages are made but not yet
    sent keeps its body, and the next answer gets a message of its own."""
    from heaven import _core

    first = _core._body_message(b"first")
    second = _core._body_message(b"second")  # `first` is still held: a new message
    assert first is not second
    assert (first, second) == ({"type": "http.response.body", "body": b"first"},
                               {"type": "http.response.body", "body": b"second"})  # fmt: skip
    kept = id(first)
    del first, second
    again = _core._body_message(b"again")  # nothing holds the kept one now: reused
    assert id(again) == kept and again == {"type": "http.response.body", "body": b"again"}
