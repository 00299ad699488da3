"""Bodies and answers of the payer-account endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.confirmations.schemas import BankAccount


class PayerAccountIn(Input):
    """A payer's account: its name at the bank, its number and the bank."""

    account_name: Annotated[str, Field(min_length=2, max_length=200)]
    account_number: BankAccount
    bank: Annotated[str, Field(min_length=2, max_length=100)]


class PayerOut(BaseModel):
    """A payer and its account (the number masked); ``configured`` false when none is set, and
    then its bank files cannot be written."""

    code: str
    name: str
    configured: bool
    account_name: str | None
    account_masked: str | None
    bank: str | None
    updated_at: dt.datetime | None
    updated_by: str | None
