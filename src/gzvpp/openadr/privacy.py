"""Object privacy (Definitions, "Object Privacy"): what a VEN may see, and of which targets.

Programs and events are private by targeting. The grid operator (BL) grants a VEN targets by
writing them on its ven object and that ven's resources; a VEN reads an object with targets only
through targets it was granted, and sees only those of the object's targets ("target hiding").
Reports, subscriptions, vens and resources are private by ownership: a VEN sees those whose
clientID is its own. BL sees everything.

``requested`` is the ``targets`` a VEN asked for:

* a list (``GET /events?targets=…``) or a subscription's targets: only objects carrying one of
  them (intersected with the grant); with none given, only objects without targets;
* ``None`` — a read by id, or the VEN's own MQTT topic — every target it was granted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from gzvpp.models import ObjectType

TARGETED = frozenset({ObjectType.PROGRAM, ObjectType.EVENT})


def shown_targets(
    targets: Sequence[str],
    *,
    granted: Collection[str] | None,
    requested: Collection[str] | None,
) -> list[str] | None:
    """The targets of a program or event that the reader sees, or None if it may not read it.

    Parameters
    ----------
    targets : sequence of str
        The object's targets.
    granted : collection of str or None
        The reader's granted targets; None for BL, which sees every object.
    requested : collection of str or None
        The targets the reader asked for (see the module's description).
    """
    if granted is None:
        if not requested or set(targets) & set(requested):
            return list(targets)
        return None
    if requested is None:
        effective = set(granted)
    elif not requested:
        return [] if not targets else None
    else:
        effective = set(requested) & set(granted)
    if not targets:
        return [] if requested is None else None
    shown = [target for target in targets if target in effective]
    return shown or None
