"""``gzcreditpool settle`` without the terminal: read the files, settle, write decisions.csv."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from gzcreditpool.core.claims import CLAIM_DECISIONS, ClaimDecision
from gzcreditpool.core.money import fen_to_decimal
from gzcreditpool.core.settle import UncoveredRecordError, settle
from gzcreditpool.files.books import (
    LOAN_COLUMNS,
    RECOVERY_COLUMNS,
    read_claims,
    read_loans,
    read_recoveries,
)
from gzcreditpool.files.decisions import decision_frame, write_decisions
from gzcreditpool.files.tables import line_of
from gzkit.calendar import Calendar, uncovered_message
from gzkit.calendarfile import read_calendar
from gzkit.inputs import InputError


@dataclass(frozen=True)
class SettleInputs:
    loans: Path
    claims: Path
    recoveries: Path | None = None
    calendar: Path | None = None


@dataclass(frozen=True)
class SettleSummary:
    """What a settlement decided, for the one-screen summary."""

    loans: int
    registered: int
    registered_cny: Decimal
    claims: int
    approved: int
    partial: int
    refused_claims: int
    compensation_cny: Decimal
    recoveries: int
    refunds: int
    refund_cny: Decimal
    fees_cny: dict[int, Decimal]


def run_settle(inputs: SettleInputs, out: Path) -> SettleSummary:
    """Read, settle (C3–C8) and write ``out``; nothing is written when an input is bad.

    Raises
    ------
    InputError
        Naming the file, the line and the reason of the first bad input, including a record
        whose working-day count needs a year neither the library nor ``--calendar`` covers.
    """
    calendar = read_calendar(inputs.calendar) if inputs.calendar else Calendar()
    loans, loan_ids = read_loans(inputs.loans)
    claims = read_claims(inputs.claims, loan_ids)
    recoveries = read_recoveries(inputs.recoveries, loan_ids)
    try:
        settlement = settle(calendar, loans, claims, recoveries)
    except UncoveredRecordError as err:
        path, columns, column = (
            (inputs.loans, LOAN_COLUMNS, "disbursed_on")
            if err.record == "loan"
            else (inputs.recoveries or inputs.loans, RECOVERY_COLUMNS, "received_on")
        )
        raise InputError(
            path,
            uncovered_message(err.day, "--calendar"),
            line_of(path, columns, err.position),
            column=column,
        ) from None
    write_decisions(decision_frame(loans, claims, recoveries, settlement), out)
    outcome = settlement.claims

    def decided(decision: ClaimDecision) -> int:
        return int(np.count_nonzero(outcome.decision == CLAIM_DECISIONS.index(decision)))

    registered = settlement.loan_reason < 0
    return SettleSummary(
        loans=int(loans.loan_id.size),
        registered=int(registered.sum()),
        registered_cny=fen_to_decimal(int(loans.amount_fen[registered].sum())),
        claims=int(claims.claim_id.size),
        approved=decided(ClaimDecision.APPROVED),
        partial=decided(ClaimDecision.PARTIAL),
        refused_claims=decided(ClaimDecision.REFUSED),
        compensation_cny=fen_to_decimal(int(outcome.amount_fen.sum())),
        recoveries=int(recoveries.recovery_id.size),
        refunds=int(np.count_nonzero(settlement.refunds.due)),
        refund_cny=fen_to_decimal(int(settlement.refunds.amount_fen.sum())),
        fees_cny={year: fen_to_decimal(fen) for year, fen in settlement.fees.items()},
    )
