"""`heaven.Handler`: the base of handlers registered as
`'package.module.Class#method'` (one instance per request)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from .context import Context
    from .request import Request
    from .response import Response

T = TypeVar("T")


class Handler(Generic[T]):
    """Base for handlers registered as `'package.module.Class#method'`.

    One instance is built per request, so `self` is never shared between
    requests in flight; the method takes no arguments and reads
    `self.req`, `self.res` and `self.ctx`::

        class Orders(Handler):
            async def index(self):
                self.res.body = await self.req.app.peek('db').orders()

        app.GET('/orders', 'handlers.orders.Orders#index')
    """

    def __init__(self, req: Request[T], res: Response, ctx: Context) -> None:
        self.req = req
        self.res = res
        self.ctx = ctx
