"""``/api/policy-versions``: the rule versions and the loans carried in under an earlier
policy (thin: see ``service`` and :func:`gzcreditpool.loans.service.carry_in`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from gzcreditpool.kit.auth import ActorDep
from gzcreditpool.loans import service as loans
from gzcreditpool.loans.schemas import CarriedLoanIn, LoanOut
from gzcreditpool.policies import service
from gzcreditpool.policies.schemas import PolicyVersionIn, PolicyVersionOut
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery, page_of

router = APIRouter(tags=["政策版本 policy versions"])
PolicyCode = Annotated[str, Path(min_length=1, max_length=16, description="政策版本代码")]


@router.get("/policy-versions")
def list_versions(
    session: SessionDep, actor: ActorDep, pagination: PaginationQuery
) -> ListResource[PolicyVersionOut]:
    """The rule versions, the latest in force first (C10)."""
    items, total = page_of(service.versions(session, actor), pagination)
    return ListResource[PolicyVersionOut].build(list(items), total, pagination)


@router.post("/policy-versions", status_code=201)
def register(
    body: PolicyVersionIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> PolicyVersionOut:
    """市科技局 registers an earlier policy (第三十一条)."""
    return service.out(service.register(session, actor, body, clock.now()), 0)


@router.post("/policy-versions/{code}/loans", status_code=201)
def carry_in(
    code: PolicyCode, body: CarriedLoanIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> LoanOut:
    """市科技局 carries in a loan confirmed under the earlier policy ``code``."""
    now = clock.now()
    loan = loans.carry_in(session, actor, code, body, now)
    return loans.get(session, actor, loan.id, full=True, at=now)
