"""HTTP routes of the outbox, under ``/api/notices``: the interface an SMS gateway or the
letter service uses (the exchange platform's identity, or the city)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from gzkit.audit import snapshot
from gzkit.clock import ClockDep
from gzkit.db import RowId, SessionDep
from gzkit.errors import Conflict, NotFound
from gzkit.pagination import ListResource, PaginationQuery, paginate
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import ActorDep, audited
from gzlongevity.models import Notice, NoticeChannel, NoticeKind, Person, Role

router = APIRouter(prefix="/notices", tags=["notices"])
SENDERS = (Role.EXCHANGE, Role.CITY)


class NoticeOut(BaseModel):
    """One message: to whom, how, what; sent or waiting."""

    id: int
    kind: NoticeKind
    channel: NoticeChannel
    recipient: str
    body: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def _out(notice: Notice) -> NoticeOut:
    return NoticeOut(
        id=notice.id,
        kind=notice.kind,
        channel=notice.channel,
        recipient=notice.recipient,
        body=notice.body,
        created_at=notice.created_at,
        sent_at=notice.sent_at,
    )


@router.get("", summary="Notices waiting to be sent")
def waiting(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    channel: NoticeChannel | None = None,
) -> ListResource[NoticeOut]:
    """The oldest first. The sender (exchange platform) or the city."""
    actor.require(*SENDERS)
    statement = select(Notice).where(Notice.sent_at.is_(None))
    if channel is not None:
        statement = statement.where(Notice.channel == channel)
    rows, total = paginate(session, statement.order_by(Notice.id), pagination)
    return ListResource[NoticeOut].build([_out(notice) for notice in rows], total, pagination)


@router.post("/{notice_id}/sent", summary="Mark a notice sent")
def sent(notice_id: RowId, actor: ActorDep, session: SessionDep, clock: ClockDep) -> NoticeOut:
    """The sender has delivered it to the gateway or the post."""
    actor.require(*SENDERS)
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(f"没有通知 {notice_id} / notice not found")
    if notice.sent_at is not None:
        raise Conflict("通知已发送 / already sent")
    now = clock.now()
    person = session.get(Person, notice.person_id)
    assert person is not None  # a foreign key
    before = snapshot(notice)
    notice.sent_at = now
    record(
        session,
        actor.label,
        "notice.sent",
        "notice",
        str(notice.id),
        audited(before, person),
        audited(snapshot(notice), person),
        at=now,
    )
    return _out(notice)
