"""The examples of shared/seeds/heaven-readme.md and heaven-examples.txt, run
against heaven as written, with in-memory stand-ins for their databases.
(heaven-router.txt and heaven-plugins.txt are tests/project/test_seeds.py.)

Evident typos fixed, each named where it is fixed:
- readme: `from heaven import App` then `router = Router()` (Router is not
  imported: the import names it too);
- examples: missing imports (`wraps`, `HTTPStatus`, `dumps`, `Request`,
  `Response`, `Context`); `status.UNAUTHORIZED` for `HTTPStatus`'s; the
  delegates await, so they are `async def`; `return w.status = ...` and
  `c.keep('current_user') = ...` are not Python (an assignment then `return`,
  and `c.keep(name, value)`); PyJWT's `decode` takes `algorithms=[...]`;
  asyncpg's pool is `async with`; the query's `except` branch falls through
  to `roles` unbound, so it returns."""

from __future__ import annotations

import asyncio
import sys
import textwrap

import jwt

from heaven import App

# -- heaven-readme.md --------------------------------------------------------------

README_HANDLER = '''
from heaven import Request, Response, Context


async def get_record_by_id(req: Request, res: Response, ctx: Context):
    id = req.params.get('id')

    # we'll get to this in a minute
    dbconn = req.app.peek('dbconnection')
    results = await dbconn.execute('select * from patients where id = 1000')

    # req, res, ctx are available in your jinja templates
    ctx.keep('results', results)
    await res.render('patients.html')
'''

README_APP = '''
from heaven import App, Router  # also available as Router, Application  (typo fixed: Router imported)


router = Router()


# note that you did not need to import your request handler, just giving heaven
# the path to your handler as a string is enough
router.GET('/v1/patients/:id', 'controllers.patients.records.get_record_by_id')
'''


