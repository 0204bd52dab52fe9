"""The patients app: the seed README's Quickstart made real, on PostgreSQL.

    make example-patients        # then open http://127.0.0.1:8000/v1/patients/1000

That target starts a throwaway PostgreSQL (unless DATABASE_URL is set),
applies migrations/ and serves this module under granian. By hand:

    python -m heaven.plugins.pg migrate migrations      # with DATABASE_URL set
    granian --interface asgi --working-dir examples/patients patients:app
"""

import os

from controllers.patients.schemas import NewPatient, Patient, PatientChanges
from heaven import App
from heaven.plugins.pg import Postgres

DATABASE_URL = os.environ.get("DATABASE_URL")
if not DATABASE_URL:
    raise RuntimeError("set DATABASE_URL=postgresql://user@host/db (make example-patients starts a throwaway server)")

app = App()  # also available as Router, Application
app.plugin(Postgres(DATABASE_URL, name="db"))
app.TEMPLATES("templates", relative_to=__file__)

# The handler is given by its dotted path: heaven imports it at registration.
app.GET("/v1/patients/:id:int", "controllers.patients.records.get_record_by_id")

# The JSON API, with contracts: bodies validated into req.data, responses shaped, /docs generated.
app.GET("/api/patients?ward&limit:int", "controllers.patients.api.list_patients")
app.GET("/api/patients/:id:int", "controllers.patients.api.get_patient")
app.POST("/api/patients", "controllers.patients.api.admit_patient")
app.PATCH("/api/patients/:id:int", "controllers.patients.api.update_patient")
app.DELETE("/api/patients/:id:int", "controllers.patients.api.discharge_patient")

app.schema.GET("/api/patients", returns=list[Patient], summary="Patients, by ward", group="patients")
app.schema.GET("/api/patients/:id:int", returns=Patient, summary="One patient", group="patients")
app.schema.POST("/api/patients", expects=NewPatient, returns=Patient, summary="Admit a patient", group="patients",
                forbid_unknown=True)
app.schema.PATCH("/api/patients/:id:int", expects=PatientChanges, returns=Patient, summary="Move or annotate",
                 group="patients", forbid_unknown=True)
app.schema.DELETE("/api/patients/:id:int", summary="Discharge a patient", group="patients")
app.DOCS("/docs", title="Patients", version="1.0.0")
