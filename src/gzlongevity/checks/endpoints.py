"""HTTP routes of checks, under ``/api/persons/{ref}/checks``."""

from __future__ import annotations

from fastapi import APIRouter

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzlongevity.checks import service
from gzlongevity.checks.schemas import CheckIn, CheckOut
from gzlongevity.kit.auth import ActorDep

router = APIRouter(prefix="/persons/{ref}/checks", tags=["checks"])


@router.post("", status_code=201, summary="Record a check")
def record_check(
    ref: str, body: CheckIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> CheckOut:
    """入户调查、邻里访问、电话询访、数据比对; a failed one stops payment from the next month."""
    return service.record_check(session, actor, clock.now(), ref, body)


@router.get("", summary="A person's checks")
def list_checks(ref: str, actor: ActorDep, session: SessionDep) -> list[CheckOut]:
    """Newest first."""
    return service.list_checks(session, actor, ref)
