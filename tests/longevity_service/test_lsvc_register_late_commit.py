"""The register each process keeps (gzlongevity.intake.repository) misses no event committed
late: PostgreSQL numbers rows as transactions insert them, so a feed may commit rows numbered
below those another process has already read."""

from __future__ import annotations

import datetime as dt

from lsvc_api import Api, citizen_id, registered
from sqlalchemy import select, update

from gzkit.db import session_scope
from gzlongevity.intake.repository import load_register
from gzlongevity.models import RegisterEvent


def test_an_event_numbered_below_those_read_is_still_read(api: Api) -> None:
    birth = dt.date(1945, 5, 5)
    first, early, late = citizen_id(birth), citizen_id(birth), citizen_id(birth)
    api.at("2021-08-02")
    api.feed([registered(first, birth, "郑甲")])  # the database's first event stays first
    api.feed([registered(early, birth, "郑一"), registered(late, birth, "郑二")])
    factory = api.app.state.sessionmaker
    with session_scope(factory) as session:
        # The late one's row as if its feed had not committed yet, numbered below a row that
        # has (the early one's, moved up).
        row = session.scalars(select(RegisterEvent).where(RegisterEvent.person_id == late)).one()
        kept = {c.name: getattr(row, c.key) for c in RegisterEvent.__table__.columns}
        session.delete(row)
        session.flush()
        session.execute(
            update(RegisterEvent)
            .where(RegisterEvent.person_id == early)
            .values(id=kept["id"] + 100)
        )
    with session_scope(factory) as session:
        assert load_register(session).person_ids == sorted([first, early])
    with session_scope(factory) as session:  # the feed commits
        session.execute(RegisterEvent.__table__.insert().values(**kept))
    with session_scope(factory) as session:
        register = load_register(session)
    assert register.person_ids == sorted([first, early, late])
    assert len(register.row_person) == 3
