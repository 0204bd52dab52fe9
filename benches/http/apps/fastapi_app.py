"""FastAPI validating the same order body with pydantic (benches/http/validate.py).

Same fields and constraints as heaven_schema_app.py (the models live in
contract_pydantic.py; `format=email`/`format=uuid` are patterns there, the
same as heaven's, which validate.py checks). Unknown fields are refused
at every level (`extra="forbid"` on every model). Idiomatic FastAPI: an
`async def` endpoint taking the model, returning a dict. The interactive
docs routes are switched off (heaven serves none unless asked).
"""

from fastapi import FastAPI

# One pydantic contract for every pydantic-based contender (contract_pydantic.py);
# its patterns are contract.py's, checked against heaven's FORMATS.
from contract import EMAIL, UUID  # noqa: F401  (validate.py checks these)
from contract_pydantic import Order


app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.post("/orders")
async def create_order(order: Order):
    total = sum(item.quantity * item.unit_price for item in order.items)
    return {"ok": True, "items": len(order.items), "total": round(total, 2)}
