"""The pg plugin under granian (test_pg_e2e.py): DATABASE_URL from the
environment, a table made at startup."""

import os

import msgspec

from heaven import App
from heaven.plugins.pg import Postgres


class Note(msgspec.Struct):
    id: int
    text: str


app = App()
db = Postgres(os.environ["DATABASE_URL"], min_size=1, max_size=4)
app.plugin(db)


async def schema(app):
    await db.execute("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, text text NOT NULL)")


async def add(req, res, ctx):
    res.status = 201
    res.body = await ctx.db.fetchrow("INSERT INTO notes (text) VALUES ($1) RETURNING id, text", req.json["text"], bind=Note)


async def notes(req, res, ctx):
    res.body = await ctx.db.fetch("SELECT id, text FROM notes ORDER BY id", bind=Note)


async def broken(req, res, ctx):
    await ctx.db.fetch("SELECT password FROM secret_table")


app.ON("startup", schema)
app.POST("/notes", add)
app.GET("/notes", notes)
app.GET("/broken", broken)
