"""The service's decisions through the rules engine: rows from the database become the arrays
:mod:`gzcreditpool.core` takes, so the service decides with the very functions
``gzcreditpool settle`` calls (C3–C8).

Ids are compared as text where the rules order ties (C3's yearly cap, C6's claims); the
service's ids are integers, written here zero-padded so that text order is number order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from gzcreditpool.core.claims import (
    CLAIM_DECISIONS,
    CLAIM_REASONS,
    BankYearCaps,
    Classification,
    Drawn,
    claim_refusals,
    decide_claims,
)
from gzcreditpool.core.fees import trustee_fee
from gzcreditpool.core.loans import LOAN_REASONS, decide_loans, report_deadline
from gzcreditpool.core.money import fen_to_decimal, half_up
from gzcreditpool.core.refunds import REFUND_WORKING_DAYS, refunds, top_ups
from gzkit.calendar import (
    Calendar,
    CalendarError,
    DayType,
    UncoveredDayError,
    builtin_years,
    nth_workday_after,
)
from gzkit.errors import Invalid

ID_WIDTH = 10


def fen(amount: Decimal) -> int:
    """CNY (at most two decimals) as integer fen."""
    return int(amount.scaleb(2).to_integral_exact())


def cny(amount_fen: int) -> Decimal:
    """Integer fen as CNY with two decimals."""
    return fen_to_decimal(amount_fen)


def _ids(ids: Sequence[int]) -> npt.NDArray[np.str_]:
    return np.array([f"{i:0{ID_WIDTH}d}" for i in ids], dtype=f"<U{ID_WIDTH}")


def _days(days: Sequence[dt.date | None]) -> npt.NDArray[np.datetime64]:
    return np.array([d if d is not None else "NaT" for d in days], dtype="datetime64[D]")


def _date(value: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(value))


Field = str | tuple[str | int, ...]
DISBURSED_ON: Field = ("body", "disbursed_on")


def deadline(calendar: Calendar, disbursed_on: dt.date, field: Field = DISBURSED_ON) -> dt.date:
    """The last day to report a loan disbursed on ``disbursed_on`` (C4, 7 working days)."""
    return deadlines(calendar, [disbursed_on], field)[0]


def deadlines(
    calendar: Calendar, disbursed_on: Sequence[dt.date], field: Field = DISBURSED_ON
) -> list[dt.date]:
    """:func:`deadline` of each day, in one call of the rules engine.

    Raises
    ------
    Invalid
        On ``field`` when a count runs into a year the calendar does not cover.
    """
    if not disbursed_on:
        return []
    try:
        found = report_deadline(calendar, _days(disbursed_on))
    except UncoveredDayError as err:
        raise _uncovered(err, field) from None
    return [_date(day) for day in found]


def refund_due_on(calendar: Calendar, received_on: dt.date) -> dt.date:
    """The last day to refund a recovery received on ``received_on`` (C7, 30 working days),
    or a top-up owed since an approval on that day.

    Raises
    ------
    Invalid
        When the count runs into a year the calendar does not cover.
    """
    try:
        found = nth_workday_after(calendar, _days([received_on]), REFUND_WORKING_DAYS)
    except UncoveredDayError as err:
        raise _uncovered(err, ("body", "received_on")) from None
    return _date(found[0])


def _uncovered(err: UncoveredDayError, field: Field) -> Invalid:
    covered = builtin_years()
    return Invalid(
        f"工作日历未覆盖 {err.day:%Y-%m-%d}（内置日历覆盖 {covered.start}–{covered.stop - 1} 年）"
        f" / no working calendar for {err.day:%Y-%m-%d}",
        field,
    )


def working_days_between(calendar: Calendar, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
    before ``start``): what a countdown to a deadline shows."""
    if end < start:
        return -working_days_between(calendar, end, start)
    count, day = 0, start
    try:
        while day < end:
            day += dt.timedelta(days=1)
            count += calendar.day_info(day).day_type is DayType.WORKDAY
    except CalendarError:
        raise _uncovered(UncoveredDayError(day, 0), ("query", "disbursed_on")) from None
    return count


