"""Class-based controllers: `app.controller(...)` with `heaven.controllers`
marks (docs/groups.md)."""

import asyncio

import msgspec
import pytest

from heaven import App
from heaven.controllers import AFTER, BEFORE, DELETE, GET, HTTP, POST, WS
from helpers import Client, converse

pytestmark = pytest.mark.interfaces


class NewUser(msgspec.Struct):
    name: str


class Users:
    prefix = "/users"

    def __init__(self, store=None):
        self.store = store if store is not None else {1: "ada"}
        self.log = []

    @BEFORE()
    def opened(self, req, res, ctx):
        self.log.append("before")

    @AFTER("/:id:int")
    def closed(self, req, res, ctx):
        self.log.append("after one")

    @GET("/")
    def index(self, req, res, ctx):
        res.body = sorted(self.store.values())

    @GET("/:id:int")
    async def show(self, req, res, ctx):
        res.body = {"id": req.params["id"], "name": self.store[req.params["id"]]}

    @POST("/", expects=NewUser)
    def create(self, req, res, ctx):
        new_id = max(self.store) + 1
        self.store[new_id] = req.data.name
        res.status = 201
        res.body = {"id": new_id}

    @DELETE("/:id:int", name="remove_user")
    def remove(self, req, res, ctx):
        self.store.pop(req.params["id"], None)
        res.status = 204

    def helper(self):
        """Not marked: not a route."""
        return "no"


def test_a_controller_registers_its_marked_methods_under_its_prefix():
    app = App()
    users = Users()
    app.controller(users)
    with Client(app) as c:
        assert c.get("/users").json() == ["ada"]
        assert c.get("/users/1").json() == {"id": 1, "name": "ada"}
        assert c.post("/users", json={"name": "bob"}).json() == {"id": 2}
        assert c.post("/users", json={"nom": "bob"}).status_code == 422
        assert c.delete("/users/2").status_code == 204
        assert c.get("/users/helper").status_code == 404
    assert users.store == {1: "ada"}
    assert [(ep.method, ep.pattern) for ep in app.routes] == [
        ("GET", "/users"), ("GET", "/users/:id:int"), ("POST", "/users"), ("DELETE", "/users/:id:int"),
    ]


def test_controller_hooks_run_for_its_routes_only():
    app = App()
    users = Users()
    app.controller(users)
    app.GET("/users/export", lambda req, res, ctx: setattr(res, "body", "app route"))
    with Client(app) as c:
        c.get("/users/1")
        assert users.log == ["before", "after one"]
        users.log.clear()
        c.get("/users")
        assert users.log == ["before"]
        users.log.clear()
        assert c.get("/users/export").text == "app route"
        assert users.log == []


def test_names_for_url_for_and_a_prefix_given_at_registration():
    app = App()
    app.controller(Users, prefix="/people")
    assert app.url_for("Users.show", id=1) == "/people/1"
    assert app.url_for("Users.remove_user", id=1) == "/people/1"
    app.controller(Users(), prefix="/staff", namespace="Staff")
    assert app.url_for("Staff.index") == "/staff"
    with Client(app) as c:
        assert c.get("/people/1").json() == {"id": 1, "name": "ada"}
        assert c.get("/staff").json() == ["ada"]


def test_controllers_inside_groups_and_openapi():
    log = []
    app = App()
    api = app.group("/v1")
    api.BEFORE("/*", lambda req, res, ctx: log.append("api"))
    api.controller(Users())
    with Client(app) as c:
        assert c.get("/v1/users/1").status_code == 200
    assert log == ["api"]
    doc = app.openapi()
    assert sorted(doc["paths"]) == ["/v1/users", "/v1/users/{id}"]
    assert "requestBody" in doc["paths"]["/v1/users"]["post"]


def test_subclasses_inherit_routes_and_websockets_work():
    class Rooms:
        prefix = "/rooms"

        @WS("/:room")
        async def chat(self, send, receive, req, ctx):
            await send(f"{self.greeting} {req.params['room']}")

        @HTTP("/:room/info")
        def info(self, req, res, ctx):
            res.body = req.method

        greeting = "hello"

    class LoudRooms(Rooms):
        greeting = "HELLO"

    app = App()
    app.controller(LoudRooms)
    assert asyncio.run(converse(app, "/rooms/lobby", [])) == [("accept",), ("text", "HELLO lobby"), ("close", 1000)]
    with Client(app) as c:
        assert c.patch("/rooms/lobby/info").text == "PATCH"


def test_a_controller_with_nothing_marked_is_refused():
    class Empty:
        def index(self, req, res, ctx):
            pass

    with pytest.raises(ValueError, match="Empty.*no method is marked"):
        App().controller(Empty)
    with pytest.raises(TypeError, match="route must be a string"):
        GET(42)


def test_controller_around_hooks_and_error_handlers():
    from heaven.controllers import AROUND, ERROR

    class Orders:
        prefix = "/orders"

        @AROUND()
        async def wrap(self, req, res, ctx, call_next):
            await call_next()
            res.headers = "X-Orders", "wrapped"

        @ERROR(LookupError)
        def missing(self, req, res, ctx, exc):
            res.status = 404
            res.body = {"error": "no such order"}

        @GET("/:id:int")
        def show(self, req, res, ctx):
            res.body = {1: "tea"}[req.params["id"]]

    app = App()
    app.controller(Orders)
    app.GET("/elsewhere", lambda req, res, ctx: setattr(res, "body", "plain"))
    with Client(app) as c:
        r = c.get("/orders/1")
        assert (r.text, r.headers["x-orders"]) == ("tea", "wrapped")
        r = c.get("/orders/2")
        assert (r.status_code, r.json()) == (404, {"error": "no such order"})
        assert "x-orders" not in c.get("/elsewhere").headers
