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
    ("text", "where", "reason"),
    [
        (
            "participant_id,type,account_id\nU1,user,0301\n",
            "第 1 行",
            "缺少列 'kind'：应为 participant_id,kind,account_id，"
            "实为 participant_id,type,account_id",
        ),
        (HEADER + "U1,user,0301\n,user,0302\n", "第 3 行 participant_id 列", "为空"),
        (HEADER + "U1,user, \n", "第 2 行 account_id 列", "为空"),
        (HEADER + "U1,User,0301\n", "第 2 行 kind 列", "'User' 不是 user 或 aggregator"),
        (HEADER + "U1,user,0301,x\n", "第 2 行", "有 4 个字段，表头有 3 个"),
        (
            HEADER + "A,aggregator,0301\nA,user,0302\n",
            "第 3 行 kind 列",
            "参与者 'A' 在第 2 行为 aggregator，此处为 user",
        ),
        (HEADER + "A,aggregator,0301\nA,aggregator,0301\n", "第 3 行", "重复行：与第 2 行相同"),
        (
            HEADER + "U1,user,0301\nU1,user,0302\n",
            "第 3 行 account_id 列",
            "电力用户 'U1' 已有营销户号 '0301'（第 2 行）；"
            "电力用户只有一个营销户号，即其自有户号（R1）",
        ),
        (
            HEADER + "U1,user,0301\nAG,aggregator,0302\nAG,aggregator,0301\n",
            "第 4 行 account_id 列",
            "营销户号 '0301' 已属于 'U1'（第 2 行）；一个营销户号只属一个参与者（R1）",
        ),
    ],
)
def test_faults_name_the_line(tmp_path: Path, text: str, where: str, reason: str) -> None:
    error = fault(tmp_path, text)
    assert error.reason == reason
    assert str(error) == f"{tmp_path / 'participants.csv'} {where}：{reason}"


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert fault(tmp_path, "").reason == "文件为空：第一行应为表头 participant_id,kind,account_id"
    with pytest.raises(InputError, match="无法读取：文件不存在"):
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
    assert str(caught.value) == (
        f"{path} 第 3 行：不是有效的 utf-8 文本（支持 UTF-8、带 BOM 的 UTF-8、GB18030）"
    )
