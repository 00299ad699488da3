"""The payers' accounts: each district's allowance account and the military channel's
(第十三条, 第二十五条), set by the city; every change is audit-logged. The numbers are shown
masked; only a bank file holds them in full (a logged download)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.errors import Conflict, NotFound
from gzlongevity.core.standards import PAYERS
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor, mask_account
from gzlongevity.models import Payer, Role
from gzlongevity.payers.schemas import PayerAccountIn, PayerOut
from gzlongevity.runs.service import payer_of

READERS = (Role.CITY, Role.FINANCE, Role.AUDIT)


def _out(code: str, account: Payer | None) -> PayerOut:
    return PayerOut(
        code=code,
        name=PAYERS[code],
        configured=account is not None,
        account_name=account.account_name if account else None,
        account_masked=mask_account(account.account_number) if account else None,
        bank=account.bank if account else None,
        updated_at=account.updated_at if account else None,
        updated_by=account.updated_by if account else None,
    )


def list_payers(session: Session, actor: Actor) -> list[PayerOut]:
    """Every payer for the city, finance and audit; its own for a district or the military
    channel; a 403 for anyone else."""
    codes = list(PAYERS) if actor.role in READERS else [payer_of(actor)]
    accounts = {
        account.code: account
        for account in session.scalars(select(Payer).where(Payer.code.in_(codes)))
    }
    return [_out(code, accounts.get(code)) for code in codes]


def account_of(session: Session, payer: str) -> Payer:
    """The account ``payer`` pays from, or a 409 saying it is not configured."""
    account = session.get(Payer, payer)
    if account is None:
        raise Conflict(
            f"{PAYERS[payer]}的付款账户尚未配置，不能生成银行文件（请市民政局在“付款账户”中配置）"
            f" / no account configured for payer {payer}"
        )
    return account


def set_account(
    session: Session, actor: Actor, now: dt.datetime, code: str, body: PayerAccountIn
) -> PayerOut:
    """Set (or change) a payer's account. City only."""
    actor.require(Role.CITY)
    if code not in PAYERS:
        raise NotFound(f"没有付款方 {code}（应为区划代码或 military） / no payer {code}")
    account = session.get(Payer, code)
    before = None if account is None else snapshot(account)
    if account is None:
        account = Payer(code=code)
        session.add(account)
    account.account_name = body.account_name.strip()
    account.account_number = body.account_number
    account.bank = body.bank.strip()
    account.updated_at, account.updated_by = now, actor.label
    session.flush()
    record(session, actor.label, "payer.account", "payer", code, before, snapshot(account), at=now)
    return _out(code, account)
