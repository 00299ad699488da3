"""Bodies and answers of the change endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.confirmations.schemas import BankAccount, Phone
from gzlongevity.models import ChangeKind, ChangeStatus


class PersonalChangeIn(Input):
    """Name, phone or address (applied at once)."""

    told_on: dt.date
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    phone: Phone | None = None
    address: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class BankChangeIn(Input):
    """A new bank account (takes effect when a second officer approves)."""

    told_on: dt.date
    bank_name: Annotated[str, Field(min_length=2, max_length=100)]
    bank_account: BankAccount


class ChangeOut(BaseModel):
    """A change request (account numbers masked)."""

    id: int
    person_id_masked: str
    person_ref: str
    kind: ChangeKind
    status: ChangeStatus
    values: dict[str, Any]
    told_on: dt.date
    act_by: dt.date
    requested_at: dt.datetime
    decided_by: str | None
