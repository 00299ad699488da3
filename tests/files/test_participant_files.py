"""The participants file (R1): users, aggregators and their member accounts."""

from __future__ import annotations

from pathlib import Path

import pytest

from gzkit.inputs import InputError
from gzvpp.core.model import Participant, ParticipantKind
from gzvpp.files.participants import read_participants

HEADER = "participant_id,kind,account_id\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "participants.csv"
    path.write_text(text, encoding="utf-8")
    return path


def fault(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        read_participants(write(tmp_path, text))
    return caught.value


def test_users_and_aggregators_with_their_accounts(tmp_path: Path) -> None:
    text = HEADER + "U1,user,0301\nAG,aggregator,0302\nU2,user,0303\nAG,aggregator,0304\n"
    participants = read_participants(write(tmp_path, text))
    assert list(participants) == ["U1", "AG", "U2"]
    assert participants["U1"] == Participant("U1", ParticipantKind.USER, ("0301",))
    assert participants["AG"] == Participant("AG", ParticipantKind.AGGREGATOR, ("0302", "0304"))


def test_extra_columns_and_a_byte_order_mark_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "participants.csv"
    path.write_bytes("\ufeffname,participant_id,kind,account_id\n甲,U1,user,0301\n".encode())
    assert read_participants(path)["U1"].accounts == ("0301",)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            "participant_id,type,account_id\nU1,user,0301\n",
            1,
            "missing column 'kind': expected participant_id,kind,account_id, "
            "found participant_id,type,account_id",
        ),
        (HEADER + "U1,user,0301\n,user,0302\n", 3, "empty participant_id"),
        (HEADER + "U1,user, \n", 2, "empty account_id"),
        (HEADER + "U1,User,0301\n", 2, "kind 'User' is not user or aggregator"),
        (HEADER + "U1,user,0301,x\n", 2, "4 fields where the header has 3"),
        (
            HEADER + "A,aggregator,0301\nA,user,0302\n",
            3,
            "participant 'A' is listed as aggregator on line 2 and as user here",
        ),
        (HEADER + "A,aggregator,0301\nA,aggregator,0301\n", 3, "duplicate row: same as line 2"),
        (
            HEADER + "U1,user,0301\nU1,user,0302\n",
            3,
            "user 'U1' already has account '0301' (line 2); a user has exactly one account, "
            "its own (R1)",
        ),
        (
            HEADER + "U1,user,0301\nAG,aggregator,0302\nAG,aggregator,0301\n",
            4,
            "account '0301' already belongs to 'U1' (line 2); an account belongs to at most one "
            "participant (R1)",
        ),
    ],
)
def test_faults_name_the_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    error = fault(tmp_path, text)
    assert (error.row, error.reason) == (line, reason)
    assert str(error) == f"{tmp_path / 'participants.csv'}, line {line}: {reason}"


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert fault(tmp_path, "").reason == (
        "the file is empty; expected the header participant_id,kind,account_id"
    )
    with pytest.raises(InputError, match="not a readable CSV file"):
        read_participants(tmp_path / "nowhere.csv")


def test_a_gbk_file_from_excel_is_read(tmp_path: Path) -> None:
    # Today's symptom was "missing column 'account_id' … found Ӫ������".
    path = tmp_path / "participants.csv"
    path.write_bytes(("名称," + HEADER + "荔湾商场,U1,user,营销0301\n").encode("gbk"))
    assert read_participants(path)["U1"].accounts == ("营销0301",)


def test_a_wrong_encoding_names_the_file_line_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "participants.csv"
    path.write_bytes((HEADER + "U1,user,0301\nU2,user,荔湾\n").encode("gbk"))
    with pytest.raises(InputError) as caught:
        read_participants(path, encoding="utf-8")
    assert str(caught.value).startswith(f"{path}, line 3: not valid utf-8 text")
