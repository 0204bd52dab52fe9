"""What the JSON routes accept and return; the contracts validate against
these and /docs shows them."""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec

Name = Annotated[str, "min_len=1, max_len=100"]
Ward = Annotated[str, "min_len=1, max_len=40"]
Notes = Annotated[str, "max_len=2000"]


class Patient(msgspec.Struct):
    """A patient as stored (rows bind straight to it: `bind=Patient`)."""

    id: int
    name: str
    born: datetime.date
    ward: str
    notes: str
    admitted: datetime.datetime


class NewPatient(msgspec.Struct):
    """What a client sends to admit a patient."""

    name: Name
    born: datetime.date
    ward: Ward
    notes: Notes = ""


class PatientChanges(msgspec.Struct):
    """A PATCH body: any of these fields."""

    ward: Ward
    notes: Notes
