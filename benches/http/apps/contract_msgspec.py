"""The order contract as plain msgspec Structs with `msgspec.Meta`
constraints, unknown fields forbidden: what `bare`, `bare_rsgi` and
`starlette` decode with by hand and what Litestar binds natively. The same
fields and bounds as heaven's `app.schema` contract (apps/heaven_schema_app.py),
written without heaven's constraint strings."""

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from contract import EMAIL, UUID, ZIP, COUNTRY, SKU


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class Address(Strict):
    street: Annotated[str, Meta(min_length=1, max_length=128)]
    city: Annotated[str, Meta(min_length=1, max_length=64)]
    zip: Annotated[str, Meta(pattern=ZIP)]
    country: Annotated[str, Meta(pattern=COUNTRY)]


class Customer(Strict):
    id: Annotated[int, Meta(ge=1)]
    name: Annotated[str, Meta(min_length=1, max_length=64)]
    email: Annotated[str, Meta(pattern=EMAIL)]
    address: Address


class LineItem(Strict):
    sku: Annotated[str, Meta(pattern=SKU)]
    name: Annotated[str, Meta(min_length=1, max_length=128)]
    quantity: Annotated[int, Meta(ge=1, le=1000)]
    unit_price: Annotated[float, Meta(ge=0)]


class Order(Strict):
    order_id: Annotated[str, Meta(pattern=UUID)]
    customer: Customer
    items: Annotated[list[LineItem], Meta(min_length=1, max_length=100)]
    tags: Annotated[list[Annotated[str, Meta(min_length=1, max_length=32)]], Meta(max_length=16)]
    created_at: datetime
    note: Annotated[str, Meta(max_length=500)] = ""


decoder = msgspec.json.Decoder(Order)
