"""Events and invitations (R2, 第五条, 第七条, 第八条): the workflow and who may take each step.

Life of an event::

    invited (day_ahead, hours_ahead):
        create (grid operator) ──▶ published: invitations sent, bids open
        published ──bids close (scheduler)──▶ ranked: bids ranked, awards stored
        ranked ──(same scheduler run)──▶ notified: plans sent
    realtime:
        create (grid operator) ──▶ dispatched: participants selected and told at once
    published, ranked, notified, dispatched ──cancel (grid operator, ≥ 4 h ahead)──▶ cancelled

The rules themselves are :mod:`gzvpp.core`'s; each step gathers what they need from the
database, calls them and stores the outcome, in the caller's transaction, and writes an audit
record. :class:`EventService` is the one door the front ends use; the steps live by concept:

- :mod:`~gzvpp.events.creation`: create, invite, the peak-shaving trigger;
- :mod:`~gzvpp.events.realtime`: select and tell real-time participants;
- :mod:`~gzvpp.events.bidding`: record a bid after every check, withdraw it, preview its
  subsidy;
- :mod:`~gzvpp.events.ranking`: close bidding, rank, store awards; the ranking as read;
- :mod:`~gzvpp.events.notify`: the plan, what every notice says, a participant's inbox;
- :mod:`~gzvpp.events.cancellation`: call an event off;
- :mod:`~gzvpp.events.baselines`: the baselines told with invitations, plans and dispatches;
- :mod:`~gzvpp.events.queries`: events, bids and awards as each role may read them;
- :mod:`~gzvpp.events.common`: what several steps share;
- :mod:`~gzvpp.events.scheduler`: closes bidding when the clock says so.
"""

from __future__ import annotations

from gzvpp.events import bidding, cancellation, creation, notify, queries
from gzvpp.events import ranking as closing


class EventService:
    """Events, bids, ranking, notifications and cancellation, each in the caller's transaction."""

    create = staticmethod(creation.create)
    trigger_check = staticmethod(creation.trigger_check)
    submit_bid = staticmethod(bidding.submit_bid)
    withdraw_bid = staticmethod(bidding.withdraw_bid)
    preview_subsidy = staticmethod(bidding.preview_subsidy)
    close_bidding = staticmethod(closing.close_bidding)
    ranking = staticmethod(closing.read_ranking)
    cancel = staticmethod(cancellation.cancel)
    list_notifications = staticmethod(notify.list_notifications)
    mark_read = staticmethod(notify.mark_read)
    search = staticmethod(queries.search)
    get = staticmethod(queries.get)
    list_bids = staticmethod(queries.list_bids)
    list_awards = staticmethod(queries.list_awards)


event_service = EventService()