class _Patients:
    """Stands in for the readme's database connection."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    async def execute(self, sql: str) -> list[dict]:
        self.sql.append(sql)
        return [{"id": 1000, "name": "Ada"}]


def test_readme_quickstart(tmp_path, monkeypatch):
    package = tmp_path / "controllers" / "patients"
    package.mkdir(parents=True)
    for folder in (tmp_path / "controllers", package):
        (folder / "__init__.py").write_text("")
    (package / "records.py").write_text(README_HANDLER)
    (tmp_path / "example.py").write_text(README_APP)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "patients.html").write_text(
        "{{ req.params.id }}: {% for row in ctx.results %}{{ row.name }}{% endfor %} ({{ req.method }})"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    # examples/patients has a `controllers.patients` package of its own: the
    # readme's modules live only for this test, and theirs come back after it.
    names = [n for n in sys.modules if n == "example" or n == "controllers" or n.startswith("controllers.")]
    saved = {name: sys.modules.pop(name) for name in names}
    try:
        import example  # noqa: PLC0415 (the readme's module, written above)

        router = example.router
    finally:
        for name in [n for n in sys.modules if n == "example" or n == "controllers" or n.startswith("controllers.")]:
            del sys.modules[name]
        sys.modules.update(saved)
    db = _Patients()
    router.keep("dbconnection", db)
    router.TEMPLATES(str(templates))

    async def run():
        async with router.earth.test() as earth:
            return await earth.GET("/v1/patients/1000")

    req, res, ctx = asyncio.run(run())
    assert res.status == 200
    assert res.text == "1000: Ada (GET)"
    assert db.sql == ["select * from patients where id = 1000"]
    assert ctx.results == [{"id": 1000, "name": "Ada"}]


# -- heaven-examples.txt -----------------------------------------------------------

EXAMPLES = '''
from functools import wraps  # typo fixed: not imported
from http import HTTPStatus  # typo fixed: not imported
from json import dumps  # typo fixed: not imported

from heaven import Context, Request, Response  # typo fixed: not imported
from jwt import decode

Pool = object  # from asyncpg import Pool: only an annotation here


def protected(func):
    """Authentication"""
    @wraps(func)
    async def delegate(r: Request, w: Response, c: Context):  # typo fixed: awaits, so async
        token = r.headers.get('authorization')
        secret_key = r.app.CONFIG('SECRET_KEY')

        try: credentials = decode(token, secret_key, algorithms=['HS256'])  # typo fixed: algorithms=[...]
        except:  # noqa: E722
            w.status = HTTPStatus.UNAUTHORIZED  # typo fixed: `return w.status = status.UNAUTHORIZED`
            return
        else: c.keep('current_user', credentials.get('id'))  # typo fixed: `c.keep('current_user') = ...`

        return await func(r, w, c)
    return delegate


def private(resource: str):
    """RBAC Authorization, heaven makes it easy to also use ABAC"""
    def wrapper(func):
        @wraps(func)
        async def delegate(r: Request, w: Response, c: Context):  # typo fixed: awaits, so async
            dbpool: Pool = r.app.peek('dbpool')
            action = r.method.lower()
            async with dbpool.acquire() as sqld:  # typo fixed: asyncpg's acquire() is `async with`
                try: roles = await sqld.fetchval("""
                    SELECT roles
                    FROM privileges
                    WHERE user = $1 AND action = $2 AND resource = $3
                """, c.current_user, action, resource)
                except:  # noqa: E722
                    w.status = HTTPStatus.SERVICE_UNAVAILABLE
                    w.body = dumps({'message': 'please try again later'})
                    return  # typo fixed: fell through to `roles` unbound
            if action in roles: return await func(r, w, c)

            w.status = HTTPStatus.UNAUTHORIZED
            w.body = dumps({'message': 'insufficient privileges'})
        return delegate
    return wrapper
'''


class _Connection:
    def __init__(self, privileges: dict, fail: bool) -> None:
        self.privileges = privileges
        self.fail = fail

    async def fetchval(self, sql: str, user: int, action: str, resource: str) -> list[str]:
        if self.fail:
            raise ConnectionError("database down")
        return self.privileges.get((user, resource), [])

    async def __aenter__(self) -> _Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class _Pool:
    """Stands in for asyncpg's pool."""

    def __init__(self, privileges: dict) -> None:
        self.privileges = privileges
        self.fail = False

    def acquire(self) -> _Connection:
        return _Connection(self.privileges, self.fail)


def test_examples_authentication_and_authorization_decorators():
    scope: dict = {}
    exec(compile(textwrap.dedent(EXAMPLES), "heaven-examples.txt", "exec"), scope)  # noqa: S102
    protected, private = scope["protected"], scope["private"]

    app = App({"SECRET_KEY": "a secret of at least thirty-two bytes"})
    pool = _Pool({(7, "invoices"): ["get"]})
    app.keep("dbpool", pool)

    @protected
    @private("invoices")
    async def invoices(req, res, ctx):
        res.body = {"user": ctx.current_user, "invoices": []}

    app.GET("/invoices", invoices)
    app.DELETE("/invoices", invoices)
    token = jwt.encode({"id": 7}, "a secret of at least thirty-two bytes", algorithm="HS256")

    async def run():
        out = []
        async with app.earth.test() as earth:
            for method, headers in [
                ("GET", {"authorization": token}),
                ("GET", {}),
                ("GET", {"authorization": "garbage"}),
                ("DELETE", {"authorization": token}),
            ]:
                _, res, _ = await earth.send(method, "/invoices", headers=headers)
                out.append((res.status, res.json if res.status == 200 else res.text))
            pool.fail = True
            _, res, _ = await earth.GET("/invoices", headers={"authorization": token})
            out.append((res.status, res.text))
        return out

    assert asyncio.run(run()) == [
        (200, {"user": 7, "invoices": []}),
        (401, ""),
        (401, ""),
        (401, '{"message": "insufficient privileges"}'),
        (503, '{"message": "please try again later"}'),
    ]
