"""The demo's synthetic world: five partner banks, a few thousand technology SMEs and their
loans over 2021–2025, some going bad, with legal actions, claims, recoveries and refunds.

Pure and seeded: the same seed gives the same world. What happens to it (which loans the
rules register, what each claim is paid) is the service's business, not this module's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from gzcreditpool.core.uscc import uscc_check_character

FIRST_DAY = dt.date(2021, 7, 1)  # 穗科规字〔2021〕2号 in force (C10)
LAST_DAY = dt.date(2025, 12, 31)
# Five partner banks; the last lends little, so its yearly cap (its share of 2 亿) bites.
BANKS = (
    ("GZB01", "甲商业银行广州分行", 0.34),
    ("GZB02", "乙银行广州分行", 0.26),
    ("GZB03", "丙农村商业银行", 0.20),
    ("GZB04", "丁银行广州科技支行", 0.18),
    ("GZB05", "戊村镇银行", 0.02),
)
CATEGORIES = ("次级", "可疑", "损失")
FRIDAY = 4  # the banks, the trustee and 市科技局 work the pool on Fridays
LEGAL_WAIT = dt.timedelta(days=31)  # a claim waits more than 30 days after the judgment (C5)
SMALL = len(BANKS) - 1


def friday_of(day: dt.date) -> dt.date:
    """The Friday on or after ``day``."""
    return day + dt.timedelta(days=(FRIDAY - day.weekday()) % 7)


def claim_on(judgment: dt.date) -> dt.date:
    """The Friday a bank claims on a loan whose judgment took effect on ``judgment``: more
    than 30 days later, in the January–June window, else the next year's March (C5, C6)."""
    day = friday_of(judgment + LEGAL_WAIT)
    while day.month > 6:
        day = friday_of(dt.date(day.year + 1, 3, 1))
    return day


def follow_up_recovery(loan: Loan) -> tuple[dt.date, int, int]:
    """What the small bank recovers in the April after its first claim on ``loan``, while it
    claims the rest of the loan's half from the next year's cap (C6, C7): 8 % of the balance,
    2 % of it in fees."""
    assert loan.judgment_on is not None
    gross = loan.npl_balance * 8 // 100
    return dt.date(claim_on(loan.judgment_on).year + 1, 4, 15), gross, gross // 50


def uscc_of(serial: int) -> str:
    """A valid 统一社会信用代码 for a Guangzhou enterprise numbered ``serial``."""
    first17 = f"914401{serial:011d}"
    return first17 + uscc_check_character(first17)


@dataclass(frozen=True)
class Firm:
    uscc: str
    name: str
    revenue: int  # CNY
    high_tech_until: dt.date | None
    sme_database_no: str | None
    science_plan_project: str | None


@dataclass
class Loan:
    """A loan as the bank knows it; ``report_on`` may be late (C4)."""

    key: int
    bank: int
    firm: int
    contract_no: str
    disbursed_on: dt.date
    report_on: dt.date
    amount: int  # CNY
    term_months: int
    credit_part: int
    financing_guarantee: bool
    # When it goes bad (None: it does not): classified, judgment effective, balance.
    bad_on: dt.date | None = None
    category: str = ""
    judgment_on: dt.date | None = None
    npl_balance: int = 0
    recoveries: list[tuple[dt.date, int, int]] = field(default_factory=list)  # day, gross, fees
    refund_late: bool = False
    written_off_on: dt.date | None = None


@dataclass(frozen=True)
class World:
    firms: list[Firm]
    loans: list[Loan]
    duplicate: tuple[int, int]  # two loans of one contract reported by two banks


def _working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (last - first).days + 1
    return [
        first + dt.timedelta(days=k)
        for k in range(days)
        if (first + dt.timedelta(days=k)).weekday() < 5
    ]


