"""参与者 and 公示名单: the lists, a participant's page and the review steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import (
    APIRouter,
    Form,
    Query,
    Request,
    Response,
)
from fastapi.responses import RedirectResponse

from gzkit.clock import ClockDep
from gzkit.console.paging import listing, paged_slice, paging
from gzkit.db import SessionDep
from gzkit.errors import NotFound
from gzvpp import display
from gzvpp.console import labels
from gzvpp.console.filters import ParticipantFilters
from gzvpp.console.pages import (
    TEMPLATES,
    Confirmed,
    PageActor,
    PageRoute,
    confirm_page,
    reason_text,
    render,
    require_staff,
)
from gzvpp.core.eligibility import UserCategory
from gzvpp.core.model import ParticipantKind
from gzvpp.kit.auth import Actor
from gzvpp.kit.policy import publicity_workdays
from gzvpp.models import (
    ParticipantStatus,
    Role,
)
from gzvpp.participants import schemas as participant_schemas
from gzvpp.participants.service import participant_service, publicity_ends_at
from gzvpp.settlement import repository as settlement_repository
from gzvpp.settlement.standing import standings

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


# Participant workflow steps a console form may take, by URL name: the button, the service
# call, and the consequence a confirmation step spells out first (None: taken at once).
STEPS: dict[str, tuple[str, Callable[..., Any], str | None]] = {
    "start-review": ("开始审核", participant_service.start_review, None),
    "pass-review": (
        "审核通过，进入公示",
        participant_service.pass_review,
        "审核通过后，申请进入公示名单，公示期 {workdays} 个工作日；公示期内如有异议，"
        "由市工信局驳回。此操作不可撤销。",
    ),
    "clear-publicity": (
        "公示无异议",
        participant_service.clear_publicity,
        "确认公示无异议后，广州供电局即可与其签订协议、使其生效。此操作不可撤销。",
    ),
    "activate": ("签订协议，生效", participant_service.activate, None),
}
REJECT_CONSEQUENCE = "驳回后申请即告结束，所占营销户号全部释放（可另行重新申请）。此操作不可撤销。"


@router.get("/participants")
def participants(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    filters: Annotated[ParticipantFilters, Query()],
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Search, filter, sort and page the participants on the server."""
    require_staff(actor)
    rows, total = filters.search(session, actor, paging(page))
    return render(
        request,
        actor,
        "participants.html",
        clock.now(),
        **listing(rows, total, page),
        sort=filters.sort,
        filters=filters.form(),
        kinds=list(ParticipantKind),
        statuses=list(ParticipantStatus),
        categories=list(UserCategory),
    )


