"""Enterprises: registration with the 统一社会信用代码's check character validated, type
evidence, eligibility (第八条) checked again at each loan, and the 失信 flag (第三十条)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzcreditpool.core.enterprise import EnterpriseFacts, eligibility_problems
from gzcreditpool.core.uscc import uscc_problem
from gzcreditpool.enterprises import repository
from gzcreditpool.enterprises.schemas import EnterpriseIn, EnterpriseOut
from gzcreditpool.kit.audit import record, record_many
from gzcreditpool.kit.auth import Actor
from gzcreditpool.ledger import fen
from gzcreditpool.models import Enterprise, Role
from gzkit.audit import snapshot
from gzkit.errors import Conflict, Invalid, NotFound
from gzkit.pagination import PaginationParams, paginate


def get(session: Session, uscc: str) -> Enterprise:
    found = repository.by_uscc(session, uscc)
    if found is None:
        raise NotFound(f"没有统一社会信用代码为 {uscc} 的企业 / enterprise {uscc} not found")
    return found


def by_codes(session: Session, codes: set[str]) -> dict[str, Enterprise]:
    """The enterprises among ``codes`` that are registered, by code."""
    return {firm.uscc: firm for firm in repository.by_usccs(session, codes)}


def problems(enterprise: Enterprise, on: dt.date) -> list[str]:
    """Why ``enterprise`` is not eligible on ``on`` (C2), empty when it is."""
    facts = EnterpriseFacts(
        registered_in_guangzhou=enterprise.registered_in_guangzhou,
        independent_legal_person=enterprise.independent_legal_person,
        revenue_fen=fen(enterprise.revenue),
        high_tech_valid_until=enterprise.high_tech_valid_until,
        science_plan_project=enterprise.science_plan_project,
        founding_institution=enterprise.founding_institution,
        sme_database_no=enterprise.sme_database_no,
        dishonest=enterprise.dishonest_at is not None,
    )
    return eligibility_problems(facts, on)


def register(session: Session, actor: Actor, body: EnterpriseIn, at: dt.datetime) -> Enterprise:
    """Register an enterprise, or update its data (the code identifies it); audited."""
    registered = register_many(session, actor, [body], at)
    return registered[0] if registered else get(session, body.uscc.strip())


def register_many(
    session: Session, actor: Actor, bodies: list[EnterpriseIn], at: dt.datetime
) -> list[Enterprise]:
    """Register each of ``bodies`` (a bank or the trustee), or correct a registration (the
    trustee only; a bank sending the same data again changes nothing), audited, all or none.

    Raises
    ------
    Conflict
        A bank sending different data for an enterprise already registered.
    Invalid
        A code failing its check character (GB 32100), or a certificate without its validity;
        the field names the entry's position when there are several.
    """
    actor.require(Role.BANK, Role.TRUSTEE)
    codes = [body.uscc.strip() for body in bodies]
    for index, (code, body) in enumerate(zip(codes, bodies, strict=True)):
        where: tuple[str | int, ...] = (
            ("body", "enterprises", index) if len(bodies) > 1 else ("body",)
        )
        if (problem := uscc_problem(code)) is not None:
            raise Invalid(f"{problem} / invalid unified social credit code", (*where, "uscc"))
        if body.high_tech_certificate_no and body.high_tech_valid_until is None:
            raise Invalid(
                "填写高新技术企业证书编号时须填写有效期 / certificate needs its validity",
                (*where, "high_tech_valid_until"),
            )
    known = by_codes(session, set(codes))
    changes: list[tuple[str, dict[str, object] | None, Enterprise]] = []
    for code, body in zip(codes, bodies, strict=True):
        fields = body.model_dump(exclude={"uscc"})
        enterprise = known.get(code)
        before = snapshot(enterprise) if enterprise else None
        if enterprise is None:
            enterprise = Enterprise(uscc=code, created_at=at, updated_at=at, **fields)
            session.add(enterprise)
            known[code] = enterprise
        else:
            changed = {k: v for k, v in fields.items() if getattr(enterprise, k) != v}
            if not changed:
                continue
            if actor.role is Role.BANK:
                # The record serves every bank's loans: only the trustee corrects it.
                raise Conflict(
                    f"企业 {code} 已登记，登记信息如需更正请联系受托管理机构 / "
                    "already registered; the trustee corrects registrations"
                )
            for key, value in changed.items():
                setattr(enterprise, key, value)
            enterprise.updated_at = at
        changes.append((code, before, enterprise))
    session.flush()
    record_many(
        session,
        actor.label,
        "enterprise.register",
        "enterprise",
        [(code, before, snapshot(firm)) for code, before, firm in changes],
        at=at,
    )
    return [firm for _, _, firm in changes]


def flag_dishonest(
    session: Session, actor: Actor, uscc: str, reason: str, at: dt.datetime
) -> Enterprise:
    """第三十条: 市科技局 flags the enterprise 失信; its later loans are not eligible."""
    actor.require(Role.BUREAU)
    enterprise = get(session, uscc)
    before = snapshot(enterprise)
    enterprise.dishonest_at, enterprise.dishonest_reason = at, reason
    record(
        session,
        actor.label,
        "enterprise.dishonest",
        "enterprise",
        uscc,
        before,
        snapshot(enterprise),
        at=at,
    )
    return enterprise


def dishonest(
    session: Session, actor: Actor, today: dt.date, params: PaginationParams
) -> tuple[list[EnterpriseOut], int]:
    """A page of the enterprises flagged 失信 (第三十条), latest first, for the trustee,
    市科技局 and the auditor, and how many there are."""
    actor.require(Role.BUREAU, Role.TRUSTEE, Role.AUDITOR)
    rows, total = paginate(session, repository.dishonest(), params)
    return [out(firm, today) for firm in rows], total


def out(enterprise: Enterprise, today: dt.date) -> EnterpriseOut:
    found = problems(enterprise, today)
    return EnterpriseOut.model_validate(
        {
            **{
                k: getattr(enterprise, k)
                for k in EnterpriseOut.model_fields
                if hasattr(enterprise, k)
            },
            "eligible_today": not found,
            "problems_today": found,
        }
    )
