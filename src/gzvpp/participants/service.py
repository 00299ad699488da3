"""The enrolment workflow (第六条) and the participant views.

Steps and who takes them::

    submitted ──start_review (grid operator)──▶ grid_review
    grid_review ──pass_review (grid operator, all eligibility checks pass)──▶ publicity
    publicity ──clear_publicity (regulator: 公示 period over, no objection)──▶ publicity, cleared
    publicity, cleared ──activate (grid operator: agreement signed)──▶ active
    submitted, grid_review ──reject (grid operator)──▶ rejected
    publicity ──reject (regulator, objection during 公示)──▶ rejected

The 公示 lasts ``GZVPP_PUBLICITY_WORKDAYS`` working days (default 5, counted with the working
calendar from the day after review passed); the regulator cannot close it earlier.

A rejection releases the participant's accounts so they can apply again. Each step writes an
audit record with the participant before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import uuid4

import numpy as np
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.calendar import Calendar, UncoveredDayError, nth_workday_after
from gzkit.errors import Conflict, Forbidden, Invalid, NotFound
from gzkit.pagination import PaginationParams
from gzkit.sorting import Sorting
from gzvpp.core.eligibility import (
    AggregatorApplication,
    EligibilityCheck,
    Member,
    UserApplication,
    UserCategory,
    check_aggregator,
    check_user,
    is_eligible,
)
from gzvpp.core.model import ParticipantKind
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.kit.policy import publicity_workdays
from gzvpp.models import Account, AggregatorMember, Participant, ParticipantStatus, Role
from gzvpp.participants import schemas
from gzvpp.participants.repository import ParticipantRepository
from gzvpp.terms import CONDITIONS

ENTITY = "participant"
PUBLICITY_STATUSES = (ParticipantStatus.PUBLICITY, ParticipantStatus.ACTIVE)
# Who may reject, by the status the application is in.
REJECTERS = {
    ParticipantStatus.SUBMITTED: Role.GRID_OPERATOR,
    ParticipantStatus.GRID_REVIEW: Role.GRID_OPERATOR,
    ParticipantStatus.PUBLICITY: Role.REGULATOR,
}


class ParticipantService:
    """Enrolment, the workflow steps, and reads, each within the caller's transaction."""

    def enrol(
        self,
        session: Session,
        actor: Actor,
        now: dt.datetime,
        application: schemas.PowerUserCreate | schemas.AggregatorCreate,
    ) -> schemas.ParticipantDetail:
        """Record an application as ``submitted``, holding its accounts; 201 even if ineligible.

        The eligibility checks come back with it; an ineligible application cannot pass review.

        Raises
        ------
        Invalid
            The same account listed twice.
        Conflict
            An account already held by another participant.
        """
        actor.require(Role.GRID_OPERATOR)
        repository = ParticipantRepository(session)
        accounts = _accounts_of(application)
        seen: set[str] = set()
        for index, account in enumerate(accounts):
            if account.account_id in seen:
                raise Invalid(
                    f"account {account.account_id} is listed more than once",
                    ("body", "aggregator", "members", index, "account_id"),
                )
            seen.add(account.account_id)
        clashes = repository.holders(seen)
        if clashes:
            listing = "; ".join(
                f"account {account_id} by participant {holder.id} ({holder.name}, "
                f"{holder.status.value})"
                for account_id, holder in sorted(clashes.items())
            )
            raise Conflict(
                f"already held: {listing}; an account belongs to one participant at a time"
            )

        participant = _new_participant(application, now)
        for account in accounts:
            held = Account(
                account_id=account.account_id,
                capability_kw=account.capability_kw,
                substation=account.substation,
                feeder=account.feeder,
                created_at=now,
            )
            if isinstance(account, schemas.MemberCreate):
                held.member = AggregatorMember(
                    aggregator_id=participant.id,
                    member_name=account.member_name,
                    policy_compliant=account.policy_compliant,
                )
            participant.accounts.append(held)
        session.add(participant)
        session.flush()
        record(
            session,
            actor.label,
            "participant.enrol",
            ENTITY,
            participant.id,
            None,
            _state(participant),
            at=now,
        )
        return self._detail(repository, participant)

    def search(
        self,
        session: Session,
        actor: Actor,
        *,
        pagination: PaginationParams,
        sorting: Sorting[schemas.SortProperty],
        query: str | None,
        kind: ParticipantKind | None,
        statuses: Sequence[ParticipantStatus],
        category: UserCategory | None,
        substation: str | None,
        realtime: bool | None,
    ) -> tuple[Sequence[Participant], int]:
        """A page of participants; a participant-scoped actor sees only its own."""
        return ParticipantRepository(session).search(
            pagination=pagination,
            sorting=sorting,
            query=query,
            kind=kind,
            statuses=statuses,
            category=category,
            substation=substation,
            realtime=realtime,
            participant_id=actor.participant_id if actor.role.participant_scoped else None,
        )

    def publicity_list(
        self,
        session: Session,
        actor: Actor,
        *,
        pagination: PaginationParams,
        sorting: Sorting[schemas.SortProperty],
    ) -> tuple[Sequence[Participant], int]:
        """Participants in publicity (公示) or active, for the regulator and the grid operator."""
        actor.require(Role.REGULATOR, Role.GRID_OPERATOR)
        return ParticipantRepository(session).search(
            pagination=pagination, sorting=sorting, statuses=PUBLICITY_STATUSES
        )

    def get(self, session: Session, actor: Actor, participant_id: str) -> schemas.ParticipantDetail:
        """One participant with its accounts and eligibility."""
        actor.require_participant(participant_id)
        repository = ParticipantRepository(session)
        return self._detail(repository, _found(repository, participant_id))

    def start_review(
        self, session: Session, actor: Actor, now: dt.datetime, participant_id: str
    ) -> schemas.ParticipantDetail:
        """submitted → grid_review: the grid operator takes the application up."""
        actor.require(Role.GRID_OPERATOR)
        repository, participant, before = _take(
            session, participant_id, "start_review", ParticipantStatus.SUBMITTED
        )
        participant.status = ParticipantStatus.GRID_REVIEW
        participant.review_started_at = now
        return self._changed(repository, actor, now, "start_review", participant, before)

    def pass_review(
        self, session: Session, actor: Actor, now: dt.datetime, participant_id: str
    ) -> schemas.ParticipantDetail:
        """grid_review → publicity: review passed, the participant goes on the 公示 list."""
        actor.require(Role.GRID_OPERATOR)
        repository, participant, before = _take(
            session, participant_id, "pass_review", ParticipantStatus.GRID_REVIEW
        )
        failed = [c.code for c in self._eligibility(repository, participant) if not c.passed]
        if failed:
            raise Conflict(
                f"未满足准入条件（第四条）：{'、'.join(CONDITIONS[c] for c in failed)} / "
                f"participant {participant_id} is not eligible; failed checks: "
                f"{', '.join(c.value for c in failed)}"
            )
        participant.status = ParticipantStatus.PUBLICITY
        participant.publicity_started_at = now
        return self._changed(repository, actor, now, "pass_review", participant, before)

    def clear_publicity(
        self, session: Session, actor: Actor, now: dt.datetime, participant_id: str
    ) -> schemas.ParticipantDetail:
        """The regulator closes the 公示 without objection; the agreement may now be signed."""
        actor.require(Role.REGULATOR)
        repository, participant, before = _take(
            session, participant_id, "clear_publicity", ParticipantStatus.PUBLICITY
        )
        if participant.publicity_cleared_at is not None:
            raise Conflict(
                f"公示已结束 / the publicity of participant {participant_id} is already cleared"
            )
        ends_at = publicity_ends_at(participant.publicity_started_at)
        if ends_at is not None and now < ends_at:
            raise Conflict(
                f"公示期未满：{publicity_workdays()} 个工作日的公示至 {ends_at:%Y-%m-%d %H:%M} "
                f"结束，之后方可确认无异议 / the publicity of participant {participant_id} runs "
                f"until {ends_at:%Y-%m-%d %H:%M}; it cannot be cleared before"
            )
        participant.publicity_cleared_at = now
        return self._changed(repository, actor, now, "clear_publicity", participant, before)

    def activate(
        self, session: Session, actor: Actor, now: dt.datetime, participant_id: str
    ) -> schemas.ParticipantDetail:
        """publicity (cleared) → active: the grid operator has signed the agreement."""
        actor.require(Role.GRID_OPERATOR)
        repository, participant, before = _take(
            session, participant_id, "activate", ParticipantStatus.PUBLICITY
        )
        if participant.publicity_cleared_at is None:
            raise Conflict(
                f"公示尚未由市工信局确认无异议 / participant {participant_id} is still in "
                "publicity; the regulator has not cleared it"
            )
        participant.status = ParticipantStatus.ACTIVE
        participant.activated_at = now
        return self._changed(repository, actor, now, "activate", participant, before)

    def reject(
        self,
        session: Session,
        actor: Actor,
        now: dt.datetime,
        participant_id: str,
        reason: str,
    ) -> schemas.ParticipantDetail:
        """Turn the application down with ``reason`` and release its accounts."""
        actor.require(Role.GRID_OPERATOR, Role.REGULATOR)
        repository, participant, before = _take(session, participant_id, "reject", *REJECTERS)
        rejecter = REJECTERS[participant.status]
        if actor.role is not rejecter:
            raise Forbidden(
                f"此阶段的申请由{'市工信局' if rejecter is Role.REGULATOR else '广州供电局'}驳回 / "
                f"an application in {participant.status.value} is rejected by the "
                f"{rejecter.value}, not the {actor.role.value}"
            )
        participant.status = ParticipantStatus.REJECTED
        participant.rejection_reason = reason
        participant.rejected_at = now
        for account in participant.accounts:
            account.released_at = now
        return self._changed(repository, actor, now, "reject", participant, before)

    def _changed(
        self,
        repository: ParticipantRepository,
        actor: Actor,
        now: dt.datetime,
        action: str,
        participant: Participant,
        before: dict[str, Any],
    ) -> schemas.ParticipantDetail:
        participant.updated_at = now
        repository.session.flush()
        record(
            repository.session,
            actor.label,
            f"participant.{action}",
            ENTITY,
            participant.id,
            before,
            _state(participant),
            at=now,
        )
        return self._detail(repository, participant)

    def _eligibility(
        self, repository: ParticipantRepository, participant: Participant
    ) -> list[EligibilityCheck]:
        """第四条 checked now; accounts another participant has taken since count as taken."""
        held = repository.holders([a.account_id for a in participant.accounts])
        taken = {account_id for account_id, h in held.items() if h.id != participant.id}
        p = participant
        if p.kind is ParticipantKind.USER:
            # The table's CHECK constraint guarantees a user's own fields are set.
            assert p.category is not None and p.policy_compliant is not None
            assert p.max_load_kw is not None and p.response_duration_min is not None
            return check_user(
                UserApplication(
                    account_id=p.accounts[0].account_id,
                    general_taxpayer=p.general_taxpayer,
                    policy_compliant=p.policy_compliant,
                    category=p.category,
                    capability_kw=p.capability_kw,
                    max_load_kw=p.max_load_kw,
                    response_minutes=p.response_duration_min,
                    realtime=p.realtime_capable,
                    minute_monitoring=p.minute_monitoring,
                ),
                taken,
            )
        assert p.registered_in_guangzhou is not None and p.registered_capital_cny is not None
        assert p.member_list_on_file is not None and p.delegation_agreement_on_file is not None
        return check_aggregator(
            AggregatorApplication(
                general_taxpayer=p.general_taxpayer,
                registered_in_guangzhou=p.registered_in_guangzhou,
                registered_capital_cny=p.registered_capital_cny,
                members=tuple(
                    Member(a.account_id, a.capability_kw, a.member.policy_compliant)
                    for a in p.accounts
                    if a.member is not None
                ),
                member_list_on_file=p.member_list_on_file,
                delegation_agreement_on_file=p.delegation_agreement_on_file,
                realtime=p.realtime_capable,
                minute_monitoring=p.minute_monitoring,
            ),
            taken,
        )

    def _detail(
        self, repository: ParticipantRepository, participant: Participant
    ) -> schemas.ParticipantDetail:
        checks = self._eligibility(repository, participant)
        computed = {"accounts", "eligible", "eligibility", "publicity_ends_at"}
        columns = {
            key: getattr(participant, key)
            for key in schemas.ParticipantDetail.model_fields
            if key not in computed
        }
        return schemas.ParticipantDetail.model_validate(
            {
                **columns,
                "accounts": [_account_view(a) for a in participant.accounts],
                "eligible": is_eligible(checks),
                "publicity_ends_at": publicity_ends_at(participant.publicity_started_at),
                "eligibility": [
                    schemas.Check(code=c.code, passed=c.passed, message=c.message) for c in checks
                ],
            }
        )


