"""Building register, confirmation and standards files by hand, and replaying them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gzlongevity.batch.payroll import PayrollPaths, run_payroll
from gzlongevity.core.calendar import parse_month
from gzlongevity.core.identity import check_character

REGISTER_HEADER = "person_id,name,birth_date,event,event_date,known_on,district,street"
CONFIRMATION_HEADER = "person_id,confirmed_on,channel"
STANDARDS_HEADER = "district,tier,monthly_cny,from_month"
PAYMENTS_HEADER = (
    "run_month,person_id,district,street,kind,for_month,tier,city_cny,district_extra_cny,amount_cny"
)
OVERPAYMENTS_HEADER = "person_id,for_month,kind,amount_cny,paid_in_run,detected_in_run,reason"


def citizen_id(birth: str, sequence: int = 1, district: str = "440103") -> str:
    """A valid 居民身份证号 for a birth date ``YYYY-MM-DD``."""
    body = f"{district}{birth.replace('-', '')}{sequence:03d}"
    return body + check_character(body)


@dataclass
class Case:
    """One replay's files in a directory."""

    directory: Path
    register: list[str]
    confirmations: list[str]
    standards: list[str] | None = None

    def paths(self) -> PayrollPaths:
        write = {
            "register.csv": [REGISTER_HEADER, *self.register],
            "confirmations.csv": [CONFIRMATION_HEADER, *self.confirmations],
        }
        if self.standards is not None:
            write["standards.csv"] = [STANDARDS_HEADER, *self.standards]
        for name, lines in write.items():
            (self.directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return PayrollPaths(
            self.directory / "register.csv",
            self.directory / "confirmations.csv",
            self.directory / "payments.csv",
            self.directory / "standards.csv" if self.standards is not None else None,
            self.directory / "overpayments.csv",
        )

    def replay(self, first: str, last: str, run_day: int = 20) -> tuple[list[str], list[str]]:
        """Payment rows and overpayment rows (headers checked and dropped)."""
        paths = self.paths()
        run_payroll(paths, parse_month(first), parse_month(last), run_day)
        payments = paths.out.read_text(encoding="utf-8").splitlines()
        assert paths.overpayments is not None
        overpayments = paths.overpayments.read_text(encoding="utf-8").splitlines()
        assert payments[0] == PAYMENTS_HEADER
        assert overpayments[0] == OVERPAYMENTS_HEADER
        return payments[1:], overpayments[1:]
