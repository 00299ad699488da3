"""HTTP routes of the intake, under ``/api/intake``: the exchange platform's JSON feed and CSV
files (UTF-8 or GB18030) of the household register and death records."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import Invalid
from gzlongevity.files.errors import InputError
from gzlongevity.files.register import REGISTER_COLUMNS
from gzlongevity.files.table import LINE, read_table
from gzlongevity.intake import service
from gzlongevity.intake.schemas import FeedIn, FeedOut
from gzlongevity.kit.auth import ActorDep
from gzlongevity.models import FeedKind, Role, Source

router = APIRouter(prefix="/intake", tags=["intake"])
FEED_MAX_BYTES = 64 << 20  # a 500,000-row snapshot of about 120 bytes a row, with room
FEEDERS = (Role.EXCHANGE, Role.CITY)


@router.post("/feeds", status_code=201, summary="Receive a feed (JSON)")
def receive_json(feed: FeedIn, actor: ActorDep, session: SessionDep, clock: ClockDep) -> FeedOut:
    """A snapshot or change feed from the exchange platform (公安户籍, 卫生健康 death records):
    every row checked (ID check digit, birth date matching the ID, division codes), rows
    already held ignored (idempotent). Exchange platform or city."""
    actor.require(*FEEDERS)
    return service.receive(
        session,
        actor,
        clock.now(),
        source=feed.source,
        kind=feed.kind,
        name=feed.name,
        rows=service.frame_of(feed.rows),
    )


@router.post(
    "/feeds:upload",
    status_code=201,
    summary="Receive a feed (CSV)",
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def receive_csv(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    source: Source,
    kind: FeedKind,
    name: Annotated[str, Query(min_length=1, max_length=200)],
) -> FeedOut:
    """A CSV file with register.csv's header (``person_id,name,birth_date,event,event_date,
    known_on,district,street``; known_on may be empty: the day received), UTF-8 or GBK/GB18030,
    as the body. A bad line is refused naming the line; nothing is kept."""
    actor.require(*FEEDERS)
    body = await request.body()
    with tempfile.TemporaryDirectory(prefix="gzlongevity-feed-") as scratch:
        path = Path(scratch) / "feed.csv"
        path.write_bytes(body)
        try:
            frame = read_table(path, REGISTER_COLUMNS)
        except InputError as err:
            # The file's place in the message (file, line, reason) named as the sender named it.
            raise Invalid(str(err).replace(str(path), name, 1), "body") from None
    where = [f"{name} 第 {line} 行" for line in frame.get_column(LINE).to_list()]
    return service.receive(
        session,
        actor,
        clock.now(),
        source=source,
        kind=kind,
        name=name,
        rows=frame.drop(LINE),
        where=where,
    )
