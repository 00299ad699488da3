"""The participants page stays fast with a city's 10,000 participants: it asks the service for
one sorted page, never the whole list."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from conftest import START, Platform
from sqlalchemy import insert

from gzkit.db import session_scope
from gzvpp.core.eligibility import UserCategory
from gzvpp.core.model import ParticipantKind
from gzvpp.models import Account, Participant, ParticipantStatus

COUNT = 10_000


def test_ten_thousand_participants_page_quickly(platform: Platform) -> None:
    people = [
        {
            "id": f"p-{i:05d}",
            "kind": ParticipantKind.USER,
            "name": f"广州第{i:05d}号用户",
            "general_taxpayer": True,
            "capability_kw": Decimal(500 + i % 997),
            "response_duration_min": 60,
            "realtime_capable": i % 3 == 0,
            "minute_monitoring": i % 3 == 0,
            "realtime_capability_kw": Decimal(200) if i % 3 == 0 else None,
            "policy_compliant": True,
            "category": UserCategory.LARGE_INDUSTRY,
            "max_load_kw": Decimal(5000),
            "status": ParticipantStatus.ACTIVE,
            "submitted_at": START - dt.timedelta(minutes=i),
            "updated_at": START,
        }
        for i in range(COUNT)
    ]
    accounts = [
        {
            "account_id": f"09{i:010d}",
            "participant_id": f"p-{i:05d}",
            "capability_kw": Decimal(500 + i % 997),
            "substation": f"站{i % 50:02d}",
            "feeder": "F01",
            "created_at": START,
        }
        for i in range(COUNT)
    ]
    with session_scope(platform.app.state.sessionmaker) as session:
        session.execute(insert(Participant), people)
        session.execute(insert(Account), accounts)
    platform.client.cookies.clear()
    platform.sign_in(platform.grid_token)
    for path in (
        "/console/participants?sort=-capability_kw&page=200",
        "/console/participants?q=广州第09&sort=name",
        "/console/participants?substation=站07&realtime=true&sort=-submitted_at&page=3",
        "/console/overview",
    ):
        began = time.perf_counter()
        page = platform.client.get(path)
        elapsed = time.perf_counter() - began
        assert page.status_code == 200, path
        assert elapsed < 1.5, f"{path} took {elapsed:.2f} s"
    assert "共 10000 条" in platform.client.get("/console/participants").text