participant_service = ParticipantService()


def publicity_ends_at(started: dt.datetime | None) -> dt.datetime | None:
    """When the 公示 begun at ``started`` is over: midnight after its last working day
    (第六条; ``GZVPP_PUBLICITY_WORKDAYS``, the start day not counted), or ``started`` itself
    when the period is 0. In a year the built-in calendar does not cover, Monday–Friday count.
    """
    if started is None:
        return None
    workdays = publicity_workdays()
    if workdays == 0:
        return started
    day = np.datetime64(started.date(), "D")
    try:
        last = nth_workday_after(Calendar(), [day], workdays)[0]
    except UncoveredDayError:
        last = np.busday_offset(day, workdays, roll="backward")
    return dt.datetime.combine(last.astype(dt.date) + dt.timedelta(days=1), dt.time())


def _accounts_of(
    application: schemas.PowerUserCreate | schemas.AggregatorCreate,
) -> Sequence[schemas.PowerUserCreate | schemas.MemberCreate]:
    """What the application holds: a user its own account, an aggregator its members'."""
    if isinstance(application, schemas.PowerUserCreate):
        return [application]
    return application.members


def _new_participant(
    application: schemas.PowerUserCreate | schemas.AggregatorCreate, now: dt.datetime
) -> Participant:
    common = {
        "id": str(uuid4()),
        "name": application.name,
        "general_taxpayer": application.general_taxpayer,
        "response_duration_min": application.response_duration_min,
        "realtime_capable": application.realtime_capable,
        "minute_monitoring": application.minute_monitoring,
        "realtime_capability_kw": application.realtime_capability_kw,
        "status": ParticipantStatus.SUBMITTED,
        "submitted_at": now,
        "updated_at": now,
    }
    if isinstance(application, schemas.PowerUserCreate):
        return Participant(
            **common,
            kind=ParticipantKind.USER,
            capability_kw=application.capability_kw,
            policy_compliant=application.policy_compliant,
            category=application.category,
            max_load_kw=application.max_load_kw,
        )
    return Participant(
        **common,
        kind=ParticipantKind.AGGREGATOR,
        capability_kw=sum((m.capability_kw for m in application.members), Decimal(0)),
        registered_in_guangzhou=application.registered_in_guangzhou,
        registered_capital_cny=application.registered_capital_cny,
        member_list_on_file=application.member_list_on_file,
        delegation_agreement_on_file=application.delegation_agreement_on_file,
    )


