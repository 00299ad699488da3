"""payments.csv and overpayments.csv, written run by run to temporary files then renamed."""

from __future__ import annotations

from typing import BinaryIO, Literal

import numpy as np
import polars as pl
import pyarrow as pa

from gzlongevity.batch.replay import Kind, Overpayments, Payments
from gzlongevity.core.calendar import FIRST_MONTH, month_text
from gzlongevity.core.entitlement import Reason
from gzlongevity.core.standards import TIERS

PAYMENT_COLUMNS = (
    "run_month",
    "person_id",
    "district",
    "street",
    "kind",
    "for_month",
    "tier",
    "city_cny",
    "district_extra_cny",
    "amount_cny",
)
OVERPAYMENT_COLUMNS = (
    "person_id",
    "for_month",
    "kind",
    "amount_cny",
    "paid_in_run",
    "detected_in_run",
    "reason",
)
_MONEY = pa.decimal128(18, 2)


class PayrollWriter:
    """Formats runs' lines as CSV rows and writes them.

    Parameters
    ----------
    person_ids : list of str
        By person index.
    places : list of (district, street)
        By place index.
    last_month : int
        The latest month number any line refers to.
    """

    def __init__(
        self, person_ids: list[str], places: list[tuple[str, str]], last_month: int
    ) -> None:
        self.ids = pl.Series(person_ids, dtype=pl.String)
        self.districts = pl.Series([district for district, _ in places], dtype=pl.String)
        self.streets = pl.Series([street for _, street in places], dtype=pl.String)
        self.months = pl.Series(
            [month_text(m) for m in range(FIRST_MONTH, max(last_month, FIRST_MONTH) + 1)]
        )
        self.kinds = pl.Series([kind.name.lower() for kind in Kind])
        self.reasons = pl.Series([reason.name.lower() for reason in Reason])
        # Place names are the only input text written: when none holds a comma, a quote or a
        # line break, no field needs quotes and the CSV writer need not look for them.
        special = any(mark in text for place in places for text in place for mark in ',"\r\n')
        self.quote_style: Literal["necessary", "never"] = "necessary" if special else "never"

    def payments(self, run_month: int, lines: Payments) -> pl.DataFrame:
        """One run's payment lines in the contract's columns."""
        count = len(lines.person)
        return pl.DataFrame(
            {
                "run_month": pl.repeat(month_text(run_month), count, eager=True),
                "person_id": self.ids.gather(lines.person),
                "district": self.districts.gather(lines.place),
                "street": self.streets.gather(lines.place),
                "kind": self.kinds.gather(lines.kind),
                "for_month": self._months(lines.for_month),
                "tier": pl.Series(np.asarray(TIERS, dtype=np.int32)[lines.tier]),
                "city_cny": _money(lines.city_fen),
                "district_extra_cny": _money(lines.extra_fen),
                "amount_cny": _money(lines.city_fen + lines.extra_fen),
            }
        )

    def overpayments(self, run_month: int, found: Overpayments) -> pl.DataFrame:
        """One run's overpayments in the contract's columns."""
        count = len(found.person)
        return pl.DataFrame(
            {
                "person_id": self.ids.gather(found.person),
                "for_month": self._months(found.for_month),
                "kind": self.kinds.gather(found.kind),
                "amount_cny": _money(found.amount_fen),
                "paid_in_run": self._months(found.paid_in_run),
                "detected_in_run": pl.repeat(month_text(run_month), count, eager=True),
                "reason": self.reasons.gather(found.reason),
            }
        )

    def write(self, handle: BinaryIO, frame: pl.DataFrame) -> None:
        """Rows of :meth:`payments` or :meth:`overpayments` without header, ``\\n`` line ends,
        UTF-8, a field in quotes only when it holds a comma, a quote or a line break."""
        if frame.height:
            frame.write_csv(handle, include_header=False, quote_style=self.quote_style)

    def _months(self, months: np.ndarray) -> pl.Series:
        return self.months.gather(months - FIRST_MONTH)


def _money(fen: np.ndarray) -> pl.Series:
    """Fen as CNY with two decimals, exactly and without arithmetic: a decimal with scale 2
    stores the number of fen, as a little-endian 128-bit integer (low word, then the sign)."""
    low = fen.astype("<i8")
    words = np.stack([low, low >> 63], axis=1)
    return pl.Series(pa.Array.from_buffers(_MONEY, len(low), [None, pa.py_buffer(words)]))


def write_header(handle: BinaryIO, columns: tuple[str, ...]) -> None:
    """The header line."""
    handle.write((",".join(columns) + "\n").encode("utf-8"))
