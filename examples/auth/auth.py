"""JWT authentication and role-based authorization, the seed's decorators
written correctly, and the same guards as BEFORE hooks.

    make example-auth      # then: curl -X POST localhost:8000/login -d '{"username":"ada","password":"lovelace"}'

That target starts a throwaway PostgreSQL (unless DATABASE_URL is set),
applies migrations/ and serves this module under granian.

/v1/... routes are guarded by decorators, /v2/... by hooks; they answer alike.
"""

import asyncio
import os
import secrets
import sys
from typing import Annotated

import msgspec

from guards import issue_token, private, protected, require_privilege, require_token
from heaven import App
from heaven.plugins.pg import UNAVAILABLE, Postgres
from passwords import verify_password

DATABASE_URL = os.environ.get("DATABASE_URL")
if not DATABASE_URL:
    raise RuntimeError("set DATABASE_URL=postgresql://user@host/db (make example-auth starts a throwaway server)")
SECRET_KEY = os.environ.get("SECRET_KEY")
if not SECRET_KEY:
    # Fine for one process; with several workers (or restarts) set SECRET_KEY,
    # or a token signed by one worker is refused by the next.
    SECRET_KEY = secrets.token_hex(32)
    print("auth example: SECRET_KEY not set, using a random key for this process", file=sys.stderr)


class Credentials(msgspec.Struct):
    username: Annotated[str, "min_len=1, max_len=64"]
    password: Annotated[str, "min_len=1, max_len=256"]


class Token(msgspec.Struct):
    token: str
    token_type: str
    expires_in: int


class NewRecord(msgspec.Struct):
    title: Annotated[str, "min_len=1, max_len=200"]


class Record(msgspec.Struct):
    id: int
    title: str
    author: int


app = App({"SECRET_KEY": SECRET_KEY})
app.plugin(Postgres(DATABASE_URL, name="db"))  # first: the guards below use ctx.db


async def login(req, res, ctx):
    try:
        user = await ctx.db.fetchrow("SELECT id, password_hash FROM users WHERE username = $1", req.data.username)
    except UNAVAILABLE:
        res.status = 503
        res.header("Retry-After", "5")
        res.body = {"error": "please try again later"}
        return
    # The hash check runs even for unknown users, so timing does not tell which names exist.
    stored = user["password_hash"] if user else "scrypt$16384$8$1$00$00"
    if not await asyncio.to_thread(verify_password, req.data.password, stored) or user is None:
        res.status = 401
        res.body = {"error": "wrong username or password"}
        return
    res.body = Token(issue_token(user["id"], req.app.CONFIG("SECRET_KEY")), "Bearer", 15 * 60)


async def me(req, res, ctx):
    user = await ctx.db.fetchrow("SELECT id, username, role FROM users WHERE id = $1", ctx.current_user)
    if user is None:  # a valid token for an account deleted since
        res.status = 401
        res.body = {"error": "unknown user"}
        return
    res.body = dict(user)


async def list_records(req, res, ctx):
    res.body = await ctx.db.fetch("SELECT id, title, author FROM records ORDER BY id", bind=Record)


async def create_record(req, res, ctx):
    res.status = 201
    res.body = await ctx.db.fetchrow(
        "INSERT INTO records (title, author) VALUES ($1, $2) RETURNING id, title, author",
        req.data.title, ctx.current_user, bind=Record,
    )


async def delete_record(req, res, ctx):
    deleted = await ctx.db.execute("DELETE FROM records WHERE id = $1", req.params["id"])
    res.status = 204 if deleted == "DELETE 1" else 404


app.POST("/login", login)
app.schema.POST("/login", expects=Credentials, returns=Token, summary="Trade a username and password for a token")

# v1: the seed's decorators. @protected goes outside @private: who first, then what.
app.GET("/v1/me", protected(me))
app.GET("/v1/records", protected(private("records")(list_records)))
app.POST("/v1/records", protected(private("records")(create_record)))
app.DELETE("/v1/records/:id:int", protected(private("records")(delete_record)))

# v2: the same guards as BEFORE hooks, broadest first: a token for all of /v2,
# a privilege for /v2/records. Hooks run before the body is validated.
app.BEFORE("/v2/*", require_token)
app.BEFORE("/v2/records/*", require_privilege("records"))
app.GET("/v2/me", me)
app.GET("/v2/records", list_records)
app.POST("/v2/records", create_record)
app.DELETE("/v2/records/:id:int", delete_record)

for version in ("v1", "v2"):
    app.schema.POST(f"/{version}/records", expects=NewRecord, returns=Record, summary="Add a record")
