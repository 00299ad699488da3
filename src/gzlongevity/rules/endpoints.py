"""HTTP routes of the rule configuration, under ``/api/rules``."""

from __future__ import annotations

from fastapi import APIRouter

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzlongevity.kit.auth import ActorDep
from gzlongevity.rules import service
from gzlongevity.rules.schemas import RulesOut, StandardIn, StandardOut, VersionIn, VersionOut

router = APIRouter(prefix="/rules", tags=["rules"])


@router.get("", summary="Rule versions and district standards")
def rules(actor: ActorDep, session: SessionDep) -> RulesOut:
    """Every rule version (months in force, the district's share) and district standard."""
    return service.rules(session)


@router.post("/standards", status_code=201, summary="Add a district standard")
def add_standard(
    body: StandardIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> StandardOut:
    """From a month after the last approved run. City only."""
    return service.add_standard(session, actor, clock.now(), body)


@router.post("/versions", status_code=201, summary="Add a rule version")
def add_version(
    body: VersionIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> VersionOut:
    """A successor measure, from a month after the last approved run. City only."""
    return service.add_version(session, actor, clock.now(), body)
