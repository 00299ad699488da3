"""Which reported loans enter the pool (C3, C4; 第十四条, 第十五条, 第二十三条 (一)).

A loan is registered when every check passes; otherwise it is refused with the first failing
reason in the order of :class:`LoanReason`. The enterprise's yearly cap (第十四条) comes last and
depends on the loans before it, so it is decided after the others, in order of disbursement.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import numpy as np
import numpy.typing as npt

from gzcreditpool.core.money import cny
from gzkit.calendar import Calendar, nth_workday_after

REPORT_WORKING_DAYS: Final = 7
MAX_TERM_MONTHS: Final = 36
ENTERPRISE_YEAR_CAP_FEN: Final = cny(30_000_000)


class LoanReason(StrEnum):
    """Why a loan is refused, in the order the checks are made."""

    NOT_ELIGIBLE = "not_eligible"
    LATE_REPORT = "late_report"
    TERM = "term"
    CREDIT_PART = "credit_part"
    FINANCING_GUARANTEE = "financing_guarantee"
    ENTERPRISE_YEAR_CAP = "enterprise_year_cap"


LOAN_REASONS: Final = tuple(LoanReason)
NO_REASON: Final = -1


def report_deadline(
    calendar: Calendar, disbursed_on: npt.NDArray[np.datetime64]
) -> npt.NDArray[np.datetime64]:
    """Last day a bank may report each loan: the 7th working day after disbursement.

    C4, 第二十三条 (一) "发放贷款后的 7 个工作日内": the day of disbursement is not counted, and a
    report on the 7th working day itself is on time.

    Parameters
    ----------
    calendar : Calendar
        The working calendar (chinese-calendar overlaid by the official schedule).
    disbursed_on : ndarray of datetime64[D]

    Returns
    -------
    ndarray of datetime64[D]

    Raises
    ------
    gzkit.calendar.UncoveredDayError
        If a count runs into a year neither the library nor the schedule covers.
    """
    return nth_workday_after(calendar, disbursed_on, REPORT_WORKING_DAYS)


def loan_refusals(
    enterprise_eligible: npt.NDArray[np.bool_],
    reported_on: npt.NDArray[np.datetime64],
    deadline: npt.NDArray[np.datetime64],
    term_months: npt.NDArray[np.int64],
    amount_fen: npt.NDArray[np.int64],
    credit_part_fen: npt.NDArray[np.int64],
    financing_guarantee: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int8]:
    """The first failing check of each loan, before the enterprise's yearly cap.

    In order (index into :data:`LOAN_REASONS`):

    0. ``not_eligible`` — the enterprise is not a 科技型中小企业 (C2, 第八条);
    1. ``late_report`` — reported after :func:`report_deadline` (C4, 第二十三条 (一));
    2. ``term`` — longer than 36 months (C3, 第十四条 "贷款期限不超过三年");
    3. ``credit_part`` — the credit part is 50 % of the amount or less (C3, 第十五条 "超过 50%");
    4. ``financing_guarantee`` — guaranteed by a financing guarantee company or re-guaranteed
       (C3, 第十五条).

    Returns
    -------
    ndarray of int8
        The reason's index, or ``NO_REASON`` (−1) where every check passes.
    """
    failures = (
        ~enterprise_eligible,
        reported_on > deadline,
        term_months > MAX_TERM_MONTHS,
        2 * credit_part_fen <= amount_fen,
        financing_guarantee,
    )
    reason = np.full(amount_fen.shape, NO_REASON, dtype=np.int8)
    for code in range(len(failures) - 1, -1, -1):  # the first failure is written last
        reason[failures[code]] = code
    return reason


def within_enterprise_year_cap(
    enterprise: npt.NDArray[np.int64],
    disbursed_on: npt.NDArray[np.datetime64],
    loan_id: npt.NDArray[np.str_],
    amount_fen: npt.NDArray[np.int64],
    candidate: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Which candidate loans fit under their enterprise's 30,000,000 CNY for the year.

    C3, 第十四条 "单个企业年度贷款总额不超过 3000 万元" **[reading: by disbursement year]**. The
    loans of one enterprise disbursed in one calendar year are taken in order of
    ``disbursed_on`` then ``loan_id`` (as text); a loan is refused when it would take the
    registered total over the cap (reaching it exactly is allowed); a refused loan does not
    count, so a smaller later loan may still fit.

    Parameters
    ----------
    enterprise : ndarray of int64
        Enterprise codes (any integers identifying the enterprise).
    disbursed_on : ndarray of datetime64[D]
    loan_id : ndarray of str
    amount_fen : ndarray of int64
    candidate : ndarray of bool
        Loans that passed :func:`loan_refusals`; the others are neither counted nor admitted.

    Returns
    -------
    ndarray of bool
        True for candidates within the cap.
    """
    fits = np.zeros(amount_fen.shape, dtype=bool)
    # A loan over the cap on its own can never fit; leaving it out keeps sums within int64.
    rows = np.flatnonzero(candidate & (amount_fen <= ENTERPRISE_YEAR_CAP_FEN))
    if rows.size == 0:
        return fits
    year = disbursed_on.astype("datetime64[Y]").astype(np.int64)
    rows = rows[np.lexsort((loan_id[rows], disbursed_on[rows], year[rows], enterprise[rows]))]
    group, group_year = enterprise[rows], year[rows]
    new_group = (group[1:] != group[:-1]) | (group_year[1:] != group_year[:-1])
    starts = np.flatnonzero(np.r_[True, new_group])
    stops = np.r_[starts[1:], rows.size]
    amounts = amount_fen[rows]
    running = np.cumsum(amounts)
    start_of_row = np.repeat(starts, stops - starts)
    within_group = running - np.r_[0, running][start_of_row]
    fits[rows] = within_group <= ENTERPRISE_YEAR_CAP_FEN
    # After a group's first refusal, what fits depends on what was refused: walk those groups
    # one loan at a time (few: enterprises rarely reach 30 M in a year).
    for index in np.flatnonzero(np.isin(starts, start_of_row[~fits[rows]])):
        total = 0
        for position in range(starts[index], stops[index]):
            amount = int(amounts[position])
            admitted = total + amount <= ENTERPRISE_YEAR_CAP_FEN
            fits[rows[position]] = admitted
            total += amount if admitted else 0
    return fits


def decide_loans(
    calendar: Calendar,
    enterprise: npt.NDArray[np.int64],
    enterprise_eligible: npt.NDArray[np.bool_],
    disbursed_on: npt.NDArray[np.datetime64],
    reported_on: npt.NDArray[np.datetime64],
    loan_id: npt.NDArray[np.str_],
    amount_fen: npt.NDArray[np.int64],
    term_months: npt.NDArray[np.int64],
    credit_part_fen: npt.NDArray[np.int64],
    financing_guarantee: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int8]:
    """Every loan's reason for refusal (index into :data:`LOAN_REASONS`), −1 if registered.

    :func:`loan_refusals` first, then :func:`within_enterprise_year_cap` over the loans that
    passed (C3, C4).
    """
    deadline = report_deadline(calendar, disbursed_on)
    reason = loan_refusals(
        enterprise_eligible,
        reported_on,
        deadline,
        term_months,
        amount_fen,
        credit_part_fen,
        financing_guarantee,
    )
    candidate = reason == NO_REASON
    fits = within_enterprise_year_cap(enterprise, disbursed_on, loan_id, amount_fen, candidate)
    reason[candidate & ~fits] = LOAN_REASONS.index(LoanReason.ENTERPRISE_YEAR_CAP)
    return reason
