"""The grid map's figures: per substation and feeder, the enrolled capability and the latest
response, a participant's result shared among its feeders by their accounts' capability."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from gzvpp.core.evaluation import EFFECTIVE_RATIO
from gzvpp.gridmap import repository
from gzvpp.kit.auth import Actor
from gzvpp.models import Role


class FeederNode(BaseModel):
    """One feeder: participants and capability enrolled there, the latest response."""

    feeder: str
    participants: int
    capability_kw: Decimal
    latest_event_id: str | None
    latest_at: dt.datetime | None
    latest_awarded_kw: Decimal | None
    latest_response_kw: Decimal | None
    effective: bool | None  # the latest response reaches 80 % of the awarded kW (R6)


class SubstationNode(BaseModel):
    substation: str
    participants: int
    capability_kw: Decimal
    feeders: list[FeederNode]


def grid_map(session: Session, actor: Actor) -> list[SubstationNode]:
    """Every substation and feeder with held accounts of active participants (staff only).

    A feeder's latest response is that of the most recent event among its participants'
    latest results, each participant's awarded and response kW weighted by the share of its
    capability enrolled on the feeder.
    """
    actor.require(Role.GRID_OPERATOR, Role.REGULATOR)
    accounts = repository.feeder_accounts(session)
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    for row in accounts:
        totals[row.participant_id] += row.capability_kw
    results = repository.latest_results(session, list(totals))
    by_feeder: defaultdict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for row in accounts:
        by_feeder[(row.substation, row.feeder)][row.participant_id] += row.capability_kw
    stations: dict[str, list[FeederNode]] = defaultdict(list)
    for (station, feeder), shares in by_feeder.items():
        stations[station].append(_feeder(feeder, shares, totals, results))
    return [
        SubstationNode(
            substation=station,
            participants=len(
                {p for (s, _), shares in by_feeder.items() if s == station for p in shares}
            ),
            capability_kw=sum((f.capability_kw for f in feeders), Decimal(0)),
            feeders=feeders,
        )
        for station, feeders in stations.items()
    ]


def _feeder(
    feeder: str,
    shares: dict[str, Decimal],
    totals: dict[str, Decimal],
    results: dict[str, Any],
) -> FeederNode:
    latest = [results[p] for p in shares if p in results]
    newest = max((r.start_at for r in latest), default=None)
    awarded = response = None
    event_id = None
    if newest is not None:
        awarded, response = Decimal(0), Decimal(0)
        for p in shares:
            r = results.get(p)
            if r is None or r.start_at != newest:
                continue
            event_id = r.event_id
            weight = shares[p] / totals[p]
            awarded += r.awarded_kw * weight
            response += (r.response_kw or Decimal(0)) * weight
    return FeederNode(
        feeder=feeder,
        participants=len(shares),
        capability_kw=sum(shares.values(), Decimal(0)),
        latest_event_id=event_id,
        latest_at=newest,
        latest_awarded_kw=_tenth(awarded),
        latest_response_kw=_tenth(response),
        effective=(
            None
            if awarded is None or response is None
            else response >= awarded * Decimal(str(EFFECTIVE_RATIO))
        ),
    )


def _tenth(kw: Decimal | None) -> Decimal | None:
    return None if kw is None else kw.quantize(Decimal("0.1"), ROUND_HALF_UP)
