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

import io

import polars as pl
import xlsxwriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzlongevity.core.calendar import month_text
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


def bank_rows(session: Session, run: PaymentRun, payer: str) -> pl.DataFrame:
    """The instructions of ``run`` for ``payer`` (a district code or ``military``): its lines,
    and the claw-backs of its cases, in :data:`COLUMNS` (``amount_cny`` as text with two
    decimals) and ``amount_fen``. A 409 when the payer has no account configured.

    One query per direction, its rows taken as the driver gives them (plain tuples, not
    SQLAlchemy's rows) and formatted column by column: a payer's file has thousands of rows and
    16 runs × 12 payers are written in a demo's year."""
    account = account_of(session, payer)
    # Each person's lines summed first (the run's lines are many), then their names.
    owed = (
        select(RunLine.person_id, func.sum(RunLine.city_fen + RunLine.extra_fen).label("fen"))
        .where(RunLine.run_id == run.id, RunLine.payer == payer)
        .group_by(RunLine.person_id)
        .subquery()
    )
    connection = session.connection()
    paid = connection.execute(
        select(Person.name, Person.bank_account, owed.c.fen)
        .join(owed, owed.c.person_id == Person.id_number)
        .order_by(Person.id_number)
    ).cursor.fetchall()
    returns = connection.execute(
        select(Person.name, Person.bank_account, RecoveryCase.amount_fen)
        .join(Person, Person.id_number == RecoveryCase.person_id)
        .where(
            RecoveryCase.status.in_([CaseStatus.CLAWBACK, CaseStatus.CLOSED]),
            RecoveryCase.clawback_month == run.month,
            payer_cases(payer),
        )
        .order_by(Person.id_number)
    ).cursor.fetchall()
    stamp = month_text(run.month).replace("-", "")
    full = pl.col("account_full").fill_null("")
    fen = pl.col("amount_fen")
    # yuan() to the fen, as text: the sign, the whole yuan, two digits of fen.
    amount = pl.concat_str(
        pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        (fen.abs() // 100).cast(pl.String),
        pl.lit("."),
        (fen.abs() % 100).cast(pl.String).str.zfill(2),
    )
    number = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    return pl.DataFrame(
        [*paid, *returns],
        schema={"payee_name": pl.String, "account_full": pl.String, "amount_fen": pl.Int64},
        orient="row",
    ).select(
        payer_account=pl.lit(account.account_number, pl.String),
        payer_name=pl.lit(account.account_name, pl.String),
        payer_bank=pl.lit(account.bank, pl.String),
        payee_name=pl.col("payee_name"),
        account_masked=full.str.slice(-4).str.pad_start(full.str.len_chars(), "*"),
        account_full=full,
        amount_cny=amount,
        direction=pl.when(number <= len(paid)).then(pl.lit("pay")).otherwise(pl.lit("return")),
        reference=pl.concat_str(pl.lit(f"CSBJ-{stamp}-{payer}-"), number.cast(pl.String)),
        amount_fen=fen,
    )


def as_csv(rows: pl.DataFrame) -> bytes:
    """The file as CSV (UTF-8 with BOM, for Excel)."""
    return ("\ufeff" + rows.select(COLUMNS).write_csv(line_terminator="\n")).encode()


def as_xlsx(rows: pl.DataFrame, title: str) -> bytes:
    """The file as an xlsx workbook, amounts as numbers with two decimals."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    money = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, COLUMNS)
    amount = COLUMNS.index("amount_cny")
    values = rows.with_columns(amount_cny=pl.col("amount_fen") / 100).select(COLUMNS)
    for r, row in enumerate(values.iter_rows(), start=1):
        for c, value in enumerate(row):
            if c == amount:
                sheet.write_number(r, c, value, money)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()