@dataclass(frozen=True)
class LoanRow:
    """A loan as the rules see it; money in CNY."""

    id: int
    bank_id: int
    enterprise_id: int
    enterprise_eligible: bool
    disbursed_on: dt.date
    reported_on: dt.date
    amount: Decimal
    term_months: int
    credit_part: Decimal
    financing_guarantee: bool


def loan_reasons(calendar: Calendar, loans: Sequence[LoanRow]) -> dict[int, str | None]:
    """Each loan's first failing reason (C3, C4; ``decide_loans``), None when registered.

    The enterprise's yearly cap (C3) depends on the loans before it: pass every loan that is
    not refused, not only the ones being decided.
    """
    if not loans:
        return {}
    reason = decide_loans(
        calendar,
        np.array([row.enterprise_id for row in loans], dtype=np.int64),
        np.array([row.enterprise_eligible for row in loans], dtype=bool),
        _days([row.disbursed_on for row in loans]),
        _days([row.reported_on for row in loans]),
        _ids([row.id for row in loans]),
        np.array([fen(row.amount) for row in loans], dtype=np.int64),
        np.array([row.term_months for row in loans], dtype=np.int64),
        np.array([fen(row.credit_part) for row in loans], dtype=np.int64),
        np.array([row.financing_guarantee for row in loans], dtype=bool),
    )
    return {
        row.id: (LOAN_REASONS[code].value if code >= 0 else None)
        for row, code in zip(loans, reason.tolist(), strict=True)
    }


@dataclass(frozen=True)
class BookLoan:
    """A loan in the claim book: its bank, disbursement, amount and whether it is confirmed."""

    id: int
    bank_id: int
    disbursed_on: dt.date
    amount: Decimal
    confirmed: bool


@dataclass(frozen=True)
class ClaimRow:
    """A claim as the rules see it (C5, C6)."""

    id: int
    loan_id: int
    filed_on: dt.date
    classification: str
    legal_effective_on: dt.date | None
    npl_balance: Decimal


@dataclass(frozen=True)
class ClaimResult:
    """One claim's decision: ``approved`` | ``partial`` | ``refused``, the reason and amount."""

    decision: str
    reason: str | None
    amount: Decimal


def claim_results(
    loans: Sequence[BookLoan], claims: Sequence[ClaimRow], approved: Sequence[PaidClaim] = ()
) -> dict[int, ClaimResult]:
    """Decide ``claims`` (``claim_refusals`` then ``decide_claims``, C5–C6) against the
    confirmed loans' caps less what the ``approved`` claims took (``core.claims.Drawn``).
    Pass every claim still to be approved and every approved one: each draws on the caps."""
    if not claims:
        return {}
    index = {loan.id: k for k, loan in enumerate(loans)}
    confirmed = np.array([loan.confirmed for loan in loans], dtype=bool)
    bank = np.array([loan.bank_id for loan in loans], dtype=np.int64)
    claim_loan = np.array([index[claim.loan_id] for claim in claims], dtype=np.int64)
    paid_loan = np.array([index[claim.loan_id] for claim in approved], dtype=np.int64)
    paid_id, _, paid_on, paid_fen, paid_balance = _paid_arrays(approved)
    drawn = Drawn.from_claims(paid_id, paid_on, paid_loan, paid_balance, bank[paid_loan], paid_fen)
    filed_on = _days([claim.filed_on for claim in claims])
    refusal = claim_refusals(
        confirmed[claim_loan],
        filed_on,
        np.array([Classification[c.classification] for c in claims], dtype=np.int8),
        _days([claim.legal_effective_on for claim in claims]),
    )
    caps = BankYearCaps.from_loans(
        bank,
        _days([loan.disbursed_on for loan in loans]),
        np.array([fen(loan.amount) for loan in loans], dtype=np.int64),
        confirmed,
    )
    outcome = decide_claims(
        _ids([claim.id for claim in claims]),
        filed_on,
        claim_loan,
        np.array([fen(claim.npl_balance) for claim in claims], dtype=np.int64),
        bank[claim_loan],
        refusal,
        caps,
        drawn,
    )
    return {
        claim.id: ClaimResult(
            CLAIM_DECISIONS[decision].value,
            CLAIM_REASONS[reason].value if reason >= 0 else None,
            cny(amount),
        )
        for claim, decision, reason, amount in zip(
            claims,
            outcome.decision.tolist(),
            outcome.reason.tolist(),
            outcome.amount_fen.tolist(),
            strict=True,
        )
    }


