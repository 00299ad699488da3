"""One settlement of the pool: loans, then claims, then recoveries, then the trustee's fees.

The batch command ``gzcreditpool settle`` and (later) the service both decide through
:func:`settle`; the arrays come from files or from the database, the rules are the same.

The batch decides every claim at once, so each recovery's refund is already the share of all
the compensation approved on its loan: a top-up (:func:`gzcreditpool.core.refunds.top_ups`),
owed when the service approves a claim after the recovery was refunded, never arises here; the
service's refund plus its top-ups is this refund.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gzcreditpool.core.claims import (
    NO_REASON,
    BankYearCaps,
    ClaimOutcome,
    claim_refusals,
    decide_claims,
)
from gzcreditpool.core.fees import yearly_fees
from gzcreditpool.core.loans import decide_loans
from gzcreditpool.core.refunds import REFUND_WORKING_DAYS, Refunds, refunds
from gzkit.calendar import Calendar, UncoveredDayError, nth_workday_after


@dataclass(frozen=True)
class Loans:
    """Reported loans, one entry per loan (C3, C4); money in fen."""

    loan_id: npt.NDArray[np.str_]
    bank: npt.NDArray[np.int64]
    enterprise: npt.NDArray[np.int64]
    enterprise_eligible: npt.NDArray[np.bool_]
    disbursed_on: npt.NDArray[np.datetime64]
    reported_on: npt.NDArray[np.datetime64]
    amount_fen: npt.NDArray[np.int64]
    term_months: npt.NDArray[np.int64]
    credit_part_fen: npt.NDArray[np.int64]
    financing_guarantee: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Claims:
    """Compensation claims (C5, C6); ``loan`` indexes :class:`Loans`."""

    claim_id: npt.NDArray[np.str_]
    loan: npt.NDArray[np.int64]
    filed_on: npt.NDArray[np.datetime64]
    classification: npt.NDArray[np.int8]
    legal_effective_on: npt.NDArray[np.datetime64]
    npl_balance_fen: npt.NDArray[np.int64]


@dataclass(frozen=True)
class Recoveries:
    """Recoveries after compensation (C7); ``loan`` indexes :class:`Loans`."""

    recovery_id: npt.NDArray[np.str_]
    loan: npt.NDArray[np.int64]
    received_on: npt.NDArray[np.datetime64]
    gross_fen: npt.NDArray[np.int64]
    fees_fen: npt.NDArray[np.int64]


@dataclass(frozen=True)
class Settlement:
    """Every decision of :func:`settle`.

    Attributes
    ----------
    loan_reason : ndarray of int8
        Index into ``LOAN_REASONS``, −1 for a registered loan.
    claims : ClaimOutcome
    refunds : Refunds
    refund_due_on : ndarray of datetime64[D]
        The 30th working day after receipt where a refund is due, NaT elsewhere.
    fees : dict of int to int
        The trustee's fee in fen by year with registered loans, ascending.
    """

    loan_reason: npt.NDArray[np.int8]
    claims: ClaimOutcome
    refunds: Refunds
    refund_due_on: npt.NDArray[np.datetime64]
    fees: dict[int, int]


class UncoveredRecordError(UncoveredDayError):
    """A record whose working-day count needs a day the calendar does not cover.

    Attributes
    ----------
    record : str
        ``loan`` or ``recovery``.
    """

    def __init__(self, record: str, cause: UncoveredDayError) -> None:
        super().__init__(cause.day, cause.position)
        self.record = record


def settle(calendar: Calendar, loans: Loans, claims: Claims, recoveries: Recoveries) -> Settlement:
    """Decide every loan, claim and recovery and the trustee's yearly fees (C3–C8).

    Raises
    ------
    UncoveredRecordError
        If a loan's report deadline (7 working days, C4) or a due refund's date (30 working
        days, C7) runs into a year the calendar does not cover.
    """
    try:
        loan_reason = decide_loans(
            calendar,
            loans.enterprise,
            loans.enterprise_eligible,
            loans.disbursed_on,
            loans.reported_on,
            loans.loan_id,
            loans.amount_fen,
            loans.term_months,
            loans.credit_part_fen,
            loans.financing_guarantee,
        )
    except UncoveredDayError as cause:
        raise UncoveredRecordError("loan", cause) from None
    registered = loan_reason == NO_REASON
    refusal = claim_refusals(
        registered[claims.loan],
        claims.filed_on,
        claims.classification,
        claims.legal_effective_on,
    )
    caps = BankYearCaps.from_loans(loans.bank, loans.disbursed_on, loans.amount_fen, registered)
    claim_outcome = decide_claims(
        claims.claim_id,
        claims.filed_on,
        claims.loan,
        claims.npl_balance_fen,
        loans.bank[claims.loan],
        refusal,
        caps,
    )
    owed = refunds(
        recoveries.loan,
        recoveries.received_on,
        recoveries.gross_fen - recoveries.fees_fen,
        claims.claim_id,
        claims.loan,
        claims.filed_on,
        claim_outcome.amount_fen,
        claims.npl_balance_fen,
    )
    due_on = np.full(recoveries.received_on.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    due_rows = np.flatnonzero(owed.due)
    try:
        due_on[due_rows] = nth_workday_after(
            calendar, recoveries.received_on[due_rows], REFUND_WORKING_DAYS
        )
    except UncoveredDayError as cause:
        where = UncoveredDayError(cause.day, int(due_rows[cause.position]))
        raise UncoveredRecordError("recovery", where) from None
    fees = yearly_fees(loans.disbursed_on, loans.amount_fen, registered)
    return Settlement(loan_reason, claim_outcome, owed, due_on, fees)
