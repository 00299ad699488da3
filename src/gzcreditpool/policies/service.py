"""Rule versions (C10; 第三十一条, 第三十二条): this policy, in force 2021-07-01 to 2026-06-30,
and the earlier policies 市科技局 registers to carry in the loans confirmed under them
**[reading: 第三十一条's 按当时的政策文件执行 as a rule version of its own]**."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzcreditpool.core.policy import CURRENT, Window, earlier_window_problem
from gzcreditpool.kit.audit import record
from gzcreditpool.kit.auth import Actor
from gzcreditpool.models import PolicyVersion, Role
from gzcreditpool.policies import repository
from gzcreditpool.policies.schemas import PolicyVersionIn, PolicyVersionOut
from gzkit.audit import snapshot
from gzkit.errors import Conflict, Invalid


def register(
    session: Session, actor: Actor, body: PolicyVersionIn, at: dt.datetime
) -> PolicyVersion:
    """市科技局 registers an earlier policy (第三十一条), audited.

    Raises
    ------
    Forbidden
        For anyone but 市科技局.
    Conflict
        A version with ``code`` exists.
    Invalid
        Its window does not end before this policy's first day, or ends before it starts.
    """
    actor.require(Role.BUREAU)
    if repository.one(session, body.code) is not None:
        raise Conflict(f"政策版本 {body.code} 已存在 / policy version exists")
    current = repository.current_windows(session)
    first = current[0].starts_on if current else CURRENT.starts_on
    problem = earlier_window_problem(Window(body.code, body.starts_on, body.ends_on), first)
    if problem is not None:
        raise Invalid(f"{problem} / not an earlier policy's window", ("body", "ends_on"))
    version = PolicyVersion(
        code=body.code,
        title=body.title,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        earlier=True,
    )
    session.add(version)
    session.flush()
    record(
        session,
        actor.label,
        "policy_version.register",
        "policy_version",
        version.code,
        None,
        snapshot(version),
        at=at,
    )
    return version


def versions(session: Session, actor: Actor) -> list[PolicyVersionOut]:
    """Every version with how many loans it holds, the latest in force first (the staff's)."""
    actor.require(Role.BUREAU, Role.TRUSTEE, Role.AUDITOR)
    counts = repository.loan_counts(session)
    return [out(version, counts.get(version.code, 0)) for version in repository.every(session)]


def out(version: PolicyVersion, loans: int) -> PolicyVersionOut:
    return PolicyVersionOut(
        code=version.code,
        title=version.title,
        starts_on=version.starts_on,
        ends_on=version.ends_on,
        earlier=version.earlier,
        loans=loans,
    )