def bank_caps(loans: Sequence[BookLoan], claim_year: int) -> dict[int, Decimal]:
    """Each bank's cap for the claims of ``claim_year`` (C6, ``BankYearCaps``): 200,000,000 ×
    its confirmed lending in the year before ÷ all banks', half-up to the fen."""
    confirmed = [loan for loan in loans if loan.confirmed]
    if not confirmed:
        return {}
    caps = BankYearCaps.from_loans(
        np.array([loan.bank_id for loan in confirmed], dtype=np.int64),
        _days([loan.disbursed_on for loan in confirmed]),
        np.array([fen(loan.amount) for loan in confirmed], dtype=np.int64),
        np.ones(len(confirmed), dtype=bool),
    )
    return {
        bank: cny(half_up(*caps.cap(bank, claim_year)))
        for bank in sorted({loan.bank_id for loan in confirmed})
    }


@dataclass(frozen=True)
class PaidClaim:
    """An approved claim on a loan: when filed, its balance and the compensation approved."""

    id: int
    loan_id: int
    filed_on: dt.date
    npl_balance: Decimal
    amount: Decimal


def _paid_arrays(paid: Sequence[PaidClaim]) -> tuple[npt.NDArray[Any], ...]:
    """The claim arrays of :func:`core.refunds.refunds`."""
    return (
        _ids([claim.id for claim in paid]),
        np.array([claim.loan_id for claim in paid], dtype=np.int64),
        _days([claim.filed_on for claim in paid]),
        np.array([fen(claim.amount) for claim in paid], dtype=np.int64),
        np.array([fen(claim.npl_balance) for claim in paid], dtype=np.int64),
    )


def _recovery_arrays(
    loan_id: int, received_on: dt.date, net: Decimal
) -> tuple[npt.NDArray[Any], ...]:
    return (
        np.array([loan_id], dtype=np.int64),
        _days([received_on]),
        np.array([fen(net)], dtype=np.int64),
    )


def refund(
    loan_id: int, received_on: dt.date, net: Decimal, paid: Sequence[PaidClaim]
) -> tuple[bool, Decimal]:
    """Whether a recovery of ``net`` (gross − fees) on ``loan_id`` owes the treasury, and how
    much (C7, ``core.refunds.refunds``): nothing without compensation approved on claims filed
    by ``received_on``."""
    owed = refunds(*_recovery_arrays(loan_id, received_on, net), *_paid_arrays(paid))
    return bool(owed.due[0]), cny(int(owed.amount_fen[0]))


def top_up(
    loan_id: int, received_on: dt.date, net: Decimal, refunded: Decimal, paid: Sequence[PaidClaim]
) -> Decimal:
    """What a recovery that has refunded ``refunded`` owes on top now that ``paid`` are
    approved (C7, ``core.refunds.top_ups``); 0.00 when nothing more."""
    more = top_ups(
        np.array([fen(refunded)], dtype=np.int64),
        *_recovery_arrays(loan_id, received_on, net),
        *_paid_arrays(paid),
    )
    return cny(int(more[0]))


def fee_of(lent: Decimal) -> Decimal:
    """The trustee's fee for a year whose confirmed lending is ``lent`` (C8)."""
    return cny(trustee_fee(fen(lent)))
