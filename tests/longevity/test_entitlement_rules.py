"""Hand-computed replays for L1 (who and from when), L4 (confirmation, arrears) and 第十一条.

Each case is a small register and the payments.csv rows worked out by hand from the rules.
Unless a test says otherwise: run day 20, the initial snapshot known 2021-08-01, 沙面街 of
荔湾区 (440103) with no district standard, so 70–79 is 30.00, 80–89 100.00, 90–99 200.00.
"""

from __future__ import annotations

from pathlib import Path

from longevity_files import Case, citizen_id

SHAMIAN = "440103,沙面街"


def registered(person: str, birth: str, place: str = SHAMIAN, on: str = "1990-01-01",
               known: str = "2021-08-01") -> str:  # fmt: skip
    return f"{person},某某,{birth},registered,{on},{known},{place}"


def test_paid_from_the_month_of_the_70th_birthday(tmp_path: Path) -> None:
    # Born 1951-11-30: 70 by the end of November 2021, not of October (L1, 第三条).
    person = citizen_id("1951-11-30")
    case = Case(tmp_path, [registered(person, "1951-11-30")], [f"{person},2021-09-01,app"])
    payments, over = case.replay("2021-10", "2021-12")
    assert payments == [
        f"2021-11,{person},440103,沙面街,monthly,2021-11,70,30.00,0.00,30.00",
        f"2021-12,{person},440103,沙面街,monthly,2021-12,70,30.00,0.00,30.00",
    ]
    assert over == []


def test_a_replay_back_pays_from_2021_09_in_its_first_run(tmp_path: Path) -> None:
    # Months before --from count as unpaid; nothing is due before 2021-09 (第十条, 第二十六条).
    person = citizen_id("1940-03-02")
    case = Case(tmp_path, [registered(person, "1940-03-02")], [f"{person},2021-06-01,street"])
    payments, _ = case.replay("2021-12", "2022-01")
    assert payments == [
        f"2021-12,{person},440103,沙面街,arrears,2021-09,80,100.00,0.00,100.00",
        f"2021-12,{person},440103,沙面街,arrears,2021-10,80,100.00,0.00,100.00",
        f"2021-12,{person},440103,沙面街,arrears,2021-11,80,100.00,0.00,100.00",
        f"2021-12,{person},440103,沙面街,monthly,2021-12,80,100.00,0.00,100.00",
        f"2022-01,{person},440103,沙面街,monthly,2022-01,80,100.00,0.00,100.00",
    ]


def test_runs_before_2021_09_pay_nothing(tmp_path: Path) -> None:
    person = citizen_id("1940-03-02")
    case = Case(tmp_path, [registered(person, "1940-03-02")], [f"{person},2021-06-01,app"])
    payments, _ = case.replay("2021-07", "2021-09")
    assert payments == [f"2021-09,{person},440103,沙面街,monthly,2021-09,80,100.00,0.00,100.00"]


def test_moving_into_the_city_pays_from_the_month_of_arrival(tmp_path: Path) -> None:
    # Registered on 2022-03-15 (known 03-18), already 75: March is due, February is not (L1).
    person = citizen_id("1947-01-10")
    case = Case(
        tmp_path,
        [registered(person, "1947-01-10", on="2022-03-15", known="2022-03-18")],
        [f"{person},2022-04-02,committee"],
    )
    payments, _ = case.replay("2022-02", "2022-05")
    assert payments == [
        f"2022-04,{person},440103,沙面街,arrears,2022-03,70,30.00,0.00,30.00",
        f"2022-04,{person},440103,沙面街,monthly,2022-04,70,30.00,0.00,30.00",
        f"2022-05,{person},440103,沙面街,monthly,2022-05,70,30.00,0.00,30.00",
    ]


