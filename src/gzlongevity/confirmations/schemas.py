"""Bodies of the confirmation endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.models import Channel

BankAccount = Annotated[str, Field(pattern=r"^[0-9]{12,30}$", description="12–30 digits")]
Phone = Annotated[str, Field(pattern=r"^1[0-9]{10}$", description="a mainland mobile number")]


class BankIn(Input):
    """The bank account the allowance is paid into, and the deduction agreement (第十二条)."""

    bank_name: Annotated[str, Field(min_length=2, max_length=100)]
    bank_account: BankAccount
    phone: Phone | None = None
    agreement: bool = Field(False, description="Sign the 发放扣款协议 now (or later).")


class SelfConfirmIn(BankIn):
    """The elder (or an agent) confirms with the notice's code, the name and the ID number."""

    id_number: Annotated[str, Field(min_length=18, max_length=18)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]


class StaffConfirmIn(BankIn):
    """A confirmation recorded by the committee or street on the elder's behalf."""

    multiline = frozenset({"evidence"})
    channel: Literal[Channel.COMMITTEE, Channel.STREET]
    evidence: Annotated[str, Field(min_length=2, max_length=2000)]


class ConfirmationOut(BaseModel):
    """The confirmation as stored (account masked)."""

    person_id_masked: str
    person_ref: str
    name: str
    confirmed_on: dt.date
    channel: Channel
    bank_name: str
    bank_account_masked: str
    agreement_signed_on: dt.date | None


class BatchItem(BankIn):
    """One confirmation made on 穗好办 (or another government self-service channel, 第九条),
    which authenticated the person itself."""

    person_id: Annotated[str, Field(min_length=18, max_length=18)]
    confirmed_on: dt.date


class BatchIn(Input):
    """The confirmations a self-service platform sends in one delivery."""

    items: Annotated[list[BatchItem], Field(max_length=100_000)]


class BatchOut(BaseModel):
    """What a delivery did: confirmed, already confirmed (ignored), refused (left the city or
    dead: 第十一条), and the items for people not (yet) in the register, by their place in
    ``items`` (from 0; no ID number in an answer), to send again once the register data has
    arrived."""

    confirmed: int
    already: int
    refused: int
    unknown_items: list[int]
