"""Read the files, replay the runs, write payments.csv (and overpayments.csv)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from gzkit.outputs import replaced_on_success
from gzlongevity.batch.replay import Kind, Payroll, PayrollInputs, RunResult
from gzlongevity.core.standards import yuan
from gzlongevity.files.errors import InputError
from gzlongevity.files.payments import (
    OVERPAYMENT_COLUMNS,
    PAYMENT_COLUMNS,
    PayrollWriter,
    write_header,
)
from gzlongevity.files.register import read_confirmations, read_register
from gzlongevity.files.standards import read_standards


@dataclass(frozen=True)
class PayrollPaths:
    """The files of one ``gzlongevity payroll`` call."""

    register: Path
    confirmations: Path
    out: Path
    standards: Path | None = None
    overpayments: Path | None = None


@dataclass
class PayrollSummary:
    """What a replay paid and found, for the screen."""

    people: int = 0
    register_rows: int = 0
    runs: int = 0
    lines: dict[str, int] = field(default_factory=lambda: {k.name.lower(): 0 for k in Kind})
    amounts_fen: dict[str, int] = field(default_factory=lambda: {k.name.lower(): 0 for k in Kind})
    district_extra_fen: int = 0
    overpayments: int = 0
    overpaid_fen: int = 0
    seconds: float = 0.0

    @property
    def total_lines(self) -> int:
        """Payment lines written."""
        return sum(self.lines.values())

    def amount(self, kind: str) -> Decimal:
        """CNY paid as ``kind``."""
        return yuan(self.amounts_fen[kind])

    def add(self, result: RunResult) -> None:
        """Count one run."""
        self.runs += 1
        lines = result.payments
        for kind in Kind:
            chosen = lines.kind == kind
            self.lines[kind.name.lower()] += int(chosen.sum())
            amounts = lines.city_fen[chosen] + lines.extra_fen[chosen]
            self.amounts_fen[kind.name.lower()] += int(amounts.sum())
        self.district_extra_fen += int(lines.extra_fen.sum())
        self.overpayments += len(result.overpayments.person)
        self.overpaid_fen += int(result.overpayments.amount_fen.sum())


def read_inputs(paths: PayrollPaths) -> PayrollInputs:
    """Read and check the three input files (see :mod:`gzlongevity.files`)."""
    register = read_register(paths.register)
    confirmed = read_confirmations(paths.confirmations, register)
    standards = read_standards(paths.standards) if paths.standards else []
    return PayrollInputs(
        person_ids=register.person_ids,
        birth_day=register.birth_day,
        confirmed_day=confirmed,
        row_person=register.row_person,
        row_event=register.row_event,
        row_day=register.row_day,
        row_known=register.row_known,
        row_place=register.row_place,
        places=register.places,
        standards=standards,
    )


def run_payroll(
    paths: PayrollPaths,
    first_month: int,
    last_month: int,
    run_day: int = 20,
    on_run: Callable[[int], None] | None = None,
) -> PayrollSummary:
    """Replay the runs ``first_month`` … ``last_month`` and write the files.

    Raises
    ------
    InputError
        For bad input or an output that cannot be written; nothing is written then.
    """
    started = time.perf_counter()
    if first_month > last_month:
        raise InputError("--from", "起始月份晚于 --to")
    if not 1 <= run_day <= 31:
        raise InputError("--run-day", "发放日应在 1 到 31 之间")
    inputs = read_inputs(paths)
    summary = PayrollSummary(people=len(inputs.person_ids), register_rows=len(inputs.row_person))
    writer = PayrollWriter(inputs.person_ids, inputs.places, last_month)
    payroll = Payroll(inputs, last_month, run_day)
    try:
        with replaced_on_success(paths.out, paths.overpayments) as (payments, overpayments):
            assert payments is not None
            write_header(payments, PAYMENT_COLUMNS)
            if overpayments is not None:
                write_header(overpayments, OVERPAYMENT_COLUMNS)

            def write(result: RunResult) -> None:
                writer.write(payments, writer.payments(result.month, result.payments))
                if overpayments is not None:
                    writer.write(
                        overpayments, writer.overpayments(result.month, result.overpayments)
                    )

            # Formatting and writing one run (polars, without the GIL) overlaps the next run.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending: Future[None] | None = None
                for result in payroll.replay(first_month, last_month):
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(write, result)
                    summary.add(result)
                    if on_run is not None:
                        on_run(result.month)
                if pending is not None:
                    pending.result()
    except OSError as err:
        raise InputError(err.filename or paths.out, f"无法写入：{err.strerror or err}") from None
    summary.seconds = time.perf_counter() - started
    return summary
