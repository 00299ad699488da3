"""An enterprise's page: its registration, eligibility today and 失信 flag (第八条, 第三十条),
with its loans, claims and recoveries across the pool — a bank's own only; the identity masked
unless shown in full, which the audit log records (第十一条 (六))."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzcreditpool.claims import repository as claims_repository
from gzcreditpool.claims import service as claims
from gzcreditpool.enterprises import service
from gzcreditpool.enterprises.schemas import EnterpriseProfileOut
from gzcreditpool.kit.auth import Actor
from gzcreditpool.kit.secrecy import mask, reveal
from gzcreditpool.loans import repository as loans_repository
from gzcreditpool.loans import service as loans
from gzcreditpool.models import Enterprise, Role
from gzcreditpool.recoveries import repository as recoveries_repository
from gzcreditpool.recoveries import service as recoveries
from gzkit.calendar import Calendar
from gzkit.errors import NotFound


def profile(
    session: Session,
    actor: Actor,
    enterprise_id: int,
    at: dt.datetime,
    calendar: Calendar,
    *,
    full: bool,
) -> EnterpriseProfileOut:
    """The enterprise with its loans, claims and recoveries; a bank sees only an enterprise it
    lent to, and only its own loans. ``full`` shows the credit code, name and contracts and is
    logged (never for the auditor)."""
    firm = session.get(Enterprise, enterprise_id)
    bank_id = actor.bank_id if actor.role is Role.BANK else None
    rows = loans_repository.of_enterprise(session, enterprise_id, bank_id) if firm else []
    if firm is None or (bank_id is not None and not rows):
        raise NotFound("没有此企业 / enterprise not found")
    if full:
        reveal(session, actor, "enterprise", str(firm.id), at)
    today = at.date()
    found = service.out(firm, today)
    if not full:
        found = found.model_copy(
            update={"uscc": mask(firm.uscc, 4, 2), "name": mask(firm.name, 1, 0)}
        )
    return EnterpriseProfileOut(
        enterprise=found,
        masked=not full,
        loans=[loans.out(loan, full=full) for loan in rows],
        claims=[
            claims.out(session, claim)
            for claim in session.scalars(
                claims_repository.claims(bank_id=bank_id, enterprise_id=firm.id)
            )
        ],
        recoveries=[
            recoveries.recovery_out(recovery, today, calendar)
            for recovery in session.scalars(
                recoveries_repository.recoveries(bank_id, enterprise_id=firm.id)
            )
        ],
    )
