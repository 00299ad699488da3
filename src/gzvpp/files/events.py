"""The events file: demand-response events and their awards (R2), the input to evaluation."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from gzkit.csvtables import unreadable
from gzkit.inputs import InputError
from gzkit.text import chinese_half
from gzvpp.core.grid import Window, WindowError
from gzvpp.core.model import Award, Direction, Event, Mode, Participant
from gzvpp.core.subsidy import PriceError, subsidy_price
from gzvpp.files.timestamps import TIME_FORMATS, parse_local_time

EVENT_FIELDS = ("id", "direction", "mode", "start", "end", "price", "cancelled", "awards")
AWARD_FIELDS = ("participant_id", "kw", "price")
_OPTIONAL = frozenset({"price", "cancelled"})

_Choice = TypeVar("_Choice", bound=StrEnum)


class _Fault(Exception):
    """What is wrong with one event; :func:`read_events` adds the file and the position."""


def read_events(path: Path, participants: Mapping[str, Participant]) -> list[Event]:
    """Read demand-response events with their awards.

    Parameters
    ----------
    path : Path
        JSON ``{"events": [...]}``; each event is an object::

            {"id": "E1", "direction": "peak", "mode": "day_ahead",
             "start": "2025-07-01 14:00", "end": "2025-07-01 16:00", "price": "3.5",
             "cancelled": false,
             "awards": [{"participant_id": "U1", "kw": 500, "price": "2.8"}]}

        ``direction`` is ``peak`` (削峰) or ``valley`` (填谷); ``mode`` is ``day_ahead``
        (日前邀约), ``hours_ahead`` (提前 4 小时邀约) or ``realtime`` (实时响应), 第五条.
        ``start``/``end`` bound the window [start, end) in local time (``YYYY-MM-DD HH:MM`` or
        ISO 8601 with an offset), on the 15-minute grid and at least 30 min long (R2).
        ``price`` (CNY/kWh) is the event's fixed price and, on an award, the bid price, which
        wins (R7); either is optional, but an event that is not cancelled needs the event price
        or a price on every award. A price is a string or a JSON number, read exactly as written
        (``0.1`` stays 0.1). Award ``kw`` is the awarded response for the whole window (kW > 0).
        ``cancelled`` defaults to false; a cancelled event is not evaluated and is no response
        day (R4).
    participants : mapping of str to Participant
        The participants file; every award must name one of them.

    Returns
    -------
    list of Event
        Sorted by window start; events starting together keep their file order.

    Raises
    ------
    InputError
        For invalid JSON (with line and column), a missing ``events`` list, and, naming the
        event's 1-based position and id: a missing, unknown or malformed field, an id used
        twice, a window off the grid or shorter than 30 min, an award to an unknown
        participant or to the same participant twice, an award kW that is not a positive
        number, a price that is negative or not a number, or a missing price.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(
            path, f"不是有效的 JSON（第 {exc.colno} 个字符：{exc.msg}）", exc.lineno
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, unreadable("JSON 文件", exc)) from exc
    items = document.get("events") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise InputError(path, '应为含 "events" 列表的 JSON 对象')

    events: list[Event] = []
    position_of: dict[str, int] = {}
    for position, item in enumerate(items, start=1):
        label = _label(item)
        try:
            event = _event(item, participants)
            if event.id in position_of:
                raise _Fault(f"已被第 {position_of[event.id]} 个事件使用")
        except _Fault as fault:
            raise InputError(path, f"{label}{fault}", row=position, unit="event") from None
        position_of[event.id] = position
        events.append(event)
    return sorted(events, key=lambda event: event.window.start)


def _label(item: object) -> str:
    """How messages name an event besides its position: by its id when it has a usable one."""
    event_id = item.get("id") if isinstance(item, dict) else None
    return f"事件编号 {event_id!r}：" if isinstance(event_id, str) and event_id else ""


