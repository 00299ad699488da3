"""Compensation claims (C5, C6; 第三条, 第十六条, 第十七条, 第二十三条 (三)).

A claim is first checked on its own (:func:`claim_refusals`); the claims that pass are then
decided one by one in order of filing, because each takes from two caps that earlier claims
have drawn on: half the loan's non-performing balance, and the bank's share of the year's
200,000,000 CNY (:func:`decide_claims`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Final

import numpy as np
import numpy.typing as npt

from gzcreditpool.core.money import cny, half_up

CLAIM_WINDOW_LAST_MONTH: Final = 6  # claims by 30 June (第二十三条 (三))
LEGAL_WAIT_DAYS: Final = 30  # 生效裁判或强制执行立案超过 30 天 (第十六条)
POOL_YEAR_FEN: Final = cny(200_000_000)  # 第三条 "每年安排资金规模控制在 2 亿元以内"


class Classification(IntEnum):
    """贷款风险分类 (five categories); 次级 and worse are non-performing (第十六条)."""

    正常 = 0
    关注 = 1
    次级 = 2
    可疑 = 3
    损失 = 4


class ClaimReason(StrEnum):
    """Why a claim is refused or only partly paid; the refusals in the order checked."""

    LOAN_NOT_REGISTERED = "loan_not_registered"
    NOT_IN_WINDOW = "not_in_window"
    CLASSIFICATION = "classification"
    NO_LEGAL_ACTION = "no_legal_action"
    LEGAL_TOO_RECENT = "legal_too_recent"
    LOAN_CAP_REACHED = "loan_cap_reached"
    BANK_CAP_REACHED = "bank_cap_reached"
    LOAN_CAP = "loan_cap"
    BANK_CAP = "bank_cap"


class ClaimDecision(StrEnum):
    APPROVED = "approved"
    PARTIAL = "partial"
    REFUSED = "refused"


CLAIM_REASONS: Final = tuple(ClaimReason)
CLAIM_DECISIONS: Final = tuple(ClaimDecision)
NO_REASON: Final = -1


def claim_refusals(
    loan_registered: npt.NDArray[np.bool_],
    filed_on: npt.NDArray[np.datetime64],
    classification: npt.NDArray[np.int8],
    legal_effective_on: npt.NDArray[np.datetime64],
) -> npt.NDArray[np.int8]:
    """The first failing condition of each claim, before the caps.

    In order (index into :data:`CLAIM_REASONS`):

    0. ``loan_not_registered`` — the loan is not in the pool (C4, 第二十三条 (二));
    1. ``not_in_window`` — filed outside 1 January–30 June of its year (C6, 第二十三条 (三));
    2. ``classification`` — 正常 or 关注, not 次级 or worse (C5, 第十六条);
    3. ``no_legal_action`` — no judgment, award or enforcement filing (C5, 第十六条);
    4. ``legal_too_recent`` — ``filed_on − legal_effective_on`` ≤ 30 days, including a
       legal date after the filing (C5, 第十六条 "超过 30 天" **[reading: calendar days]**).

    Parameters
    ----------
    loan_registered : ndarray of bool
        Whether each claim's loan was registered.
    filed_on : ndarray of datetime64[D]
    classification : ndarray of int8
        :class:`Classification` values.
    legal_effective_on : ndarray of datetime64[D]
        NaT where there was no legal action.

    Returns
    -------
    ndarray of int8
        The reason's index, or ``NO_REASON`` (−1) where the claim goes on to the caps.
    """
    month = filed_on.astype("datetime64[M]").astype(np.int64) % 12 + 1
    no_action = np.isnat(legal_effective_on)
    waited = (filed_on - legal_effective_on).astype(np.int64)
    failures = (
        ~loan_registered,
        month > CLAIM_WINDOW_LAST_MONTH,
        classification < Classification.次级,
        no_action,
        ~no_action & (waited <= LEGAL_WAIT_DAYS),
    )
    reason = np.full(filed_on.shape, NO_REASON, dtype=np.int8)
    for code in range(len(failures) - 1, -1, -1):  # the first failure is written last
        reason[failures[code]] = code
    return reason


@dataclass(frozen=True)
class BankYearCaps:
    """Each bank's yearly cap (C6, 第十七条) as an exact fraction of fen.

    The cap for claims of year Y = 200,000,000 CNY × the bank's registered loans disbursed in
    Y−1 ÷ all registered loans disbursed in Y−1 (0 when there were none) **[reading: 当年 is
    the lending year Y−1 the year-Y claims are budgeted against, 第三条]**.

    Parameters
    ----------
    lending : dict of (bank, year) to int
        Registered loan amounts in fen, summed by bank and year of disbursement.
    totals : dict of year to int
        The same summed over banks.
    """

    lending: dict[tuple[int, int], int]
    totals: dict[int, int]

    @classmethod
    def from_loans(
        cls,
        bank: npt.NDArray[np.int64],
        disbursed_on: npt.NDArray[np.datetime64],
        amount_fen: npt.NDArray[np.int64],
        registered: npt.NDArray[np.bool_],
    ) -> BankYearCaps:
        """Sum the registered loans by bank and year of disbursement."""
        year = disbursed_on[registered].astype("datetime64[Y]").astype(np.int64) + 1970
        banks, bank_row = np.unique(bank[registered], return_inverse=True)
        first_year = int(year.min()) if year.size else 0
        years = int(year.max()) - first_year + 1 if year.size else 0
        # One integer per (bank, year): sorting pairs (np.unique over axis 1) is ten times slower.
        pair = bank_row * years + (year - first_year)
        sums = np.zeros(banks.size * years, dtype=np.int64)
        np.add.at(sums, pair, amount_fen[registered])
        lending = {
            (int(banks[index // years]), first_year + index % years): int(sums[index])
            for index in np.flatnonzero(np.bincount(pair, minlength=sums.size)).tolist()
        }
        totals: dict[int, int] = {}
        for (_, lent_in), amount in lending.items():
            totals[lent_in] = totals.get(lent_in, 0) + amount
        return cls(lending, totals)

    def cap(self, bank: int, claim_year: int) -> tuple[int, int]:
        """The cap in fen as ``(numerator, denominator)``; ``(0, 1)`` without lending in Y−1."""
        total = self.totals.get(claim_year - 1, 0)
        if total == 0:
            return 0, 1
        return POOL_YEAR_FEN * self.lending.get((bank, claim_year - 1), 0), total


@dataclass(frozen=True)
class Drawn:
    """What claims approved before a decision took from the caps (C6, 第十七条), in fen.

    The service approves claims year after year and may have a claim returned and filed again
    after later ones were approved (第二十三条 (三)); compensation once approved is not decided
    again, so it draws on the caps before any claim still to be decided **[reading]**. The
    batch (``gzcreditpool settle``) decides everything at once and draws nothing first.

    Attributes
    ----------
    base : dict of int to int
        Loan → the balance of its first approved or partial claim (in order of filing).
    paid : dict of int to int
        Loan → compensation approved on it.
    used : dict of (int, int) to int
        (bank, claim year) → compensation approved on the bank's claims of that year.
    """

    base: dict[int, int]
    paid: dict[int, int]
    used: dict[tuple[int, int], int]

    @classmethod
    def from_claims(
        cls,
        claim_id: npt.NDArray[np.str_],
        filed_on: npt.NDArray[np.datetime64],
        loan: npt.NDArray[np.int64],
        npl_balance_fen: npt.NDArray[np.int64],
        bank: npt.NDArray[np.int64],
        amount_fen: npt.NDArray[np.int64],
    ) -> Drawn:
        """Sum approved claims (``amount_fen`` > 0 counts; a refused one draws nothing)."""
        base: dict[int, int] = {}
        paid: dict[int, int] = {}
        used: dict[tuple[int, int], int] = {}
        year = filed_on.astype("datetime64[Y]").astype(np.int64) + 1970
        for index in np.lexsort((claim_id, filed_on)).tolist():
            amount = int(amount_fen[index])
            if amount <= 0:
                continue
            claim_loan, key = int(loan[index]), (int(bank[index]), int(year[index]))
            base.setdefault(claim_loan, int(npl_balance_fen[index]))
            paid[claim_loan] = paid.get(claim_loan, 0) + amount
            used[key] = used.get(key, 0) + amount
        return cls(base, paid, used)


@dataclass(frozen=True)
class ClaimOutcome:
    """What :func:`decide_claims` decided, one entry per claim.

    Attributes
    ----------
    decision : ndarray of int8
        Index into :data:`CLAIM_DECISIONS`.
    reason : ndarray of int8
        Index into :data:`CLAIM_REASONS`, −1 for an approved claim.
    amount_fen : ndarray of int64
        Compensation approved, 0 when refused.
    """

    decision: npt.NDArray[np.int8]
    reason: npt.NDArray[np.int8]
    amount_fen: npt.NDArray[np.int64]


def decide_claims(
    claim_id: npt.NDArray[np.str_],
    filed_on: npt.NDArray[np.datetime64],
    loan: npt.NDArray[np.int64],
    npl_balance_fen: npt.NDArray[np.int64],
    bank: npt.NDArray[np.int64],
    refusal: npt.NDArray[np.int8],
    caps: BankYearCaps,
    drawn: Drawn | None = None,
) -> ClaimOutcome:
    """Approve, partly approve or refuse each claim (C6, 第十七条).

    Claims that passed :func:`claim_refusals` are taken in order of ``filed_on`` then
    ``claim_id`` (as text), so year by year. For each, with every amount rounded half-up to
    the fen:

    - ``h`` = 50 % × its ``npl_balance``;
    - the loan's cap left = 50 % × the balance of the loan's first approved or partial claim
      (this claim's, if none yet) − compensation already approved on the loan **[reading: the
      balance at the first approved claim]**;
    - the bank's cap left = :meth:`BankYearCaps.cap` for the claim's year − what the bank's
      claims of that year were approved.

    A cap left at 0.00 or less refuses the claim (``loan_cap_reached`` checked first, then
    ``bank_cap_reached``). Otherwise the amount is the least of the three: ``approved`` when it
    equals ``h``, else ``partial`` for ``loan_cap`` (also on a tie) or ``bank_cap``.

    Parameters
    ----------
    claim_id : ndarray of str
    filed_on : ndarray of datetime64[D]
    loan : ndarray of int64
        Loan number (any integer identifying the loan) of each claim.
    npl_balance_fen : ndarray of int64
        Non-performing balance claimed, > 0.
    bank : ndarray of int64
        The bank of each claim's loan.
    refusal : ndarray of int8
        From :func:`claim_refusals`.
    caps : BankYearCaps
    drawn : Drawn, optional
        What claims approved before these took from the caps (the service's); they count as
        decided before every claim here.

    Returns
    -------
    ClaimOutcome
    """
    size = claim_id.shape[0]
    reason = refusal.copy()
    decision = np.where(refusal == NO_REASON, 0, CLAIM_DECISIONS.index(ClaimDecision.REFUSED))
    amount = np.zeros(size, dtype=np.int64)
    year = filed_on.astype("datetime64[Y]").astype(np.int64) + 1970
    pending = np.flatnonzero(refusal == NO_REASON)
    pending = pending[np.lexsort((claim_id[pending], filed_on[pending]))]

    reached_loan = CLAIM_REASONS.index(ClaimReason.LOAN_CAP_REACHED)
    reached_bank = CLAIM_REASONS.index(ClaimReason.BANK_CAP_REACHED)
    refused = CLAIM_DECISIONS.index(ClaimDecision.REFUSED)
    partial = CLAIM_DECISIONS.index(ClaimDecision.PARTIAL)
    by_loan = CLAIM_REASONS.index(ClaimReason.LOAN_CAP)
    by_bank = CLAIM_REASONS.index(ClaimReason.BANK_CAP)

    drawn = drawn or Drawn({}, {}, {})
    base = dict(drawn.base)  # loan → balance of its first approved claim
    paid = dict(drawn.paid)  # loan → compensation approved so far
    used = dict(drawn.used)  # (bank, year) → approved so far
    cap_of: dict[tuple[int, int], tuple[int, int]] = {}
    for index, claim_loan, balance, claim_bank, claim_year in zip(
        pending.tolist(),
        loan[pending].tolist(),
        npl_balance_fen[pending].tolist(),
        bank[pending].tolist(),
        year[pending].tolist(),
        strict=True,
    ):
        loan_paid = paid.get(claim_loan, 0)
        loan_left = half_up(base.get(claim_loan, balance) - 2 * loan_paid, 2)
        if loan_left <= 0:
            decision[index], reason[index] = refused, reached_loan
            continue
        key = (claim_bank, claim_year)
        if key not in cap_of:
            cap_of[key] = caps.cap(claim_bank, claim_year)
        numerator, denominator = cap_of[key]
        bank_used = used.get(key, 0)
        bank_left = half_up(numerator - bank_used * denominator, denominator)
        if bank_left <= 0:
            decision[index], reason[index] = refused, reached_bank
            continue
        half = half_up(balance, 2)
        granted = min(half, loan_left, bank_left)
        if granted < half:
            decision[index] = partial
            reason[index] = by_loan if granted == loan_left else by_bank
        amount[index] = granted
        base.setdefault(claim_loan, balance)
        paid[claim_loan] = loan_paid + granted
        used[key] = bank_used + granted
    return ClaimOutcome(decision.astype(np.int8), reason, amount)
