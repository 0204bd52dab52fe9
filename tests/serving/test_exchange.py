"""`_serving.exchange.begin` makes the request trio without calling the
classes' constructors (faster): it must make the same objects they do."""

from __future__ import annotations

from heaven import App
from heaven._serving.exchange import begin
from heaven.context import Context
from heaven.request import Request
from heaven.response import Response

_MISSING = object()


def state(obj: object) -> dict[str, object]:
    """Every slot of the object (unset ones as _MISSING), and its __dict__."""
    slots = [name for cls in type(obj).__mro__ for name in getattr(cls, "__slots__", ()) if name != "__dict__"]
    found = {name: getattr(obj, name, _MISSING) for name in slots}
    found.update(getattr(obj, "__dict__", {}))
    return found


def test_begin_makes_what_the_constructors_make():
    app, child = App(), App()
    app.GET("/", lambda req, res, ctx: None)
    head = app._compile().route({"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "headers": []})
    for body, reader in ((b"", None), (None, iter(()))):
        req, res, ctx = begin(head, body, reader, child, child, app)
        made_req = Request(head, body, reader, child, child, app)
        made_res = Response(child, None, made_req)
        made_ctx = Context(made_req, made_res)
        made_res._ctx = made_ctx

        assert state(req) == state(made_req)  # same slots set, to the same values
        # Response and Context point at their own trio: compare the rest, then the links.
        links = ("_req", "_ctx", "_res")
        assert {k: v for k, v in state(res).items() if k not in links} == {
            k: v for k, v in state(made_res).items() if k not in links
        }
        assert {k: v for k, v in state(ctx).items() if k not in links} == {
            k: v for k, v in state(made_ctx).items() if k not in links
        }
        assert (res._req, res._ctx, ctx._req, ctx._res) == (req, ctx, req, res)


def test_each_exchange_gets_its_own_header_list():
    app = App()
    app.GET("/", lambda req, res, ctx: None)
    head = app._compile().route({"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "headers": []})
    first, second = begin(head, b"", None, app, None, app), begin(head, b"", None, app, None, app)
    assert first[1]._headers == [] and first[1]._headers is not second[1]._headers
    first[1].header("X-A", "1")
    assert second[1]._headers == []


def test_a_class_without_a_slot_is_refused_when_the_exchange_is_made():
    from heaven._core import Exchange
    from heaven.request import UNREAD

    class Lacking:
        __slots__ = ("_req",)  # a Context without `_res`

    class Property:
        __slots__ = ("_req",)
        _res = property(lambda self: None)  # not a slot at all

    for cls in (Lacking, Property):
        try:
            Exchange(Request, Response, cls, UNREAD)
        except TypeError as exc:
            assert str(exc) == f"test_a_class_without_a_slot_is_refused_when_the_exchange_is_made.<locals>.{cls.__name__} has no __slots__ entry \"_res\""
        else:
            raise AssertionError(f"{cls.__name__} accepted")