def test_a_confirmation_after_the_run_day_is_seen_by_the_next_run(tmp_path: Path) -> None:
    # Confirmed 2022-01-25, after January's run on the 20th: February back-pays 2021-09 … 2022-01
    # (第十条 一次性补发), each at the tier of its month; the earliest confirmation counts.
    person = citizen_id("1931-12-06")
    case = Case(
        tmp_path,
        [registered(person, "1931-12-06")],
        [f"{person},2022-03-01,app", f"{person},2022-01-25,street"],
    )
    payments, _ = case.replay("2021-09", "2022-02")
    line = f"{person},440103,沙面街"
    assert payments == [
        f"2022-02,{line},arrears,2021-09,80,100.00,0.00,100.00",
        f"2022-02,{line},arrears,2021-10,80,100.00,0.00,100.00",
        f"2022-02,{line},arrears,2021-11,80,100.00,0.00,100.00",
        f"2022-02,{line},arrears,2021-12,90,200.00,0.00,200.00",
        f"2022-02,{line},arrears,2022-01,90,200.00,0.00,200.00",
        f"2022-02,{line},monthly,2022-02,90,200.00,0.00,200.00",
    ]


def test_a_run_day_past_the_month_end_is_its_last_day(tmp_path: Path) -> None:
    # --run-day 31: February's run is on the 28th and sees a confirmation made that day.
    person = citizen_id("1945-05-05")
    case = Case(tmp_path, [registered(person, "1945-05-05")], [f"{person},2022-02-28,app"])
    payments, _ = case.replay("2022-02", "2022-02", run_day=31)
    assert len(payments) == 6
    assert payments[-1] == f"2022-02,{person},440103,沙面街,monthly,2022-02,70,30.00,0.00,30.00"
    early, _ = case.replay("2022-02", "2022-02", run_day=27)
    assert early == []


def test_who_died_before_confirming_was_due_nothing(tmp_path: Path) -> None:
    # 第十一条: died 2021-12-05 (known 2022-01-03), a confirmation dated 2022-01-10 pays nothing.
    person = citizen_id("1930-02-02")
    case = Case(
        tmp_path,
        [
            registered(person, "1930-02-02"),
            f"{person},某某,1930-02-02,died,2021-12-05,2022-01-03,,",
        ],
        [f"{person},2022-01-10,app"],
    )
    payments, over = case.replay("2021-09", "2022-03")
    assert (payments, over) == ([], [])


def test_lines_paid_to_who_died_before_confirming_are_all_overpaid(tmp_path: Path) -> None:
    # Confirmed 2021-09-10 and paid; the death on 2021-09-05 becomes known on 2021-11-25, after
    # November's run: December finds every line paid was never due (died, 第十一条).
    person = citizen_id("1938-06-01")
    case = Case(
        tmp_path,
        [
            registered(person, "1938-06-01"),
            f"{person},某某,1938-06-01,died,2021-09-05,2021-11-25,,",
        ],
        [f"{person},2021-09-10,app"],
    )
    payments, over = case.replay("2021-09", "2022-01")
    assert payments == [
        f"2021-09,{person},440103,沙面街,monthly,2021-09,80,100.00,0.00,100.00",
        f"2021-10,{person},440103,沙面街,monthly,2021-10,80,100.00,0.00,100.00",
        f"2021-11,{person},440103,沙面街,monthly,2021-11,80,100.00,0.00,100.00",
    ]
    assert over == [
        f"{person},2021-09,monthly,100.00,2021-09,2021-12,died",
        f"{person},2021-10,monthly,100.00,2021-10,2021-12,died",
        f"{person},2021-11,monthly,100.00,2021-11,2021-12,died",
    ]


def test_dying_on_the_confirmation_day_is_not_before(tmp_path: Path) -> None:
    person = citizen_id("1944-01-01")
    case = Case(
        tmp_path,
        [
            registered(person, "1944-01-01"),
            f"{person},某某,1944-01-01,died,2021-10-10,2021-10-15,,",
        ],
        [f"{person},2021-10-10,app"],
    )
    payments, over = case.replay("2021-09", "2021-12")
    assert payments == [
        f"2021-10,{person},440103,沙面街,arrears,2021-09,70,30.00,0.00,30.00",
        f"2021-10,{person},440103,沙面街,monthly,2021-10,70,30.00,0.00,30.00",
    ]
    assert over == []


def test_unconfirmed_people_are_not_paid(tmp_path: Path) -> None:
    person, other = citizen_id("1944-01-01"), citizen_id("1944-01-01", 2)
    case = Case(
        tmp_path,
        [registered(person, "1944-01-01"), registered(other, "1944-01-01")],
        [f"{other},2021-09-01,app"],
    )
    payments, _ = case.replay("2021-09", "2021-09")
    assert payments == [f"2021-09,{other},440103,沙面街,monthly,2021-09,70,30.00,0.00,30.00"]