def _found(
    repository: ParticipantRepository, participant_id: str, *, for_update: bool = False
) -> Participant:
    participant = repository.get(participant_id, for_update=for_update)
    if participant is None:
        raise NotFound(f"participant {participant_id} not found")
    return participant


def _take(
    session: Session, participant_id: str, step: str, *statuses: ParticipantStatus
) -> tuple[ParticipantRepository, Participant, dict[str, Any]]:
    """The participant, locked, and its state before ``step``; 404 if it does not exist, 409
    unless it is in one of ``statuses``."""
    repository = ParticipantRepository(session)
    participant = _found(repository, participant_id, for_update=True)
    return repository, participant, _expect(participant, step, *statuses)


def _expect(participant: Participant, step: str, *statuses: ParticipantStatus) -> dict[str, Any]:
    """The participant's state before ``step``; 409 unless it is in one of ``statuses``."""
    if participant.status not in statuses:
        allowed = " or ".join(s.value for s in statuses)
        raise Conflict(
            f"申请当前所处阶段不允许此操作 / participant {participant.id} is "
            f"{participant.status.value}; {step} needs it {allowed}"
        )
    return _state(participant)


def _account_view(account: Account) -> schemas.Account:
    member = account.member
    return schemas.Account(
        account_id=account.account_id,
        capability_kw=account.capability_kw,
        substation=account.substation,
        feeder=account.feeder,
        member_name=member.member_name if member else None,
        member_policy_compliant=member.policy_compliant if member else None,
        released_at=account.released_at,
    )


def _state(participant: Participant) -> dict[str, Any]:
    """The participant and its accounts as audited."""
    return {
        **snapshot(participant),
        "accounts": [_account_view(a).model_dump(mode="json") for a in participant.accounts],
    }
