"""The three input files of ``gzcreditpool settle``: loans, claims, recoveries.

Columns (the issue's contract; dates ``YYYY-MM-DD``, money in CNY with at most two decimals,
booleans ``true``/``false``):

- loans: ``loan_id,bank_id,enterprise_id,enterprise_eligible,disbursed_on,reported_on,amount,
  term_months,credit_part,financing_guarantee``;
- claims: ``claim_id,loan_id,filed_on,classification,legal_effective_on,npl_balance``
  (classification 正常|关注|次级|可疑|损失; an empty legal_effective_on = no legal action);
- recoveries: ``recovery_id,loan_id,received_on,gross,fees``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from gzcreditpool.core.claims import Classification
from gzcreditpool.core.settle import Claims, Loans, Recoveries
from gzcreditpool.files.checks import (
    boolean,
    date,
    dates,
    fen,
    identifier,
    known,
    money,
    one_of,
    parsed,
    required,
    whole_at_least_one,
)
from gzcreditpool.files.tables import Check, read_table

LOAN_COLUMNS = (
    "loan_id",
    "bank_id",
    "enterprise_id",
    "enterprise_eligible",
    "disbursed_on",
    "reported_on",
    "amount",
    "term_months",
    "credit_part",
    "financing_guarantee",
)
CLAIM_COLUMNS = (
    "claim_id",
    "loan_id",
    "filed_on",
    "classification",
    "legal_effective_on",
    "npl_balance",
)
RECOVERY_COLUMNS = ("recovery_id", "loan_id", "received_on", "gross", "fees")


def _dates(frame: pl.DataFrame, column: str) -> npt.NDArray[np.datetime64]:
    return frame[parsed(column)].to_numpy().astype("datetime64[D]")


def _fen(frame: pl.DataFrame, column: str) -> npt.NDArray[np.int64]:
    return frame[parsed(column)].to_numpy().astype(np.int64)


def _above(left: str, right: str) -> Check:
    """``left`` may not exceed ``right`` (both parsed: fen or dates); the fault is ``left``'s."""
    return Check(
        pl.col(parsed(left)) > pl.col(parsed(right)),
        left,
        lambda t, r: f"{t.value(left, r)} 大于 {right} {t.value(right, r)}",
    )


def _text(frame: pl.DataFrame, column: str) -> npt.NDArray[np.str_]:
    return frame[column].to_numpy().astype(str)


def _codes(frame: pl.DataFrame, column: str) -> npt.NDArray[np.int64]:
    """An integer per distinct text (hashed into a categorical: cheaper than sorting)."""
    codes = frame.select(pl.col(column).cast(pl.Categorical).to_physical()).to_series()
    return codes.to_numpy().astype(np.int64)


def read_loans(path: Path) -> tuple[Loans, pl.DataFrame]:
    """Read and check the loans file; also return the loan ids with their row index, by which
    the claims and recoveries files find their loans.

    Raises
    ------
    gzkit.inputs.InputError
        Naming the line of the first bad row: an empty or repeated loan_id, an empty bank or
        enterprise, a boolean other than ``true``/``false``, a date that is not
        ``YYYY-MM-DD``, reported_on before disbursed_on, an amount that is negative, not
        money or 0, a term that is not a whole number ≥ 1, a credit_part over the amount.
    """
    checks: list[Check] = [
        *identifier("loan_id"),
        required("bank_id"),
        required("enterprise_id"),
        boolean("enterprise_eligible"),
        date("disbursed_on"),
        date("reported_on"),
        Check(
            pl.col(parsed("disbursed_on")) > pl.col(parsed("reported_on")),
            "reported_on",
            lambda t, r: (
                f"{t.value('reported_on', r)} 早于 disbursed_on {t.value('disbursed_on', r)}"
            ),
        ),
        *money("amount", positive=True),
        whole_at_least_one("term_months"),
        *money("credit_part"),
        _above("credit_part", "amount"),
        boolean("financing_guarantee"),
    ]
    extra = dates("disbursed_on", "reported_on") | fen("amount", "credit_part")
    frame = read_table(path, LOAN_COLUMNS, checks, extra).frame
    lookup = (
        frame.select("loan_id").with_row_index("index").with_columns(pl.col("index").cast(pl.Int64))
    )
    return Loans(
        loan_id=_text(frame, "loan_id"),
        bank=_codes(frame, "bank_id"),
        enterprise=_codes(frame, "enterprise_id"),
        enterprise_eligible=(frame["enterprise_eligible"] == "true").to_numpy(),
        disbursed_on=_dates(frame, "disbursed_on"),
        reported_on=_dates(frame, "reported_on"),
        amount_fen=_fen(frame, "amount"),
        term_months=frame["term_months"].cast(pl.Int64).to_numpy(),
        credit_part_fen=_fen(frame, "credit_part"),
        financing_guarantee=(frame["financing_guarantee"] == "true").to_numpy(),
    ), lookup


