"""Refunds of recoveries after compensation (C7; 第二十三条 (五)).

The bank keeps recovering a compensated loan; each recovery, net of litigation, arbitration and
enforcement fees, is refunded to the city treasury in the share the pool paid, within 30 working
days of receipt. A recovery refunded before a later claim on its loan was approved owes the
difference that approval makes (:func:`top_ups`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from gzcreditpool.core.money import half_up_array, product_dtype

REFUND_WORKING_DAYS: Final = 30


@dataclass(frozen=True)
class Refunds:
    """What each recovery owes the treasury.

    Attributes
    ----------
    due : ndarray of bool
        True where compensation had been approved on the loan by claims filed on or before the
        day the recovery was received.
    amount_fen : ndarray of int64
        The refund, 0 where nothing is due.
    """

    due: npt.NDArray[np.bool_]
    amount_fen: npt.NDArray[np.int64]


def refunds(
    recovery_loan: npt.NDArray[np.int64],
    received_on: npt.NDArray[np.datetime64],
    net_fen: npt.NDArray[np.int64],
    claim_id: npt.NDArray[np.str_],
    claim_loan: npt.NDArray[np.int64],
    claim_filed_on: npt.NDArray[np.datetime64],
    claim_amount_fen: npt.NDArray[np.int64],
    claim_npl_balance_fen: npt.NDArray[np.int64],
) -> Refunds:
    """The refund of each recovery: net × compensation ÷ compensated balance, half-up.

    C7, 第二十三条 (五) "按照补偿比例 … 退回至市财政国库". The compensation is the sum approved on
    the loan by claims filed on or before ``received_on``; the compensated balance is the
    ``npl_balance`` of the loan's first approved claim (the base of its cap, C6). A recovery on
    a loan without such compensation owes nothing.

    Parameters
    ----------
    recovery_loan : ndarray of int64
        Loan number of each recovery.
    received_on : ndarray of datetime64[D]
    net_fen : ndarray of int64
        ``gross − fees`` of each recovery, ≥ 0.
    claim_id, claim_loan, claim_filed_on, claim_amount_fen, claim_npl_balance_fen : ndarray
        Every claim with its approved amount (0 for a refused claim).

    Returns
    -------
    Refunds
    """
    paid = np.flatnonzero(claim_amount_fen > 0)
    # In the order the claims were decided on each loan, which puts its first approved first.
    paid = paid[np.lexsort((claim_id[paid], claim_filed_on[paid], claim_loan[paid]))]
    loans, filed = claim_loan[paid], claim_filed_on[paid].astype(np.int64)
    first = np.r_[True, loans[1:] != loans[:-1]]
    running = np.cumsum(claim_amount_fen[paid])
    group_start = np.maximum.accumulate(np.where(first, np.arange(paid.size), 0))
    compensation = running - np.r_[0, running][group_start]
    base = claim_npl_balance_fen[paid][group_start]
    day = received_on.astype(np.int64)
    # The last paid claim of the same loan filed on or before the day of receipt.
    at = _last_at_or_before(loans, filed, recovery_loan, day)
    due = at >= 0
    amount = np.zeros(recovery_loan.shape, dtype=np.int64)
    if due.any():
        rows = at[due]
        share, net = compensation[rows], net_fen[due]
        dtype = product_dtype(net, share)
        amount[due] = half_up_array(net.astype(dtype) * share.astype(dtype), base[rows])
    return Refunds(due, amount)


def top_ups(
    refunded_fen: npt.NDArray[np.int64],
    recovery_loan: npt.NDArray[np.int64],
    received_on: npt.NDArray[np.datetime64],
    net_fen: npt.NDArray[np.int64],
    claim_id: npt.NDArray[np.str_],
    claim_loan: npt.NDArray[np.int64],
    claim_filed_on: npt.NDArray[np.datetime64],
    claim_amount_fen: npt.NDArray[np.int64],
    claim_npl_balance_fen: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """What each already refunded recovery owes on top of ``refunded_fen`` now.

    C7, 第二十三条 (五): a recovery is refunded "按照补偿比例". When a claim filed on or before
    the day of receipt is approved only after the recovery was refunded, the pool's share of
    the loan's loss rises and the recovery owes the difference: :func:`refunds` with every
    claim approved now, less what was refunded, never below 0 **[reading: the share is the one
    settled with all the loan's approved claims, as ``gzcreditpool settle`` decides it at once;
    a refund is never paid back to the bank]**.

    Parameters
    ----------
    refunded_fen : ndarray of int64
        What each recovery has refunded or owes so far (its refund and earlier top-ups).
    recovery_loan, received_on, net_fen : ndarray
        Each recovery, as :func:`refunds` takes it.
    claim_id, claim_loan, claim_filed_on, claim_amount_fen, claim_npl_balance_fen : ndarray
        Every claim as :func:`refunds` takes them, with what is approved now.

    Returns
    -------
    ndarray of int64
        The top-up of each recovery in fen, 0 where nothing more is owed.
    """
    owed = refunds(
        recovery_loan,
        received_on,
        net_fen,
        claim_id,
        claim_loan,
        claim_filed_on,
        claim_amount_fen,
        claim_npl_balance_fen,
    )
    more: npt.NDArray[np.int64] = np.maximum(owed.amount_fen - refunded_fen, 0)
    return more


def _last_at_or_before(
    keys: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    query_keys: npt.NDArray[np.int64],
    query_days: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Index of the last (key, day) ≤ each query with the same key, −1 where none."""
    if keys.size == 0 or query_keys.size == 0:
        return np.full(query_keys.shape, -1, dtype=np.int64)
    span = int(max(days.max(), query_days.max()) - min(days.min(), query_days.min())) + 1
    low = min(int(days.min()), int(query_days.min()))
    combined = keys * span + (days - low)
    position = np.searchsorted(combined, query_keys * span + (query_days - low), side="right") - 1
    same = (position >= 0) & (keys[np.maximum(position, 0)] == query_keys)
    return np.where(same, position, -1)
