"""The JSON API. The contracts (patients.py) validate bodies into `req.data`
and shape responses; these handlers only talk to the database, through
`ctx.db`, which the plugin puts on every request."""

from __future__ import annotations

from heaven import HTTPError

from .schemas import Patient

COLUMNS = "id, name, born, ward, notes, admitted"


class NotFound(HTTPError):
    status = 404

    def __init__(self, patient_id: int) -> None:
        super().__init__(f"no patient {patient_id}")
        self.detail = {"error": f"no patient {patient_id}", "path": "$"}


async def list_patients(req, res, ctx):
    limit = req.queries.get("limit", 50)
    if not isinstance(limit, int) or not 1 <= limit <= 200:
        raise HTTPError("limit must be an integer between 1 and 200", status=400)
    ward = req.queries.get("ward")
    res.body = await ctx.db.fetch(
        f"SELECT {COLUMNS} FROM patients WHERE $1::text IS NULL OR ward = $1 ORDER BY id LIMIT $2",
        ward, limit, bind=Patient,
    )


async def get_patient(req, res, ctx):
    patient = await ctx.db.fetchrow(f"SELECT {COLUMNS} FROM patients WHERE id = $1", req.params["id"], bind=Patient)
    if patient is None:
        raise NotFound(req.params["id"])
    res.body = patient


async def admit_patient(req, res, ctx):
    new = req.data  # a NewPatient, validated
    res.status = 201
    res.body = await ctx.db.fetchrow(
        f"INSERT INTO patients (name, born, ward, notes) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}",
        new.name, new.born, new.ward, new.notes, bind=Patient,
    )


async def update_patient(req, res, ctx):
    changes = req.data  # PATCH: a dict of the fields sent, each validated
    async with ctx.db.transaction() as tx:
        current = await tx.fetchrow(f"SELECT {COLUMNS} FROM patients WHERE id = $1 FOR UPDATE", req.params["id"], bind=Patient)
        if current is None:
            raise NotFound(req.params["id"])
        res.body = await tx.fetchrow(
            f"UPDATE patients SET ward = $2, notes = $3 WHERE id = $1 RETURNING {COLUMNS}",
            current.id, changes.get("ward", current.ward), changes.get("notes", current.notes), bind=Patient,
        )


async def discharge_patient(req, res, ctx):
    status = await ctx.db.execute("DELETE FROM patients WHERE id = $1", req.params["id"])
    if status == "DELETE 0":
        raise NotFound(req.params["id"])
    res.status = 204
