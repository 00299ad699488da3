"""Answers of the person endpoints."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from gzlongevity.models import Channel, RegisterStatus


class PersonOut(BaseModel):
    """A person with the ID number and bank account masked (or in full, :func:`full`)."""

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
