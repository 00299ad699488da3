"""The participants' portal: 我的邀约, an invitation, 我的结果."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import (
    APIRouter,
    Query,
    Request,
    Response,
)
from fastapi.responses import RedirectResponse

from gzkit.clock import ClockDep
from gzkit.console.paging import listing, paged_slice, paging
from gzkit.db import SessionDep
from gzkit.errors import NotFound
from gzkit.pagination import PaginationParams
from gzvpp import display
from gzvpp.console.pages import (
    Confirmed,
    PageActor,
    PageRoute,
    confirm_page,
    own_participant,
    render,
)
from gzvpp.events.service import event_service
from gzvpp.models import (
    Notification,
    NotificationKind,
)
from gzvpp.participants.service import participant_service
from gzvpp.settlement import repository as settlement_repository
from gzvpp.settlement.standing import standings

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@router.get("/portal")
def portal(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    invitations_page: Annotated[int, Query(ge=1)] = 1,
    notes_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Invitations to answer with one's bid on each, notifications (both paged), own score
    and suspension status."""
    participant_id = own_participant(actor)
    now = clock.now()

    def own_notifications(
        page: int, kind: NotificationKind | None
    ) -> tuple[Sequence[Notification], int]:
        return event_service.list_notifications(
            session, actor, paging(page), participant_id=None, event_id=None, kind=kind, unread=None
        )

    invited, invited_total = own_notifications(invitations_page, NotificationKind.INVITATION)
    invitations = [event_service.get(session, actor, n.event_id) for n in invited]
    bids = {}
    for e in invitations:
        found, _ = event_service.list_bids(
            session, actor, PaginationParams(1, 1), event_id=e.id, participant_id=None
        )
        if found:
            bids[e.id] = found[0]
    notes, notes_total = own_notifications(notes_page, None)
    return render(
        request,
        actor,
        "portal.html",
        now,
        p=participant_service.get(session, actor, participant_id),
        standing=standings(session, [participant_id], now)[participant_id],
        invitations=listing(invitations, invited_total, invitations_page),
        bids=bids,
        notes=listing(notes, notes_total, notes_page),
    )


@router.get("/portal/events/{event_id}")
def invitation(
    event_id: str, request: Request, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """One invitation (a real-time event's dispatch order is its invitation) with the bid form,
    checked against capability, cap and deadline."""
    participant_id = own_participant(actor)
    for kind in (NotificationKind.INVITATION, NotificationKind.DISPATCH):
        notes, _ = event_service.list_notifications(
            session,
            actor,
            PaginationParams(1, 1),
            participant_id=None,
            event_id=event_id,
            kind=kind,
            unread=None,
        )
        if notes:
            break
    else:
        raise NotFound(f"no invitation for event {event_id}")
    bids, _ = event_service.list_bids(
        session, actor, PaginationParams(1, 1), event_id=event_id, participant_id=None
    )
    awards, _ = event_service.list_awards(
        session, actor, PaginationParams(1, 1), event_id=event_id, participant_id=None
    )
    return render(
        request,
        actor,
        "invitation.html",
        clock.now(),
        e=event_service.get(session, actor, event_id),
        invitation=notes[0].payload,
        p=participant_service.get(session, actor, participant_id),
        bid=bids[0] if bids else None,
        award=awards[0] if awards else None,
    )


@router.get("/portal/results")
def own_results(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every evaluated award of one's own, newest first and paged, linking to its chart."""
    participant_id = own_participant(actor)
    history = settlement_repository.results_in_event_order(session, [participant_id])
    return render(
        request,
        actor,
        "portal_results.html",
        clock.now(),
        **paged_slice(history[::-1], page),
    )


@router.post("/portal/events/{event_id}/bids/{bid_id}/withdraw")
def withdraw_bid(
    event_id: str,
    bid_id: int,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    confirmed: Confirmed = "",
) -> Response:
    """Withdraw one's bid before the close, after a confirmation step; refused (409 page)
    after the close."""
    own_participant(actor)
    now = clock.now()
    if not confirmed:
        detail = event_service.get(session, actor, event_id)
        close = display.local_time(detail.bids_close_at)
        return confirm_page(
            request,
            actor,
            now,
            title=f"撤回对事件 {event_id} 的申报？",
            consequence=(
                f"撤回后，本次申报不参与排序，不会中标；在申报截止（{close}）前仍可重新申报，"
                "截止后不能再申报。"
            ),
            action=f"/console/portal/events/{event_id}/bids/{bid_id}/withdraw",
            button="确认撤回申报",
            back=f"/console/portal/events/{event_id}",
            fields={},
        )
    event_service.withdraw_bid(session, actor, now, event_id, bid_id)
    return RedirectResponse(f"/console/portal/events/{event_id}", status_code=303)
