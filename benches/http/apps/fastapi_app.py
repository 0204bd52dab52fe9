"""FastAPI validating the same order body with pydantic (benches/http/validate.py).

Same fields and constraints as heaven_schema_app.py. `format=email` and
`format=uuid` there are patterns (heaven._types.FORMATS); they are copied
here as `pattern=` (EmailStr would need the email-validator package) and
validate.py checks that they are still identical. Unknown fields are refused
at every level (`extra="forbid"` on every model). Idiomatic FastAPI: an
`async def` endpoint taking the model, returning a dict. The interactive
docs routes are switched off (heaven serves none unless asked).
"""

from datetime import datetime
from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

# The very patterns heaven's format=email / format=uuid check with, so both
# sides validate the same thing.
from heaven._types import FORMATS  # noqa: E402

EMAIL = FORMATS["email"]
UUID = FORMATS["uuid"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Address(Strict):
    street: str = Field(min_length=1, max_length=128)
    city: str = Field(min_length=1, max_length=64)
    zip: str = Field(pattern=r"^[0-9]{5}$")
    country: str = Field(pattern=r"^[A-Z]{2}$")


class Customer(Strict):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=64)
    email: str = Field(pattern=EMAIL)
    address: Address


class LineItem(Strict):
    sku: str = Field(pattern=r"^[A-Z]{2}-[0-9]{4}$")
    name: str = Field(min_length=1, max_length=128)
    quantity: int = Field(ge=1, le=1000)
    unit_price: float = Field(ge=0)


class Order(Strict):
    order_id: str = Field(pattern=UUID)
    customer: Customer
    items: list[LineItem] = Field(min_length=1, max_length=100)
    tags: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(max_length=16)
    created_at: datetime
    note: str = Field(default="", max_length=500)


app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.post("/orders")
async def create_order(order: Order):
    total = sum(item.quantity * item.unit_price for item in order.items)
    return {"ok": True, "items": len(order.items), "total": round(total, 2)}
