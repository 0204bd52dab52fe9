"""The order contract as pydantic models (FastAPI and BlackSheep bind these):
the same fields and `Field(...)` bounds, `extra="forbid"` on every model,
heaven's email/uuid patterns copied as `pattern=` (as apps/fastapi_app.py
does for benches/http/validate.py)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contract import EMAIL, UUID, ZIP, COUNTRY, SKU


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Address(Strict):
    street: str = Field(min_length=1, max_length=128)
    city: str = Field(min_length=1, max_length=64)
    zip: str = Field(pattern=ZIP)
    country: str = Field(pattern=COUNTRY)


class Customer(Strict):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=64)
    email: str = Field(pattern=EMAIL)
    address: Address


class LineItem(Strict):
    sku: str = Field(pattern=SKU)
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