def _loan_index(frame: pl.DataFrame, lookup: pl.DataFrame) -> npt.NDArray[np.int64]:
    joined = frame.select("loan_id").join(lookup, on="loan_id", how="left", maintain_order="left")
    return joined["index"].to_numpy().astype(np.int64)


def read_claims(path: Path, loans: pl.DataFrame) -> Claims:
    """Read and check the claims file against the loans.

    Raises
    ------
    gzkit.inputs.InputError
        For an empty or repeated claim_id, a loan_id not in the loans file, a date that is not
        ``YYYY-MM-DD``, an unknown classification, an npl_balance that is negative, not money
        or 0.
    """
    classifications = [c.name for c in Classification]
    checks: list[Check] = [
        *identifier("claim_id"),
        required("loan_id"),
        known("loan_id", loans["loan_id"], "贷款文件"),
        date("filed_on"),
        one_of("classification", classifications),
        date("legal_effective_on", optional=True),
        *money("npl_balance", positive=True),
    ]
    extra = dates("filed_on", "legal_effective_on") | fen("npl_balance")
    frame = read_table(path, CLAIM_COLUMNS, checks, extra).frame
    classification = frame.select(
        pl.col("classification").replace_strict(
            {c.name: c.value for c in Classification}, return_dtype=pl.Int8
        )
    )
    return Claims(
        claim_id=_text(frame, "claim_id"),
        loan=_loan_index(frame, loans),
        filed_on=_dates(frame, "filed_on"),
        classification=classification.to_series().to_numpy().astype(np.int8),
        legal_effective_on=_dates(frame, "legal_effective_on"),
        npl_balance_fen=_fen(frame, "npl_balance"),
    )


def read_recoveries(path: Path | None, loans: pl.DataFrame) -> Recoveries:
    """Read and check the recoveries file (none when ``path`` is None).

    Raises
    ------
    gzkit.inputs.InputError
        For an empty or repeated recovery_id, a loan_id not in the loans file, a date that is
        not ``YYYY-MM-DD``, gross or fees negative or not money, fees over gross.
    """
    if path is None:
        frame = pl.DataFrame(schema=dict.fromkeys(RECOVERY_COLUMNS, pl.String)).with_columns(
            **dates("received_on"), **fen("gross", "fees")
        )
    else:
        checks: list[Check] = [
            *identifier("recovery_id"),
            required("loan_id"),
            known("loan_id", loans["loan_id"], "贷款文件"),
            date("received_on"),
            *money("gross"),
            *money("fees"),
            _above("fees", "gross"),
        ]
        extra = dates("received_on") | fen("gross", "fees")
        frame = read_table(path, RECOVERY_COLUMNS, checks, extra).frame
    return Recoveries(
        recovery_id=_text(frame, "recovery_id"),
        loan=_loan_index(frame, loans),
        received_on=_dates(frame, "received_on"),
        gross_fen=_fen(frame, "gross"),
        fees_fen=_fen(frame, "fees"),
    )
