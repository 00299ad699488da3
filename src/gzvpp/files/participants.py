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
                raise InputError(path, f"empty {name}", row=line)
        kind = _kind(path, row["kind"], line)
        listed_kind, listed_on = kinds.setdefault(participant, (kind, line))
        if listed_kind is not kind:
            raise InputError(
                path,
                f"participant {participant!r} is listed as {listed_kind} on line {listed_on} "
                f"and as {kind} here",
                row=line,
            )
        if account in owner:
            holder, held_on = owner[account]
            if holder == participant:
                raise InputError(path, f"duplicate row: same as line {held_on}", row=line)
            raise InputError(
                path,
                f"account {account!r} already belongs to {holder!r} (line {held_on}); an account "
                "belongs to at most one participant (R1)",
                row=line,
            )
        members = accounts.setdefault(participant, [])
        if kind is ParticipantKind.USER and members:
            raise InputError(
                path,
                f"user {participant!r} already has account {members[0]!r} (line {listed_on}); "
                "a user has exactly one account, its own (R1)",
                row=line,
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
        expected = " or ".join(kind.value for kind in ParticipantKind)
        raise InputError(path, f"kind {text!r} is not {expected}", row=line) from None
