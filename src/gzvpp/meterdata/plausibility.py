"""What a meter reading may be before it is stored, and the limits of an upload.

A reading is refused (422, naming the file and line, or the JSON field) when

- its interval has not ended by the platform clock (a reading from the future);
- it is older than the account's enrolment minus the farthest an evaluation reads back
  (:data:`HISTORY_REACH`): no settlement could ever use it, so it is a wrong date;
- its kW, either sign, exceeds ``max_load_factor`` times the account's registered load
  (:class:`~gzvpp.meterdata.repository.HeldAccount`). Negative kW is net export and allowed.

Settings come from the environment: ``GZVPP_METER_UPLOAD_MAX_BYTES`` (the largest meter file
request, default 256 MiB) and ``GZVPP_METER_MAX_LOAD_FACTOR`` (default 10).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from gzvpp.core.baseline import HOLIDAY_SEARCH_DAYS
from gzvpp.core.grid import INTERVAL_MINUTES, INTERVALS_PER_DAY
from gzvpp.core.timeseries import FloatArray, IntArray, day_number
from gzvpp.files.loads import RowCheck, RowFault
from gzvpp.kit.policy import DEFAULT_METER_UPLOAD_MAX_BYTES, meter_upload_max_bytes
from gzvpp.meterdata.repository import HeldAccount

MAX_LOAD_FACTOR_ENV = "GZVPP_METER_MAX_LOAD_FACTOR"
# The farthest an evaluation reads back from its event's day: a holiday's baseline is drawn from
# the same holiday two years before, ±45 days (R4, 第九条（一）3), plus the day before for a
# window's adjustment (R5). History that old is uploaded after enrolment for the baselines.
HISTORY_REACH = dt.timedelta(days=2 * 366 + HOLIDAY_SEARCH_DAYS + 1)
# The shortest CSV row (``a,2025-07-01 00:00,0`` and a newline is 21 bytes): a Parquet file,
# being compressed, may hold far more rows per byte, so its rows are capped as if it were CSV.
SHORTEST_ROW_BYTES = 16
INTERVAL = dt.timedelta(minutes=INTERVAL_MINUTES)
_EPOCH = dt.datetime(1970, 1, 1)


@dataclass(frozen=True)
class MeterSettings:
    """The limits of meter uploads (see the module docstring)."""

    max_upload_bytes: int = DEFAULT_METER_UPLOAD_MAX_BYTES
    max_load_factor: float = 10.0

    @property
    def max_rows(self) -> int:
        """Rows (readings) one upload may hold: as many as the largest CSV file could."""
        return self.max_upload_bytes // SHORTEST_ROW_BYTES

    @classmethod
    def from_env(cls) -> MeterSettings:
        """Settings from the environment, defaults elsewhere."""
        default = cls()
        return cls(
            max_upload_bytes=meter_upload_max_bytes(),
            max_load_factor=float(
                os.environ.get(MAX_LOAD_FACTOR_ENV, str(default.max_load_factor))
            ),
        )


def interval_text(slot: int) -> str:
    """The local start of interval number ``slot`` as ``YYYY-MM-DD HH:MM``."""
    return f"{_EPOCH + int(slot) * INTERVAL:%Y-%m-%d %H:%M}"


def reading_check(
    settings: MeterSettings,
    now: dt.datetime,
    names: tuple[str, ...],
    held: Mapping[str, HeldAccount] | None,
    value_column: str,
) -> RowCheck:
    """The check each chunk of an upload's readings must pass.

    Parameters
    ----------
    settings : MeterSettings
    now : datetime
        The platform clock (local time): a reading's interval must have ended by then.
    names : tuple of str
        The upload's series, which the readings' codes index.
    held : mapping, optional
        Each account's :class:`HeldAccount`; None for the system load, checked for time only.
    value_column : str
        ``kw`` or ``mw``, to name the column at fault.
    """
    end = (now - _EPOCH) // INTERVAL  # intervals ending by now are those before this one
    first = np.zeros(len(names), dtype=np.int64)
    bound = np.full(len(names), np.inf)
    if held is not None:
        accounts = [held[name] for name in names]
        first[:] = [
            day_number((a.enrolled_at - HISTORY_REACH).date()) * INTERVALS_PER_DAY for a in accounts
        ]
        bound[:] = [settings.max_load_factor * a.registered_kw for a in accounts]

    def check(codes: IntArray, slots: IntArray, values: FloatArray) -> RowFault | None:
        late = slots >= end
        early = slots < first[codes]
        large = np.abs(values) > bound[codes]
        wrong = late | early | large
        if not wrong.any():
            return None
        k = int(np.argmax(wrong))
        name, ts = names[codes[k]], interval_text(slots[k])
        if late[k]:
            return RowFault(
                k,
                "ts",
                f"ts {ts} 的计量时段在平台时钟 {now:%Y-%m-%d %H:%M} 尚未结束 / ts {ts} is in the "
                f"future: its interval has not ended by the platform clock {now:%Y-%m-%d %H:%M}",
            )
        if early[k]:
            account = held[name] if held is not None else None
            assert account is not None  # only accounts have a first day
            since = f"{account.enrolled_at - HISTORY_REACH:%Y-%m-%d}"
            return RowFault(
                k,
                "ts",
                f"ts {ts} 早于户号 {name} 可有读数的最早日期 {since}（登记前 "
                f"{HISTORY_REACH.days} 天）/ ts {ts} is before {since}, the earliest reading "
                f"account {name} can have ({HISTORY_REACH.days} days before its enrolment)",
            )
        limit = f"{bound[codes[k]]:g}"
        factor = f"{settings.max_load_factor:g}"
        return RowFault(
            k,
            value_column,
            f"{value_column} {values[k]:g} 超出户号 {name} 的物理上限 ±{limit} kW（登记负荷的 "
            f"{factor} 倍）/ {value_column} {values[k]:g} exceeds account {name}'s physical "
            f"bound of ±{limit} kW ({factor} × its registered load)",
        )

    return check
