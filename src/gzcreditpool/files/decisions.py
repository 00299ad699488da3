"""decisions.csv: one row per loan, claim and recovery in input order, then one fee row a year.

Columns ``record,id,decision,reason,amount_cny,due_on``; written to a temporary file beside the
target and renamed, so a failed run leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
import numpy.typing as npt
import polars as pl

from gzcreditpool.core.claims import CLAIM_DECISIONS, CLAIM_REASONS
from gzcreditpool.core.loans import LOAN_REASONS
from gzcreditpool.core.settle import Claims, Loans, Recoveries, Settlement
from gzkit.outputs import replaced_on_success

COLUMNS = ("record", "id", "decision", "reason", "amount_cny", "due_on")


def _cny(fen: pl.Expr) -> pl.Expr:
    """Non-negative fen as CNY text with two places (``12345`` → ``123.45``)."""
    return pl.concat_str(
        (fen // 100).cast(pl.String), pl.lit("."), (fen % 100).cast(pl.String).str.zfill(2)
    )


def _labels(codes: npt.NDArray[np.int8], names: tuple[str, ...]) -> pl.Series:
    return pl.Series(["", *names], dtype=pl.String).gather(codes.astype(np.int64) + 1)


def _block(
    record: str,
    ids: npt.NDArray[np.str_],
    decision: pl.Series,
    reason: pl.Series,
    amount_fen: npt.NDArray[np.int64],
    due_on: npt.NDArray[np.datetime64],
) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "id": pl.Series(ids.tolist(), dtype=pl.String),
            "decision": decision,
            "reason": reason,
            "fen": pl.Series(amount_fen, dtype=pl.Int64),
            "due": pl.Series(due_on.astype("datetime64[D]"), dtype=pl.Date),
        }
    )
    return frame.select(
        pl.lit(record).alias("record"),
        "id",
        "decision",
        "reason",
        _cny(pl.col("fen")).alias("amount_cny"),
        pl.col("due").dt.to_string("%Y-%m-%d").alias("due_on"),
    )


def decision_frame(
    loans: Loans, claims: Claims, recoveries: Recoveries, settlement: Settlement
) -> pl.DataFrame:
    """The rows of decisions.csv, as text."""
    no_date = np.datetime64("NaT", "D")
    loan_decision = np.where(settlement.loan_reason < 0, "registered", "refused")
    outcome = settlement.claims
    # 31 December of the claim year: the first day of the next year, less one.
    next_year = claims.filed_on.astype("datetime64[Y]") + np.timedelta64(1, "Y")
    claim_due = np.where(
        outcome.amount_fen > 0, next_year.astype("datetime64[D]") - np.timedelta64(1, "D"), no_date
    )
    owed = settlement.refunds
    years = np.array(list(settlement.fees), dtype=np.int64)
    blocks = [
        _block(
            "loan",
            loans.loan_id,
            pl.Series(loan_decision.tolist(), dtype=pl.String),
            _labels(settlement.loan_reason, LOAN_REASONS),
            loans.amount_fen,
            np.full(loans.loan_id.shape, no_date),
        ),
        _block(
            "claim",
            claims.claim_id,
            _labels(outcome.decision, CLAIM_DECISIONS),
            _labels(outcome.reason, CLAIM_REASONS),
            outcome.amount_fen,
            claim_due,
        ),
        _block(
            "recovery",
            recoveries.recovery_id,
            pl.Series(np.where(owed.due, "refund", "none").tolist(), dtype=pl.String),
            pl.Series([""] * owed.due.size, dtype=pl.String),
            owed.amount_fen,
            settlement.refund_due_on,
        ),
        _block(
            "fee",
            years.astype(str),
            pl.Series(["fee"] * years.size, dtype=pl.String),
            pl.Series([""] * years.size, dtype=pl.String),
            np.array(list(settlement.fees.values()), dtype=np.int64),
            np.full(years.shape, no_date),
        ),
    ]
    # Empty fields are written bare (``fee,2024,fee,,2000480.00,``), not as quoted "".
    return pl.concat(blocks).select(pl.col(name).replace("", None) for name in COLUMNS)


def write_decisions(frame: pl.DataFrame, out: Path) -> None:
    """Write ``frame`` to ``out`` whole or not at all (gzkit.outputs.replaced_on_success)."""
    with replaced_on_success(out) as (handle,):
        frame.write_csv(cast(BinaryIO, handle), quote_style="necessary")
