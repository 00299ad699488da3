"""The events file: events with awards (R2), prices read exactly (R7), and every fault."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gzkit.inputs import InputError
from gzvpp.core.grid import Window
from gzvpp.core.model import Award, Direction, Event, Mode, Participant, ParticipantKind
from gzvpp.files.events import read_events

PARTICIPANTS = {
    pid: Participant(pid, ParticipantKind.USER, (f"acct-{pid}",)) for pid in ("U1", "U2")
}


def event(**changes: Any) -> dict[str, Any]:
    """A valid event, with ``changes`` applied (a value of ... removes the field)."""
    item: dict[str, Any] = {
        "id": "E1",
        "direction": "peak",
        "mode": "day_ahead",
        "start": "2025-07-01 14:00",
        "end": "2025-07-01 16:00",
        "price": "3.5",
        "awards": [{"participant_id": "U1", "kw": 500}],
    }
    item.update(changes)
    return {name: value for name, value in item.items() if value is not ...}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "events.json"
    path.write_text(text, encoding="utf-8")
    return path


def read(tmp_path: Path, *events: dict[str, Any]) -> list[Event]:
    return read_events(write(tmp_path, json.dumps({"events": list(events)})), PARTICIPANTS)


def fault(tmp_path: Path, *events: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as caught:
        read(tmp_path, *events)
    return caught.value


def test_an_event_with_its_awards(tmp_path: Path) -> None:
    text = """{"events": [{"id": "E1", "direction": "valley", "mode": "hours_ahead",
        "start": "2025-07-01T14:00:00+08:00", "end": "2025-07-01 16:15", "price": 0.1,
        "cancelled": false,
        "awards": [{"participant_id": "U1", "kw": 500, "price": "1.8"},
                   {"participant_id": "U2", "kw": 120.5}]}]}"""
    [parsed] = read_events(write(tmp_path, text), PARTICIPANTS)
    assert parsed == Event(
        id="E1",
        direction=Direction.VALLEY,
        mode=Mode.HOURS_AHEAD,
        window=Window(dt.date(2025, 7, 1), 56, 9),
        price=Decimal("0.1"),
        awards=(
            Award("U1", Decimal(500), Decimal("1.8")),
            Award("U2", Decimal("120.5"), None),
        ),
        cancelled=False,
    )
    assert str(parsed.price) == "0.1"  # exactly as written, not the nearest float


def test_events_are_sorted_by_start_keeping_file_order_on_ties(tmp_path: Path) -> None:
    events = read(
        tmp_path,
        event(id="late", start="2025-07-02 10:00", end="2025-07-02 11:00"),
        event(id="first"),
        event(id="second"),
        event(id="utc", start="2025-07-01T05:00:00Z", end="2025-07-01T06:00:00Z"),
    )
    assert [e.id for e in events] == ["utc", "first", "second", "late"]
    assert events[0].window.start == dt.datetime(2025, 7, 1, 13, 0)


def test_optional_fields(tmp_path: Path) -> None:
    [cancelled] = read(tmp_path, event(price=..., cancelled=True))
    assert cancelled.cancelled and cancelled.price is None
    [bid_priced] = read(
        tmp_path, event(price=None, awards=[{"participant_id": "U1", "kw": "5", "price": 2}])
    )
    assert not bid_priced.cancelled
    assert bid_priced.awards[0] == Award("U1", Decimal(5), Decimal(2))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": ...}, "缺少字段 'id'"),
        ({"id": ""}, "id 应为非空字符串，而不是 ''"),
        (
            {"note": "x"},
            "事件编号 'E1'：未知字段 'note'（字段为 id, direction, mode, start, "
            "end, price, cancelled, awards）",
        ),
        ({"awards": ...}, "事件编号 'E1'：缺少字段 'awards'"),
        ({"direction": "up"}, "事件编号 'E1'：direction 'up' 不是 peak、valley 之一"),
        ({"mode": "now"}, "事件编号 'E1'：mode 'now' 不是 day_ahead、hours_ahead、realtime 之一"),
        ({"cancelled": "no"}, "事件编号 'E1'：cancelled 应为 true 或 false，而不是 'no'"),
        ({"awards": {}}, "事件编号 'E1'：awards 应为列表"),
        (
            {"start": "2025-07-01 2pm"},
            "事件编号 'E1'：start '2025-07-01 2pm' 不是时间"
            "（应为 YYYY-MM-DD HH:MM，或 ISO 8601 如 2025-07-01T14:00:00+08:00）",
        ),
        (
            {"start": "2025-07-01 14:10"},
            "事件编号 'E1'：开始时间 2025-07-01 14:10:00 不在 15 分钟整点上",
        ),
        (
            {"end": "2025-07-01 14:15"},
            "事件编号 'E1'：响应时段 2025-07-01 14:00–2025-07-01 14:15 为 15 分钟，"
            "每次响应不少于 30 分钟（第五条）",
        ),
        ({"price": "-1"}, "事件编号 'E1'：price '-1' 不是 ≥ 0 的数（元/kWh）"),
        ({"price": "cheap"}, "事件编号 'E1'：price 'cheap' 不是 ≥ 0 的数（元/kWh）"),
        ({"price": True}, "事件编号 'E1'：price true 不是 ≥ 0 的数（元/kWh）"),
        (
            {"awards": [{"participant_id": "U9", "kw": 5}]},
            "事件编号 'E1'：awards 第 1 项：参与者 'U9' 不在参与者文件中",
        ),
        (
            {"awards": [{"participant_id": "U1", "kw": 0}]},
            "事件编号 'E1'：awards 第 1 项：kw 0 不是正数",
        ),
        (
            {"awards": [{"participant_id": "U1", "kw": "-5"}]},
            "事件编号 'E1'：awards 第 1 项：kw '-5' 不是正数",
        ),
        (
            {"awards": [{"participant_id": "U1", "kw": "NaN"}]},
            "事件编号 'E1'：awards 第 1 项：kw 'NaN' 不是正数",
        ),
        ({"awards": [{"participant_id": "U1"}]}, "事件编号 'E1'：awards 第 1 项：缺少字段 'kw'"),
        (
            {
                "awards": [
                    {"participant_id": "U1", "kw": 5},
                    {"participant_id": "U2", "kw": 5, "price": -0.5},
                ]
            },
            "事件编号 'E1'：awards 第 2 项：price -0.5 不是 ≥ 0 的数（元/kWh）",
        ),
        ({"awards": ["U1"]}, "事件编号 'E1'：awards 第 1 项：中标项应为 JSON 对象，而不是 str"),
        (
            {"awards": [{"participant_id": "U1", "kw": 5}, {"participant_id": "U1", "kw": 6}]},
            "事件编号 'E1'：参与者 'U1' 中标两次",
        ),
        (
            {
                "price": ...,
                "awards": [
                    {"participant_id": "U1", "kw": 5, "price": 1},
                    {"participant_id": "U2", "kw": 5},
                ],
            },
            "事件编号 'E1'：'U2' 的中标：无补贴价格：中标未申报价格，事件也无固定价格",
        ),
        (
            {"direction": "peak", "price": "5.01"},
            "事件编号 'E1'：'U1' 的中标：价格 5.01 元/kWh 超出削峰响应的 0–5 元/kWh（表 2）",
        ),
    ],
)
def test_faults_name_the_event(tmp_path: Path, changes: dict[str, Any], reason: str) -> None:
    error = fault(
        tmp_path, event(id="E0", start="2025-06-30 10:00", end="2025-06-30 11:00"), event(**changes)
    )
    assert (error.row, error.reason) == (2, reason)
    assert str(error) == f"{tmp_path / 'events.json'} 第 2 个事件：{reason}"


def test_duplicate_event_id(tmp_path: Path) -> None:
    error = fault(tmp_path, event(), event(id="E2"), event())
    assert (error.row, error.reason) == (3, "事件编号 'E1'：已被第 1 个事件使用")


def test_invalid_json_gives_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '{"events": [\n  {"id": "E1",}\n]}')
    with pytest.raises(InputError) as caught:
        read_events(path, PARTICIPANTS)
    assert str(caught.value) == (
        f"{path} 第 2 行：不是有效的 JSON（第 15 个字符：Expecting property name enclosed in "
        "double quotes）"
    )


@pytest.mark.parametrize("text", ['[{"id": "E1"}]', '{"event": []}', '{"events": {}}'])
def test_events_list_is_required(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError) as caught:
        read_events(write(tmp_path, text), PARTICIPANTS)
    assert caught.value.reason == '应为含 "events" 列表的 JSON 对象'
    assert caught.value.row is None
