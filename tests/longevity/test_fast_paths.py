"""The fast paths of reading and writing agree with the plain definitions (hypothesis).

- citizen numbers as integers (:func:`id_numbers`) order and match as their texts do;
- read_register numbers people in ID order and read_confirmations finds each person by ID,
  with IDs in any order, repeated, in lowercase or padded;
- money columns say exactly the fen as Decimal CNY (:func:`yuan`), whatever the amount;
- rows are quoted exactly as polars quotes where needed, whether or not any place name holds
  a comma, a quote or a line break (without one, the writer does not look for them).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from longevity_files import CONFIRMATION_HEADER, REGISTER_HEADER, citizen_id

from gzlongevity.batch.replay import Payments
from gzlongevity.core.calendar import FIRST_MONTH, day_number
from gzlongevity.core.identity import id_numbers
from gzlongevity.core.register import NO_DAY
from gzlongevity.core.standards import yuan
from gzlongevity.files.errors import InputError
from gzlongevity.files.payments import PayrollWriter
from gzlongevity.files.register import read_confirmations, read_register

ids = st.builds(
    lambda birth, sequence, district: citizen_id(birth.isoformat(), sequence, district),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(["440103", "440104", "110105", "999999"]),
)


@given(st.lists(ids, min_size=1, max_size=30))
def test_id_numbers_order_and_match_as_the_texts_do(texts: list[str]) -> None:
    raw = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    numbers = id_numbers(raw).tolist()
    for a, text_a in zip(numbers, texts, strict=True):
        for b, text_b in zip(numbers, texts, strict=True):
            assert (a < b) == (text_a < text_b)
            assert (a == b) == (text_a == text_b)


@st.composite
def registers(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]]]:
    """Register rows' IDs as written (any order, repeats, lowercase x, spaces) and
    confirmations (ID as written, confirmed_on) for some of the people."""
    people = draw(st.lists(ids, min_size=1, max_size=12, unique=True))
    written = [
        draw(st.sampled_from([person, person.lower(), f" {person} "]))
        for person in draw(st.lists(st.sampled_from(people), max_size=30))
    ]
    written += people  # everyone has a row
    written = draw(st.permutations(written))
    confirmations = [
        (draw(st.sampled_from([person, person.lower()])), f"2021-{month:02d}-01")
        for person in people
        for month in draw(st.lists(st.integers(1, 12), max_size=3))
    ]
    return written, confirmations


@settings(max_examples=40, deadline=None)
@given(registers())
def test_people_are_numbered_in_id_order_and_found_by_id(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[list[str], list[tuple[str, str]]]
) -> None:
    written, confirmations = case
    directory = tmp_path_factory.mktemp("ids")
    register_path = directory / "register.csv"
    register_path.write_text(
        "\n".join(
            [REGISTER_HEADER]
            + [
                f"{person},某,{_birth(person)},registered,2000-01-01,2000-01-02,440103,沙面街"
                for person in written
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    confirmations_path = directory / "confirmations.csv"
    confirmations_path.write_text(
        "\n".join([CONFIRMATION_HEADER] + [f"{p},{day},app" for p, day in confirmations]) + "\n",
        encoding="utf-8",
    )
    register = read_register(register_path)
    canonical = [person.strip().upper() for person in written]
    assert register.person_ids == sorted(set(canonical))
    assert sorted(register.person_ids[i] for i in register.row_person) == sorted(canonical)

    earliest = read_confirmations(confirmations_path, register)
    expected = {
        person: min(
            (
                day_number(dt.date.fromisoformat(day))
                for p, day in confirmations
                if p.upper() == person
            ),
            default=int(NO_DAY),
        )
        for person in register.person_ids
    }
    assert earliest.tolist() == [expected[person] for person in register.person_ids]


def test_a_confirmation_for_someone_not_in_the_register_is_refused(tmp_path: Path) -> None:
    known, stranger = citizen_id("1950-01-01"), citizen_id("1950-01-01", 2)
    register_path = tmp_path / "register.csv"
    register_path.write_text(
        f"{REGISTER_HEADER}\n{known},某,1950-01-01,registered,2000-01-01,2000-01-02,440103,沙面街\n",
        encoding="utf-8",
    )
    confirmations_path = tmp_path / "confirmations.csv"
    confirmations_path.write_text(
        f"{CONFIRMATION_HEADER}\n{known},2021-01-01,app\n{stranger},2021-01-01,app\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=f"第 3 行.*{stranger} 不在户籍名册"):
        read_confirmations(confirmations_path, read_register(register_path))


fen = st.integers(-(10**16), 10**16)


@given(st.lists(st.tuples(fen, fen), min_size=1, max_size=20))
def test_money_columns_say_the_fen_exactly(amounts: list[tuple[int, int]]) -> None:
    city = np.array([c for c, _ in amounts], dtype=np.int64)
    extra = np.array([e for _, e in amounts], dtype=np.int64)
    count = len(amounts)
    index = np.zeros(count, dtype=np.int32)
    lines = Payments(index, index + FIRST_MONTH, index, index, index, city, extra)
    writer = PayrollWriter(["110105194912310021"], [("440103", "沙面街")], FIRST_MONTH)
    text = io.BytesIO()
    writer.write(text, writer.payments(FIRST_MONTH, lines))
    rows = pl.read_csv(text.getvalue(), has_header=False, infer_schema=False).rows()
    assert [row[7:] for row in rows] == [
        (str(yuan(c)), str(yuan(e)), str(yuan(c + e))) for c, e in amounts
    ]


place_names = st.text(alphabet=["a", " ", "街", ",", '"', "\n", "\r"], min_size=1, max_size=6)


@given(st.lists(st.tuples(place_names, place_names), min_size=1, max_size=4))
def test_rows_are_quoted_where_needed(places: list[tuple[str, str]]) -> None:
    count = 2 * len(places)
    place = np.arange(count, dtype=np.int32) % len(places)
    zero = np.zeros(count, dtype=np.int32)
    money = np.full(count, 3_000, dtype=np.int64)
    lines = Payments(zero, zero + FIRST_MONTH, zero, place, zero, money, money)
    writer = PayrollWriter(["110105194912310021"], places, FIRST_MONTH)
    frame = writer.payments(FIRST_MONTH, lines)
    text = io.BytesIO()
    writer.write(text, frame)
    assert text.getvalue() == frame.write_csv(include_header=False).encode("utf-8")


def _birth(person: str) -> str:
    digits = person.strip()[6:14]
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
