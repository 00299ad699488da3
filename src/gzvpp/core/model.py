"""The plain values the rules engine works on: participants, events and awards."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from gzvpp.core.grid import Window


class Direction(StrEnum):
    """削峰 peak shaving or 填谷 valley filling (第七条)."""

    PEAK = "peak"
    VALLEY = "valley"

    @property
    def chinese(self) -> str:
        """削峰 or 填谷, the glossary's terms."""
        return "削峰" if self is Direction.PEAK else "填谷"


class Mode(StrEnum):
    """How the response was called (第五条): 日前邀约, 提前 4 小时邀约 or 实时响应."""

    DAY_AHEAD = "day_ahead"
    HOURS_AHEAD = "hours_ahead"
    REALTIME = "realtime"

    @property
    def invited(self) -> bool:
        """True for the two invitation modes (邀约), which are adjusted (R5) and scored (R6)."""
        return self is not Mode.REALTIME


class ParticipantKind(StrEnum):
    """电力用户 power user or 负荷聚合商 load aggregator (第四条)."""

    USER = "user"
    AGGREGATOR = "aggregator"


@dataclass(frozen=True)
class Participant:
    """A participant and the meter accounts (营销户号) whose loads make up its load (R1, R4).

    A user has exactly one account, its own; an aggregator has its members' accounts.
    """

    id: str
    kind: ParticipantKind
    accounts: tuple[str, ...]


@dataclass(frozen=True)
class Award:
    """An accepted bid or a real-time assignment (R2).

    Attributes
    ----------
    participant_id : str
    kw : Decimal
        Awarded response, kW for the whole window (应邀量).
    price : Decimal or None
        The bid price in CNY/kWh (bidding mode); wins over the event's fixed price (R7).
    """

    participant_id: str
    kw: Decimal
    price: Decimal | None = None


@dataclass(frozen=True)
class Event:
    """A demand-response event with its awards.

    Attributes
    ----------
    price : Decimal or None
        The fixed subsidy price in CNY/kWh (固定价格补贴), used where an award has no bid price.
    cancelled : bool
        A cancelled event is neither evaluated nor a response day (R4).
    """

    id: str
    direction: Direction
    mode: Mode
    window: Window
    price: Decimal | None
    awards: tuple[Award, ...]
    cancelled: bool = False
