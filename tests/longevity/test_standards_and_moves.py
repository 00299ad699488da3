"""Hand-computed replays for L2 (tiers, district standards), L3 (the 100+ payment) and L6
(moves within the city). Run day 20; the initial snapshot is known 2021-08-01."""

from __future__ import annotations

from pathlib import Path

from longevity_files import Case, citizen_id


def registered(person: str, birth: str, place: str = "440103,沙面街") -> str:
    return f"{person},某某,{birth},registered,1990-01-01,2021-08-01,{place}"


def test_the_tier_rises_in_the_month_of_the_80th_birthday(tmp_path: Path) -> None:
    # Born 1941-12-03: 80 by the end of December 2021 (第十五条, automatically).
    person = citizen_id("1941-12-03")
    case = Case(tmp_path, [registered(person, "1941-12-03")], [f"{person},2021-09-01,app"])
    payments, _ = case.replay("2021-11", "2022-01")
    assert [row.split(",", 6)[6] for row in payments] == [
        "70,30.00,0.00,30.00",  # 2021-09 arrears
        "70,30.00,0.00,30.00",  # 2021-10 arrears
        "70,30.00,0.00,30.00",  # 2021-11 monthly
        "80,100.00,0.00,100.00",  # 2021-12
        "80,100.00,0.00,100.00",  # 2022-01
    ]


def test_a_29_february_birthday_falls_on_28_february(tmp_path: Path) -> None:
    # Born 1952-02-29: 70 on 2022-02-28, so February 2022 is the first month.
    person = citizen_id("1952-02-29")
    case = Case(tmp_path, [registered(person, "1952-02-29")], [f"{person},2021-09-01,app"])
    payments, _ = case.replay("2022-01", "2022-03")
    assert payments == [
        f"2022-02,{person},440103,沙面街,monthly,2022-02,70,30.00,0.00,30.00",
        f"2022-03,{person},440103,沙面街,monthly,2022-03,70,30.00,0.00,30.00",
    ]


def test_turning_100_on_25_october_earns_both_that_october(tmp_path: Path) -> None:
    # 1,000 CNY in the October run, after the 300 monthly line of the same month in kind order.
    person = citizen_id("1921-10-25")
    case = Case(tmp_path, [registered(person, "1921-10-25")], [f"{person},2021-09-01,app"])
    payments, _ = case.replay("2021-09", "2021-11")
    assert payments == [
        f"2021-09,{person},440103,沙面街,monthly,2021-09,90,200.00,0.00,200.00",
        f"2021-10,{person},440103,沙面街,centenarian,2021-10,100,1000.00,0.00,1000.00",
        f"2021-10,{person},440103,沙面街,monthly,2021-10,100,300.00,0.00,300.00",
        f"2021-11,{person},440103,沙面街,monthly,2021-11,100,300.00,0.00,300.00",
    ]


def test_the_100_plus_payment_is_back_paid_with_the_arrears(tmp_path: Path) -> None:
    # 102 years old, confirmed 2021-11-05: November's run pays September and October, the
    # October 100+ payment (arrears before centenarian for the same month), and November.
    person = citizen_id("1919-03-03")
    case = Case(tmp_path, [registered(person, "1919-03-03")], [f"{person},2021-11-05,street"])
    payments, _ = case.replay("2021-09", "2021-11")
    line = f"2021-11,{person},440103,沙面街"
    assert payments == [
        f"{line},arrears,2021-09,100,300.00,0.00,300.00",
        f"{line},arrears,2021-10,100,300.00,0.00,300.00",
        f"{line},centenarian,2021-10,100,1000.00,0.00,1000.00",
        f"{line},monthly,2021-11,100,300.00,0.00,300.00",
    ]


def test_district_standards_apply_from_their_month(tmp_path: Path) -> None:
    # 天河区 pays 50 from 2021-01 and 60.50 from 2022-01 for 70–79: the excess is the district's
    # (第五条); no district extra on the 100+ payment; 荔湾区 has no standard.
    tianhe, liwan = citizen_id("1945-05-05", 1, "440106"), citizen_id("1945-05-05", 2)
    case = Case(
        tmp_path,
        [registered(tianhe, "1945-05-05", "440106,石牌街"), registered(liwan, "1945-05-05")],
        [f"{tianhe},2021-09-01,app", f"{liwan},2021-09-01,app"],
        ["440106,70,50,2021-01", "440106,70,60.50,2022-01", "440106,100,400,2021-01"],
    )
    payments, _ = case.replay("2021-12", "2022-01")
    assert payments == [
        f"2021-12,{liwan},440103,沙面街,arrears,2021-09,70,30.00,0.00,30.00",
        f"2021-12,{liwan},440103,沙面街,arrears,2021-10,70,30.00,0.00,30.00",
        f"2021-12,{liwan},440103,沙面街,arrears,2021-11,70,30.00,0.00,30.00",
        f"2021-12,{liwan},440103,沙面街,monthly,2021-12,70,30.00,0.00,30.00",
        f"2021-12,{tianhe},440106,石牌街,arrears,2021-09,70,30.00,20.00,50.00",
        f"2021-12,{tianhe},440106,石牌街,arrears,2021-10,70,30.00,20.00,50.00",
        f"2021-12,{tianhe},440106,石牌街,arrears,2021-11,70,30.00,20.00,50.00",
        f"2021-12,{tianhe},440106,石牌街,monthly,2021-12,70,30.00,20.00,50.00",
        f"2022-01,{liwan},440103,沙面街,monthly,2022-01,70,30.00,0.00,30.00",
        f"2022-01,{tianhe},440106,石牌街,monthly,2022-01,70,30.00,30.50,60.50",
    ]


