"""heaven validating an order body with `app.schema` (benches/http/validate.py).

The contract is msgspec Structs with Heaven-style constraint strings; the
FastAPI contender (fastapi_app.py) declares the same fields with the same
constraints as pydantic models. Unknown fields are refused at every level
(`forbid_unknown=True`: by default heaven accepts them and leaves them out of
`req.data`, as Heaven 2.4.3 accepts them; see docs/schemas.md).
"""

from datetime import datetime
from typing import Annotated

import msgspec

from heaven import App


class Address(msgspec.Struct):
    street: Annotated[str, "min_len=1, max_len=128"]
    city: Annotated[str, "min_len=1, max_len=64"]
    zip: Annotated[str, "regex=^[0-9]{5}$"]
    country: Annotated[str, "regex=^[A-Z]{2}$"]


class Customer(msgspec.Struct):
    id: Annotated[int, "min=1"]
    name: Annotated[str, "min_len=1, max_len=64"]
    email: Annotated[str, "format=email"]
    address: Address


class LineItem(msgspec.Struct):
    sku: Annotated[str, "regex=^[A-Z]{2}-[0-9]{4}$"]
    name: Annotated[str, "min_len=1, max_len=128"]
    quantity: Annotated[int, "min=1, max=1000"]
    unit_price: Annotated[float, "min=0"]


class Order(msgspec.Struct):
    order_id: Annotated[str, "format=uuid"]
    customer: Customer
    items: Annotated[list[LineItem], "min_len=1, max_len=100"]
    tags: Annotated[list[Annotated[str, "min_len=1, max_len=32"]], "max_len=16"]
    created_at: datetime
    note: Annotated[str, "max_len=500"] = ""


async def create_order(req, res, ctx):
    order = req.data  # an Order, validated before the handler runs
    total = sum(item.quantity * item.unit_price for item in order.items)
    res.body = {"ok": True, "items": len(order.items), "total": round(total, 2)}


app = App()
app.POST("/orders", create_order)
#: The Contract: `contract.decode(body_bytes)` is what the route runs on each request.
contract = app.schema.POST("/orders", expects=Order, forbid_unknown=True)
