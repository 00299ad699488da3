"""A VEN's answer to an invitation becomes a bid through the events service.

Whatever the protocol, the kW and price pass the API's own body validation
(:class:`gzvpp.events.schemas.BidCreate`) and then :meth:`EventService.submit_bid`, as the VEN's
platform user, so an OpenADR bid meets exactly the checks and deadlines of one made on the API;
its refusal comes back to the VEN with the service's message.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gzkit.errors import Invalid
from gzvpp.events.schemas import BidCreate, BidView
from gzvpp.events.service import event_service
from gzvpp.kit.auth import Actor


def submit_bid(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    event_id: str,
    kw: Decimal,
    price: Decimal | None,
    source: str,
) -> BidView:
    """Bid ``kw`` (and ``price``) on platform event ``event_id`` for ``actor``'s participant.

    Raises
    ------
    Invalid
        The kW or price fails the API's validation, or the bid a rule (late, over the
        registered capability, …).
    Conflict, NotFound
        As :meth:`EventService.submit_bid`.
    """
    try:
        request = BidCreate(kw=kw, price=price)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise Invalid(f"bid refused: {problems}") from err
    bid, _ = event_service.submit_bid(
        session, actor, now, event_id, kw=request.kw, price=request.price, source=source
    )
    return bid
