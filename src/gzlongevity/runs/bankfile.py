"""The bank batch file of a payer's approved list (第十三条, 第十二条): one per payer (a
district's allowance account, or the military channel's, 第二十五条), paid from the account the
city configured for it (:mod:`gzlongevity.payers`); without one the file is refused.

Columns (CSV UTF-8 with BOM, and the same in xlsx):

``payer_account,payer_name,payer_bank,payee_name,account_masked,account_full,amount_cny,direction,reference``

- ``direction`` ``pay`` (the person's lines of the run, summed) or ``return`` (a claw-back
  under the deduction agreement, 原路退回: the bank debits the account);
- ``amount_cny`` two decimals, positive for both directions;
- ``reference`` ``CSBJ-YYYYMM-<payer>-<n>``, unique within the file.

The file holds full account numbers: downloading it is a full view and is logged.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzlongevity.core.calendar import month_text
from gzlongevity.core.standards import yuan
from gzlongevity.kit.auth import mask_account
from gzlongevity.models import CaseStatus, PaymentRun, Person, RecoveryCase, RunLine
from gzlongevity.payers.service import account_of
from gzlongevity.recovery.service import payer_cases

COLUMNS = (
    "payer_account",
    "payer_name",
    "payer_bank",
    "payee_name",
    "account_masked",
    "account_full",
    "amount_cny",
    "direction",
    "reference",
)


@dataclass(frozen=True)
class BankRow:
    """One instruction."""

    payer_account: str
    payer_name: str
    payer_bank: str
    payee_name: str
    account_masked: str
    account_full: str
    amount_cny: Decimal
    direction: str
    reference: str


def bank_rows(session: Session, run: PaymentRun, payer: str) -> list[BankRow]:
    """The instructions of ``run`` for ``payer`` (a district code or ``military``): its lines,
    and the claw-backs of its cases. A 409 when the payer has no account configured."""
    account = account_of(session, payer)
    # Each person's lines summed first (the run's lines are many), then their names.
    owed = (
        select(RunLine.person_id, func.sum(RunLine.city_fen + RunLine.extra_fen).label("fen"))
        .where(RunLine.run_id == run.id, RunLine.payer == payer)
        .group_by(RunLine.person_id)
        .subquery()
    )
    paid = session.execute(
        select(Person.id_number, Person.name, Person.bank_account, owed.c.fen)
        .join(owed, owed.c.person_id == Person.id_number)
        .order_by(Person.id_number)
    ).all()
    returns = session.execute(
        select(
            Person.id_number,
            Person.name,
            Person.bank_account,
            RecoveryCase.amount_fen,
        )
        .join(Person, Person.id_number == RecoveryCase.person_id)
        .where(
            RecoveryCase.status.in_([CaseStatus.CLAWBACK, CaseStatus.CLOSED]),
            RecoveryCase.clawback_month == run.month,
            payer_cases(payer),
        )
        .order_by(Person.id_number)
    ).all()
    stamp = month_text(run.month).replace("-", "")
    rows = []
    for n, (_, name, bank, fen) in enumerate([*paid, *returns], start=1):
        rows.append(
            BankRow(
                account.account_number,
                account.account_name,
                account.bank,
                name,
                mask_account(bank) or "",
                bank or "",
                yuan(int(fen)),
                "pay" if n <= len(paid) else "return",
                f"CSBJ-{stamp}-{payer}-{n}",
            )
        )
    return rows


def as_csv(rows: list[BankRow]) -> bytes:
    """The file as CSV (UTF-8 with BOM, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, column) for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(rows: list[BankRow], title: str) -> bytes:
    """The file as an xlsx workbook, amounts as numbers with two decimals."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    money = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, COLUMNS)
    for r, row in enumerate(rows, start=1):
        for c, column in enumerate(COLUMNS):
            value = getattr(row, column)
            if isinstance(value, Decimal):
                sheet.write_number(r, c, float(value), money)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()
