"""The order contract of the `validate` endpoint, as plain data (standard
library only: the original Heaven 2.4.3 app imports it from its own venv).

Every contender validates `POST /validate` (benches/http/validate_body.json)
against these fields and constraints and refuses unknown fields at every
level; each declares them in its own idiom (contract_msgspec.py,
contract_pydantic.py, heaven_app.py, heaven243_app.py). The two `format`
patterns are heaven's own (`heaven._contracts.constraints.FORMATS`); run.py checks they are
still identical before measuring.
"""

EMAIL = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"
UUID = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"
ZIP = r"^[0-9]{5}$"
COUNTRY = r"^[A-Z]{2}$"
SKU = r"^[A-Z]{2}-[0-9]{4}$"


def answer(items) -> dict:
    """What every contender answers, from the validated line items
    (`quantity` and `unit_price` read as attributes or keys)."""
    total = 0.0
    count = 0
    for item in items:
        q, p = (item["quantity"], item["unit_price"]) if isinstance(item, dict) else (item.quantity, item.unit_price)
        total += q * p
        count += 1
    return {"ok": True, "items": count, "total": round(total, 2)}
