"""The participants file: who takes part, and which meter accounts make up each one's load."""

from __future__ import annotations

from pathlib import Path

from gzkit.csvtables import csv_rows
from gzkit.inputs import InputError
from gzvpp.core.model import Participant, ParticipantKind

COLUMNS = ("participant_id", "kind", "account_id")


def read_participants(path: Path, encoding: str | None = None) -> dict[str, Participant]:
    """Read participants and their member accounts (R1, 第四条).

    Parameters
    ----------
    path : Path
        CSV with the columns ``participant_id,kind,account_id``: one row per member account.
        ``kind`` is ``user`` (电力用户, one row: its own account 营销户号) or ``aggregator``
        (负荷聚合商, one row per member user's account).

    encoding : str, optional
        ``utf-8``, ``utf-8-sig`` or ``gb18030`` (``gbk`` too); None detects it.

    Returns
    -------
    dict of str to Participant
        By participant id, in the order of first appearance; accounts in file order.

    Raises
    ------
    InputError
        With the line at fault: a missing column, an empty id, an unknown kind, the same
        participant listed with two kinds, a repeated row, a user with a second account, or an
        account that already belongs to another participant (R1: one account belongs to at most
        one participant).
    """
    path = Path(path)
    kinds: dict[str, tuple[ParticipantKind, int]] = {}
    accounts: dict[str, list[str]] = {}
    owner: dict[str, tuple[str, int]] = {}
    for line, row in csv_rows(path, COLUMNS, encoding):
        participant, account = row["participant_id"], row["account_id"]
        for name in ("participant_id", "account_id"):
            if not row[name].strip():
                raise InputError(path, "为空", row=line, column=name)
        kind = _kind(path, row["kind"], line)
        listed_kind, listed_on = kinds.setdefault(participant, (kind, line))
        if listed_kind is not kind:
            raise InputError(
                path,
                f"参与者 {participant!r} 在第 {listed_on} 行为 {listed_kind}，此处为 {kind}",
                row=line,
                column="kind",
            )
        if account in owner:
            holder, held_on = owner[account]
            if holder == participant:
                raise InputError(path, f"重复行：与第 {held_on} 行相同", row=line)
            raise InputError(
                path,
                f"营销户号 {account!r} 已属于 {holder!r}（第 {held_on} 行）；"
                "一个营销户号只属一个参与者（R1）",
                row=line,
                column="account_id",
            )
        members = accounts.setdefault(participant, [])
        if kind is ParticipantKind.USER and members:
            raise InputError(
                path,
                f"电力用户 {participant!r} 已有营销户号 {members[0]!r}（第 {listed_on} 行）；"
                "电力用户只有一个营销户号，即其自有户号（R1）",
                row=line,
                column="account_id",
            )
        members.append(account)
        owner[account] = (participant, line)
    return {
        pid: Participant(pid, kinds[pid][0], tuple(members)) for pid, members in accounts.items()
    }


def _kind(path: Path, text: str, line: int) -> ParticipantKind:
    try:
        return ParticipantKind(text)
    except ValueError:
        expected = " 或 ".join(kind.value for kind in ParticipantKind)
        raise InputError(path, f"{text!r} 不是 {expected}", row=line, column="kind") from None