def test_the_old_place_pays_the_month_of_a_move(tmp_path: Path) -> None:
    # Moved on 2022-03-01 from 越秀区 to 天河区 (standard 50): March is 越秀's, April 天河's
    # (第十七条). The 100+ payment of a centenarian who moves stays with the district paying.
    person = citizen_id("1945-05-05", 1, "440104")
    case = Case(
        tmp_path,
        [
            registered(person, "1945-05-05", "440104,北京街"),
            f"{person},某某,1945-05-05,moved,2022-03-01,2022-03-05,440106,石牌街",
        ],
        [f"{person},2021-09-01,app"],
        ["440106,70,50,2021-01"],
    )
    payments, _ = case.replay("2022-02", "2022-04")
    assert payments[-3:] == [
        f"2022-02,{person},440104,北京街,monthly,2022-02,70,30.00,0.00,30.00",
        f"2022-03,{person},440104,北京街,monthly,2022-03,70,30.00,0.00,30.00",
        f"2022-04,{person},440106,石牌街,monthly,2022-04,70,30.00,20.00,50.00",
    ]


def test_a_move_known_late_changes_only_later_runs(tmp_path: Path) -> None:
    # Moved 2022-03-10, known 2022-05-02: March and April were paid where the runs knew the
    # person to be; nothing is repaid, May is paid by the new place.
    person = citizen_id("1945-05-05", 1, "440104")
    case = Case(
        tmp_path,
        [
            registered(person, "1945-05-05", "440104,北京街"),
            f"{person},某某,1945-05-05,moved,2022-03-10,2022-05-02,440106,石牌街",
        ],
        [f"{person},2021-09-01,app"],
    )
    payments, over = case.replay("2022-03", "2022-05")
    assert payments[-3:] == [
        f"2022-03,{person},440104,北京街,monthly,2022-03,70,30.00,0.00,30.00",
        f"2022-04,{person},440104,北京街,monthly,2022-04,70,30.00,0.00,30.00",
        f"2022-05,{person},440106,石牌街,monthly,2022-05,70,30.00,0.00,30.00",
    ]
    assert over == []


def test_a_second_registered_row_moves_like_moved(tmp_path: Path) -> None:
    person = citizen_id("1945-05-05", 1, "440104")
    case = Case(
        tmp_path,
        [
            registered(person, "1945-05-05", "440104,北京街"),
            f"{person},某某,1945-05-05,registered,2022-03-10,2022-03-12,440106,石牌街",
        ],
        [f"{person},2021-09-01,app"],
    )
    payments, _ = case.replay("2022-03", "2022-04")
    assert payments[-2:] == [
        f"2022-03,{person},440104,北京街,monthly,2022-03,70,30.00,0.00,30.00",
        f"2022-04,{person},440106,石牌街,monthly,2022-04,70,30.00,0.00,30.00",
    ]


def test_rows_of_one_date_apply_by_known_on_then_file_order(tmp_path: Path) -> None:
    # Two moves dated the same day: the one known later applies last; with the same known_on,
    # the later line in the file does.
    person = citizen_id("1945-05-05", 1, "440104")
    moved = f"{person},某某,1945-05-05,moved,2022-03-10"
    case = Case(
        tmp_path,
        [
            registered(person, "1945-05-05", "440104,北京街"),
            f"{moved},2022-03-15,440105,南华西街",
            f"{moved},2022-03-15,440111,三元里街",
            f"{moved},2022-03-12,440106,石牌街",
        ],
        [f"{person},2021-09-01,app"],
    )
    payments, _ = case.replay("2022-04", "2022-04")
    assert payments[-1] == f"2022-04,{person},440111,三元里街,monthly,2022-04,70,30.00,0.00,30.00"