def build(enterprises: int, seed: int) -> World:
    """The world of ``enterprises`` SMEs, seeded."""
    rng = np.random.default_rng(seed)
    firms = []
    for k in range(enterprises):
        kind = rng.random()
        until = FIRST_DAY + dt.timedelta(days=int(rng.integers(900, 2600))) if kind < 0.6 else None
        firms.append(
            Firm(
                uscc=uscc_of(10_000 + k),
                name=f"广州{k:04d}科技有限公司",
                revenue=int(
                    rng.choice([600_000_000, 0], p=[0.01, 0.99]) or rng.integers(5, 400) * 1_000_000
                ),
                high_tech_until=until,
                sme_database_no=f"2021440100A{k:05d}" if 0.6 <= kind < 0.9 else None,
                science_plan_project=f"穗科计划 2021-{k:04d}" if kind >= 0.9 else None,
            )
        )
    days = _working_days(FIRST_DAY, LAST_DAY - dt.timedelta(days=20))
    per_year = int(enterprises * 0.4)
    count = int(per_year * len(days) / 250)
    weights = np.array([share for _, _, share in BANKS])
    loans = []
    for key in range(count):
        disbursed = days[int(rng.integers(len(days)))]
        amount = int(
            np.clip(
                round(float(rng.lognormal(np.log(3e6), 0.8)) / 10_000) * 10_000, 300_000, 30_000_000
            )
        )
        late = rng.random() < 0.02
        credit = amount if rng.random() < 0.3 else int(amount * rng.uniform(0.55, 0.95))
        if rng.random() < 0.02:
            credit = int(amount * 0.4)
        loans.append(
            Loan(
                key=key,
                bank=int(rng.choice(len(BANKS), p=weights)),
                firm=int(rng.integers(enterprises)),
                contract_no=f"JK{disbursed:%Y%m}{key:06d}",
                disbursed_on=disbursed,
                report_on=disbursed
                + dt.timedelta(days=int(rng.integers(15, 30) if late else rng.integers(0, 3))),
                amount=amount,
                term_months=int(rng.choice([12, 24, 36, 48], p=[0.5, 0.3, 0.19, 0.01])),
                credit_part=credit,
                financing_guarantee=bool(rng.random() < 0.02),
            )
        )
    loans.sort(key=lambda loan: (loan.disbursed_on, loan.key))
    for loan in loans:
        # About 5 % go bad (more at the small bank); a judgment follows, then recoveries.
        if rng.random() >= (0.25 if loan.bank == SMALL else 0.05):
            continue
        bad = loan.disbursed_on + dt.timedelta(days=int(rng.integers(150, 500)))
        judgment = bad + dt.timedelta(days=int(rng.integers(40, 200)))
        if judgment > dt.date(2025, 5, 15):
            continue
        loan.bad_on, loan.judgment_on = bad, judgment
        loan.category = str(rng.choice(CATEGORIES, p=[0.5, 0.3, 0.2]))
        loan.npl_balance = int(loan.amount * rng.uniform(0.5, 0.95))
        for _ in range(int(rng.choice([0, 1, 2], p=[0.5, 0.35, 0.15]))):
            day = judgment + dt.timedelta(days=int(rng.integers(200, 700)))
            if day < LAST_DAY - dt.timedelta(days=10):
                gross = int(loan.npl_balance * rng.uniform(0.05, 0.3))
                loan.recoveries.append((day, gross, int(gross * rng.uniform(0, 0.06))))
        loan.recoveries.sort()
        loan.refund_late = bool(rng.random() < 0.15)
        if not loan.recoveries and rng.random() < 0.3:
            loan.written_off_on = judgment + dt.timedelta(days=int(rng.integers(300, 600)))
        if loan.bank == SMALL and follow_up_recovery(loan)[0] < LAST_DAY:
            loan.recoveries = sorted([*loan.recoveries, follow_up_recovery(loan)])
    # One contract reported by two banks (duplicate funding, 第二十五条).
    first = next(loan for loan in loans if loan.disbursed_on.year == 2023)
    twin = Loan(
        key=count,
        bank=(first.bank + 1) % (len(BANKS) - 1),
        firm=first.firm,
        contract_no=first.contract_no,
        disbursed_on=first.disbursed_on,
        report_on=first.report_on,
        amount=first.amount,
        term_months=first.term_months,
        credit_part=first.credit_part,
        financing_guarantee=False,
    )
    loans.append(twin)
    return World(firms, loans, (first.key, twin.key))