@router.get("/participants/{participant_id}")
def participant(
    participant_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    message: Annotated[str, Query(max_length=500)] = "",
    accounts_page: Annotated[int, Query(ge=1)] = 1,
    history_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Accounts, members, capability, eligibility (the review), standing and score history;
    the accounts and the history are paged."""
    now = clock.now()
    detail = participant_service.get(session, actor, participant_id)
    standing = standings(session, [participant_id], now)[participant_id]
    history = settlement_repository.results_in_event_order(session, [participant_id])
    steps, withheld = _steps(actor, detail, now)
    return render(
        request,
        actor,
        "participant.html",
        now,
        p=detail,
        standing=standing,
        accounts=paged_slice(detail.accounts, accounts_page),
        history=paged_slice(history[::-1], history_page),
        steps=steps,
        withheld=withheld,
        message=message,
    )


def _steps(
    actor: Actor, p: participant_schemas.ParticipantDetail, now: dt.datetime
) -> tuple[list[tuple[str, str]], list[str]]:
    """The workflow steps (URL name, button text) the state, the checks and the calendar allow
    this actor now, and why each step of this actor's stage is not offered; the service decides
    again when one is taken."""
    operator, regulator = actor.role is Role.GRID_OPERATOR, actor.role is Role.REGULATOR
    cleared = p.publicity_cleared_at is not None
    in_publicity = p.status is ParticipantStatus.PUBLICITY
    period_over = p.publicity_ends_at is None or now >= p.publicity_ends_at
    ends = display.local_time(p.publicity_ends_at)
    offered = {
        "start-review": operator and p.status is ParticipantStatus.SUBMITTED,
        "pass-review": operator and p.status is ParticipantStatus.GRID_REVIEW and p.eligible,
        "clear-publicity": regulator and in_publicity and not cleared and period_over,
        "activate": operator and in_publicity and cleared,
    }
    withheld = []
    if operator and p.status is ParticipantStatus.GRID_REVIEW and not p.eligible:
        failed = "、".join(labels.label(c.code) for c in p.eligibility if not c.passed)
        withheld.append(
            f"未提供「{STEPS['pass-review'][0]}」：未满足准入条件（第四条）：{failed}。"
        )
    if regulator and in_publicity and not cleared and not period_over:
        withheld.append(
            f"未提供「{STEPS['clear-publicity'][0]}」：公示期（{publicity_workdays()} 个工作日）"
            f"至 {ends} 届满，届满后方可确认。"
        )
    if operator and in_publicity and not cleared:
        withheld.append(
            f"未提供「{STEPS['activate'][0]}」：须待市工信局确认公示无异议（公示期至 {ends}）。"
        )
    return [(step, STEPS[step][0]) for step, shown in offered.items() if shown], withheld


def _may_reject(actor: Actor, status: ParticipantStatus) -> bool:
    if status in (ParticipantStatus.SUBMITTED, ParticipantStatus.GRID_REVIEW):
        return actor.role is Role.GRID_OPERATOR
    return status is ParticipantStatus.PUBLICITY and actor.role is Role.REGULATOR


TEMPLATES.env.globals["may_reject"] = _may_reject
TEMPLATES.env.globals["publicity_ends_at"] = publicity_ends_at


@router.post("/participants/{participant_id}/reject")
def reject(
    participant_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    reason: Annotated[str, Form(min_length=1, max_length=500)],
    confirmed: Confirmed = "",
) -> Response:
    """Reject with a reason (the grid operator before publicity, the regulator during it),
    after a confirmation step that spells out the consequence."""
    text = reason_text(reason)
    if not confirmed:
        detail = participant_service.get(session, actor, participant_id)
        return confirm_page(
            request,
            actor,
            clock.now(),
            title=f"驳回「{detail.name}」的申请？",
            consequence=REJECT_CONSEQUENCE,
            action=f"/console/participants/{participant_id}/reject",
            button="确认驳回",
            back=f"/console/participants/{participant_id}",
            fields={"reason": text},
        )
    participant_service.reject(session, actor, clock.now(), participant_id, text)
    return _back_to(participant_id, "已驳回申请")


@router.post("/participants/{participant_id}/{step}")
def take_step(
    participant_id: str,
    step: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    confirmed: Confirmed = "",
) -> Response:
    """One workflow step of the participants service; a step with a consequence is confirmed
    first."""
    if step not in STEPS:
        raise NotFound(f"no step {step}")
    name, take, consequence = STEPS[step]
    if consequence is not None and not confirmed:
        detail = participant_service.get(session, actor, participant_id)
        return confirm_page(
            request,
            actor,
            clock.now(),
            title=f"{name}：「{detail.name}」？",
            consequence=consequence.format(workdays=publicity_workdays()),
            action=f"/console/participants/{participant_id}/{step}",
            button=f"确认{name}",
            back=f"/console/participants/{participant_id}",
            fields={},
        )
    take(session, actor, clock.now(), participant_id)
    return _back_to(participant_id, f"已完成：{name}")


def _back_to(participant_id: str, message: str) -> RedirectResponse:
    query = urlencode({"message": message})
    return RedirectResponse(f"/console/participants/{participant_id}?{query}", status_code=303)


@router.get("/publicity")
def publicity(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The 公示名单: participants in publicity or active."""
    rows, total = participant_service.publicity_list(
        session,
        actor,
        pagination=paging(page),
        sorting=[(participant_schemas.SortProperty.PUBLICITY_STARTED_AT, True)],
    )
    return render(
        request,
        actor,
        "publicity.html",
        clock.now(),
        **listing(rows, total, page),
    )
