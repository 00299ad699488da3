"""Bodies and answers of the intake pipeline's endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.models import NoticeChannel, Origin, TaskStatus


class TaskOut(BaseModel):
    """One intake task, with the person's ID masked."""

    id: int
    person_id_masked: str
    person_ref: str
    name: str
    origin: Origin
    district: str
    street: str
    status: TaskStatus
    created_on: dt.date
    notify_by: dt.date
    notified_on: dt.date | None
    escalated_on: dt.date | None
    overdue: bool


class NotifyIn(Input):
    """How to send the notice: SMS to the phone held, or a letter to the address."""

    channel: NoticeChannel
    recipient: Annotated[str, Field(min_length=1, max_length=200)]


class NotifyOut(BaseModel):
    """The task after the notice; the code is shown once (it is also in the notice)."""

    task: TaskOut
    notice_id: int
    code: str


class ApplicationIn(Input):
    """An application by someone the data missed (第十条), at the committee or street."""

    id_number: Annotated[str, Field(min_length=18, max_length=18)]
    name: Annotated[str, Field(min_length=1, max_length=100)]


class SweepOut(BaseModel):
    """What a daily sweep did."""

    tasks_created: int
    tasks_escalated: int
    orders: int
