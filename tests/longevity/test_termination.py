"""Hand-computed replays for L7: termination the month after death or departure, dates
unknown, late data and the overpayments it reveals. Run day 20; 荔湾区 沙面街; 70–79 is 30.00."""

from __future__ import annotations

from pathlib import Path

from longevity_files import Case, citizen_id

PERSON = citizen_id("1945-05-05")
PLACE = "440103,沙面街"
REGISTERED = f"{PERSON},某某,1945-05-05,registered,1990-01-01,2021-08-01,{PLACE}"
CONFIRMED = [f"{PERSON},2021-09-01,app"]


def row(event: str, day: str, known: str, place: str = ",") -> str:
    return f"{PERSON},某某,1945-05-05,{event},{day},{known},{place}"


def since(payments: list[str], month: str) -> list[str]:
    """Lines for ``month`` on: the first run also back-pays 2021-09 onwards (tested elsewhere)."""
    return [line for line in payments if line.split(",")[5] >= month]


def monthly(run: str, month: str | None = None) -> str:
    return f"{run},{PERSON},440103,沙面街,monthly,{month or run},70,30.00,0.00,30.00"


def test_the_death_month_is_paid_and_payment_stops_the_next(tmp_path: Path) -> None:
    case = Case(tmp_path, [REGISTERED, row("died", "2022-03-15", "2022-03-18")], CONFIRMED)
    payments, over = case.replay("2022-03", "2022-05")
    payments = since(payments, "2022-03")
    assert payments == [monthly("2022-03")]
    assert over == []


def test_a_death_known_late_is_an_overpayment_found_by_the_first_run_that_sees_it(
    tmp_path: Path,
) -> None:
    # Died 2022-03-15, known 2022-05-25 (after May's run): April and May were overpaid.
    case = Case(tmp_path, [REGISTERED, row("died", "2022-03-15", "2022-05-25")], CONFIRMED)
    payments, over = case.replay("2022-03", "2022-07")
    payments = since(payments, "2022-03")
    assert payments == [monthly("2022-03"), monthly("2022-04"), monthly("2022-05")]
    assert over == [
        f"{PERSON},2022-04,monthly,30.00,2022-04,2022-06,died",
        f"{PERSON},2022-05,monthly,30.00,2022-05,2022-06,died",
    ]


def test_a_death_with_no_date_counts_from_the_day_the_data_arrived(tmp_path: Path) -> None:
    # 第十九条: date unknown, data arrived 2022-04-25: April is paid (in May's run, being after
    # April's), payment stops from May.
    case = Case(tmp_path, [REGISTERED, row("died", "", "2022-04-25")], CONFIRMED)
    payments, over = case.replay("2022-03", "2022-06")
    payments = since(payments, "2022-03")
    assert payments == [monthly("2022-03"), monthly("2022-04")]
    assert over == []


def test_the_earliest_death_date_counts_and_a_death_is_final(tmp_path: Path) -> None:
    # A death on 2022-05-10 is known first; a second record dated 2022-03-01 arrives on
    # 2022-07-01: April and May become overpayments. A registration after the death pays nothing.
    case = Case(
        tmp_path,
        [
            REGISTERED,
            row("died", "2022-05-10", "2022-05-12"),
            row("registered", "2022-06-01", "2022-06-02", "440104,北京街"),
            row("died", "2022-03-01", "2022-07-01"),
        ],
        CONFIRMED,
    )
    payments, over = case.replay("2022-03", "2022-08")
    payments = since(payments, "2022-03")
    assert payments == [monthly("2022-03"), monthly("2022-04"), monthly("2022-05")]
    assert over == [
        f"{PERSON},2022-04,monthly,30.00,2022-04,2022-07,died",
        f"{PERSON},2022-05,monthly,30.00,2022-05,2022-07,died",
    ]


def test_leaving_the_city_known_late(tmp_path: Path) -> None:
    # Left 2022-06-30 (the month is paid), known 2022-08-01: July was overpaid (left).
    case = Case(tmp_path, [REGISTERED, row("left", "2022-06-30", "2022-08-01")], CONFIRMED)
    payments, over = case.replay("2022-06", "2022-09")
    payments = since(payments, "2022-06")
    assert payments == [monthly("2022-06"), monthly("2022-07")]
    assert over == [f"{PERSON},2022-07,monthly,30.00,2022-07,2022-08,left"]


def test_a_month_after_the_death_month_is_died_even_after_leaving(tmp_path: Path) -> None:
    # Left 2022-06-10 and died 2022-06-20, both known 2022-08-01: July is overpaid as died.
    case = Case(
        tmp_path,
        [
            REGISTERED,
            row("left", "2022-06-10", "2022-08-01"),
            row("died", "2022-06-20", "2022-08-01"),
        ],
        CONFIRMED,
    )
    _, over = case.replay("2022-06", "2022-08")
    assert over == [f"{PERSON},2022-07,monthly,30.00,2022-07,2022-08,died"]


def test_months_after_a_new_registration_are_due_again(tmp_path: Path) -> None:
    # Left 2022-06-10 (known 06-12), back on 2022-09-05 (known 09-06): July and August are not
    # due, September (the month of arrival) is.
    case = Case(
        tmp_path,
        [
            REGISTERED,
            row("left", "2022-06-10", "2022-06-12"),
            row("registered", "2022-09-05", "2022-09-06", "440104,北京街"),
        ],
        CONFIRMED,
    )
    payments, over = case.replay("2022-06", "2022-10")
    payments = since(payments, "2022-06")
    assert payments == [
        monthly("2022-06"),
        f"2022-09,{PERSON},440104,北京街,monthly,2022-09,70,30.00,0.00,30.00",
        f"2022-10,{PERSON},440104,北京街,monthly,2022-10,70,30.00,0.00,30.00",
    ]
    assert over == []


def test_a_left_row_with_no_date_counts_from_its_known_on(tmp_path: Path) -> None:
    case = Case(tmp_path, [REGISTERED, row("left", "", "2022-07-21")], CONFIRMED)
    payments, _ = case.replay("2022-06", "2022-09")
    payments = since(payments, "2022-06")
    # July's run (the 20th) does not see it; July is the month of departure and due anyway.
    assert payments == [monthly("2022-06"), monthly("2022-07")]


def test_a_move_while_outside_the_register_is_ignored(tmp_path: Path) -> None:
    case = Case(
        tmp_path,
        [
            REGISTERED,
            row("left", "2022-06-10", "2022-06-12"),
            row("moved", "2022-07-10", "2022-07-12", "440104,北京街"),
        ],
        CONFIRMED,
    )
    payments, _ = case.replay("2022-06", "2022-08")
    payments = since(payments, "2022-06")
    assert payments == [monthly("2022-06")]


def test_the_100_plus_payment_is_overpaid_too(tmp_path: Path) -> None:
    person = citizen_id("1921-10-25")
    case = Case(
        tmp_path,
        [
            f"{person},某某,1921-10-25,registered,1990-01-01,2021-08-01,{PLACE}",
            f"{person},某某,1921-10-25,died,2021-09-30,2021-11-02,,",
        ],
        [f"{person},2021-09-01,app"],
    )
    payments, over = case.replay("2021-09", "2021-11")
    assert len(payments) == 3
    assert over == [
        f"{person},2021-10,centenarian,1000.00,2021-10,2021-11,died",
        f"{person},2021-10,monthly,300.00,2021-10,2021-11,died",
    ]
