"""Authentication (a JWT in `Authorization: Bearer ...`, checked with PyJWT)
and role-based authorization (the `privileges` table), written once and
offered two ways:

- as decorators, the seed's `@protected` and `@private(resource)`;
- as BEFORE hooks, `require_token` and `require_privilege(resource)`.

A refusal is a JSON body: 401 (with `WWW-Authenticate`) for a missing,
malformed, expired or wrongly signed token; 403 when the role may not do
this; 503 (with `Retry-After`) when the database cannot be reached.
"""

from __future__ import annotations

import time
from functools import wraps
from http import HTTPStatus

import jwt

from heaven import Context, Request, Response
from heaven.plugins.pg import UNAVAILABLE

ALGORITHM = "HS256"
TOKEN_SECONDS = 15 * 60
# The action a method performs on a resource, as the privileges table names it.
ACTIONS = {"GET": "read", "HEAD": "read", "POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def issue_token(user_id: int, secret_key: str, seconds: int = TOKEN_SECONDS) -> str:
    now = int(time.time())
    return jwt.encode({"sub": str(user_id), "iat": now, "exp": now + seconds}, secret_key, algorithm=ALGORITHM)


def refuse(res: Response, status: HTTPStatus, error: str) -> bool:
    """Write the refusal into `res`; False, so checks read `if not await ...`."""
    res.status = status
    res.body = {"error": error}
    if status == HTTPStatus.UNAUTHORIZED:
        res.header("WWW-Authenticate", f'Bearer error="invalid_token", error_description="{error}"')
    elif status == HTTPStatus.SERVICE_UNAVAILABLE:
        res.header("Retry-After", "5")
    return False


async def authenticate(req: Request, res: Response, ctx: Context) -> bool:
    """True with `ctx.current_user` set to the user id, else a 401."""
    header = req.headers.get("authorization")
    if header is None:
        return refuse(res, HTTPStatus.UNAUTHORIZED, "missing bearer token")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return refuse(res, HTTPStatus.UNAUTHORIZED, "malformed authorization header")
    try:
        claims = jwt.decode(
            token.strip(), req.app.CONFIG("SECRET_KEY"), algorithms=[ALGORITHM], options={"require": ["exp", "iat", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        return refuse(res, HTTPStatus.UNAUTHORIZED, "token expired")
    except jwt.InvalidSignatureError:
        return refuse(res, HTTPStatus.UNAUTHORIZED, "bad token signature")
    except jwt.InvalidTokenError:
        return refuse(res, HTTPStatus.UNAUTHORIZED, "malformed token")
    if not claims["sub"].isdigit():
        return refuse(res, HTTPStatus.UNAUTHORIZED, "malformed token")
    ctx.keep("current_user", int(claims["sub"]))
    return True


async def authorize(req: Request, res: Response, ctx: Context, resource: str) -> bool:
    """True when the current user's role may do this method's action on
    `resource`, else a 403 (or a 503 when the database is down)."""
    action = ACTIONS.get(req.method)
    try:
        allowed = action is not None and await ctx.db.fetchval(
            """
            SELECT EXISTS (
                SELECT 1 FROM users JOIN privileges ON privileges.role = users.role
                WHERE users.id = $1 AND privileges.resource = $2 AND privileges.action = $3
            )
            """,
            ctx.current_user, resource, action,
        )
    except UNAVAILABLE:
        return refuse(res, HTTPStatus.SERVICE_UNAVAILABLE, "please try again later")
    if not allowed:
        return refuse(res, HTTPStatus.FORBIDDEN, "insufficient privileges")
    return True


# -- as decorators (the seed's spelling) -------------------------------------------


def protected(handler):
    """Authentication: the handler runs only with a valid token."""

    @wraps(handler)
    async def delegate(req: Request, res: Response, ctx: Context):
        if await authenticate(req, res, ctx):
            await handler(req, res, ctx)

    return delegate


def private(resource: str):
    """Authorization (RBAC): the handler runs only if the user's role holds
    the privilege. Goes under `@protected`, which sets `ctx.current_user`."""

    def wrapper(handler):
        @wraps(handler)
        async def delegate(req: Request, res: Response, ctx: Context):
            if await authorize(req, res, ctx, resource):
                await handler(req, res, ctx)

        return delegate

    return wrapper


# -- as BEFORE hooks -------------------------------------------------------------------


async def require_token(req: Request, res: Response, ctx: Context):
    if not await authenticate(req, res, ctx):
        res.abort(res.body)  # stops the chain: later hooks, the contract and the handler do not run


def require_privilege(resource: str):
    async def hook(req: Request, res: Response, ctx: Context):
        if not await authorize(req, res, ctx, resource):
            res.abort(res.body)

    hook.__qualname__ = f"require_privilege({resource!r})"
    return hook