def _event(item: object, participants: Mapping[str, Participant]) -> Event:
    """One event of the file, every field checked (R2, R7)."""
    fields = _fields(item, EVENT_FIELDS, "事件")
    event_id = _text(fields, "id")
    direction = _choice(Direction, fields, "direction")
    mode = _choice(Mode, fields, "mode")
    window = _window(_time(fields, "start"), _time(fields, "end"))
    price = _price(fields.get("price"))
    cancelled = fields.get("cancelled", False)
    if not isinstance(cancelled, bool):
        raise _Fault(f"cancelled 应为 true 或 false，而不是 {_shown(cancelled)}")
    awards = fields["awards"]
    if not isinstance(awards, list):
        raise _Fault("awards 应为列表")
    parsed = tuple(_award(k, award, participants) for k, award in enumerate(awards, start=1))
    _check_awards(parsed, price, direction, cancelled)
    return Event(
        id=event_id,
        direction=direction,
        mode=mode,
        window=window,
        price=price,
        awards=parsed,
        cancelled=cancelled,
    )


def _award(position: int, item: object, participants: Mapping[str, Participant]) -> Award:
    """The event's ``position``-th award: a known participant, kW > 0, an optional bid price."""
    try:
        fields = _fields(item, AWARD_FIELDS, "中标项")
        participant_id = _text(fields, "participant_id")
        if participant_id not in participants:
            raise _Fault(f"参与者 {participant_id!r} 不在参与者文件中")
        kw = _number(fields["kw"])
        if kw is None or kw <= 0:
            raise _Fault(f"kw {_shown(fields['kw'])} 不是正数")
        return Award(participant_id, kw, _price(fields.get("price")))
    except _Fault as fault:
        raise _Fault(f"awards 第 {position} 项：{fault}") from None


def _check_awards(
    awards: tuple[Award, ...], price: Decimal | None, direction: Direction, cancelled: bool
) -> None:
    """One award per participant; each priced within the cap unless the event is cancelled (R7)."""
    seen: set[str] = set()
    for award in awards:
        if award.participant_id in seen:
            raise _Fault(f"参与者 {award.participant_id!r} 中标两次")
        seen.add(award.participant_id)
        if not cancelled:
            try:
                subsidy_price(award.price, price, direction)
            except PriceError as err:
                raise _Fault(f"{award.participant_id!r} 的中标：{chinese_half(str(err))}") from None


def _fields(item: object, known: tuple[str, ...], what: str) -> dict[str, Any]:
    """``item`` as an object holding every required field of ``known`` and no other."""
    if not isinstance(item, dict):
        raise _Fault(f"{what}应为 JSON 对象，而不是 {type(item).__name__}")
    unknown = [name for name in item if name not in known]
    if unknown:
        raise _Fault(f"未知字段 {unknown[0]!r}（字段为 {', '.join(known)}）")
    missing = [name for name in known if name not in item and name not in _OPTIONAL]
    if missing:
        raise _Fault(f"缺少字段 {missing[0]!r}")
    return item


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields[name]
    if not isinstance(value, str) or not value.strip():
        raise _Fault(f"{name} 应为非空字符串，而不是 {value!r}")
    return value


def _choice(kind: type[_Choice], fields: dict[str, Any], name: str) -> _Choice:
    value = fields[name]
    try:
        return kind(value)
    except ValueError:
        expected = "、".join(member.value for member in kind)
        raise _Fault(f"{name} {value!r} 不是 {expected} 之一") from None


def _time(fields: dict[str, Any], name: str) -> dt.datetime:
    value = fields[name]
    moment = parse_local_time(value) if isinstance(value, str) else None
    if moment is None:
        raise _Fault(f"{name} {value!r} 不是时间（应为 {TIME_FORMATS}）")
    return moment


def _window(start: dt.datetime, end: dt.datetime) -> Window:
    """The event window on the 15-minute grid, at least 30 min long (R2, 第五条)."""
    try:
        return Window.from_times(start, end)
    except WindowError as exc:
        raise _Fault(chinese_half(str(exc))) from None


def _number(value: object) -> Decimal | None:
    """A JSON number or numeric string as an exact Decimal; None if it is neither, or not finite."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _price(value: object) -> Decimal | None:
    """An optional price in CNY/kWh: absent or null is None, otherwise a number ≥ 0."""
    if value is None:
        return None
    price = _number(value)
    if price is None or price < 0:
        raise _Fault(f"price {_shown(value)} 不是 ≥ 0 的数（元/kWh）")
    return price


def _shown(value: object) -> str:
    """A JSON value for a message: text quoted as elsewhere, numbers as written."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)
