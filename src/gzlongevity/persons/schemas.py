"""Bodies and answers of the person endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.models import Channel, RegisterStatus


class FindIn(Input):
    """An exact ID number to look up (in the body: never in a URL)."""

    id_number: Annotated[str, Field(min_length=18, max_length=18)]


class PersonOut(BaseModel):
    """A person with the ID number and bank account masked (or in full, :func:`full`);
    ``ref`` names the person in routes (``/api/persons/{ref}``)."""

    ref: str
    id_number: str
    name: str
    birth_date: dt.date
    district: str
    street: str
    status: RegisterStatus
    death_date: dt.date | None
    death_conflict: bool
    military: bool
    phone: str | None
    bank_name: str | None
    bank_account: str | None
    confirmed_on: dt.date | None
    confirm_channel: Channel | None
    agreement_signed_on: dt.date | None
    suspended_from: str | None
    masked: bool
