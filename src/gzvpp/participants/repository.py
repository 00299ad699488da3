"""The SQL of the participants domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from gzkit.pagination import PaginationParams, paginate
from gzkit.sorting import Sorting
from gzvpp.core.eligibility import UserCategory
from gzvpp.core.model import ParticipantKind
from gzvpp.models import Account, Participant, ParticipantStatus
from gzvpp.participants.schemas import SortProperty

SORT_COLUMNS: dict[SortProperty, InstrumentedAttribute[object]] = {
    SortProperty.NAME: Participant.name,
    SortProperty.SUBMITTED_AT: Participant.submitted_at,
    SortProperty.CAPABILITY_KW: Participant.capability_kw,
    SortProperty.STATUS: Participant.status,
    SortProperty.KIND: Participant.kind,
    SortProperty.PUBLICITY_STARTED_AT: Participant.publicity_started_at,
}


class ParticipantRepository:
    """Queries over participants and the accounts they hold, in one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, participant_id: str, *, for_update: bool = False) -> Participant | None:
        """One participant with its accounts, locked for update when it is about to change."""
        statement = (
            select(Participant)
            .where(Participant.id == participant_id)
            .options(selectinload(Participant.accounts))
        )
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).one_or_none()

    def holders(self, account_ids: Collection[str]) -> dict[str, Participant]:
        """Who holds each of ``account_ids`` now (released holdings do not count)."""
        rows = self.session.execute(
            select(Account.account_id, Participant)
            .join(Account.participant)
            .where(Account.account_id.in_(account_ids), Account.released_at.is_(None))
        ).all()
        return {account_id: participant for account_id, participant in rows}

    def search(
        self,
        *,
        pagination: PaginationParams,
        sorting: Sorting[SortProperty],
        query: str | None = None,
        kind: ParticipantKind | None = None,
        statuses: Collection[ParticipantStatus] = (),
        category: UserCategory | None = None,
        substation: str | None = None,
        realtime: bool | None = None,
        participant_id: str | None = None,
    ) -> tuple[Sequence[Participant], int]:
        """One page of participants matching every filter given, and the total that match.

        ``query`` matches part of the name, or the exact id or account id; ``substation`` matches
        a participant with any account there (a rejected one's released accounts included);
        ``realtime`` means real-time capable with minute-level monitoring.
        """
        statement: Select[Participant] = select(Participant)
        if query:
            statement = statement.where(
                or_(
                    Participant.name.icontains(query, autoescape=True),
                    Participant.id == query,
                    self._has_account(Account.account_id == query),
                )
            )
        if kind is not None:
            statement = statement.where(Participant.kind == kind)
        if statuses:
            statement = statement.where(Participant.status.in_(statuses))
        if category is not None:
            statement = statement.where(Participant.category == category)
        if substation is not None:
            statement = statement.where(self._has_account(Account.substation == substation))
        if realtime is not None:
            able = and_(Participant.realtime_capable, Participant.minute_monitoring)
            statement = statement.where(able if realtime else not_(able))
        if participant_id is not None:
            statement = statement.where(Participant.id == participant_id)
        order = [
            SORT_COLUMNS[prop].desc() if descending else SORT_COLUMNS[prop].asc()
            for prop, descending in sorting
        ]
        # The id breaks ties, so a participant never shows on two pages.
        statement = statement.order_by(*order, Participant.id)
        return paginate(self.session, statement, pagination)

    @staticmethod
    def _has_account(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        # IN over an uncorrelated subquery, not EXISTS: SQLite would otherwise re-run the
        # account lookup for every participant row.
        return Participant.id.in_(select(Account.participant_id).where(condition))
