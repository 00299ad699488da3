"""What approved lists paid stays with the right people when others arrive between runs: the
ledger keeps each approved list's people by their place in the register last worked out and
moves those places when someone new arrives (gzlongevity.runs.ledger)."""

from __future__ import annotations

import datetime as dt

from lsvc_api import Api, citizen_id, registered


def test_a_newcomer_sorting_first_moves_no_payment(api: Api) -> None:
    api.accounts()
    elder_birth, newcomer_birth = dt.date(1940, 3, 1), dt.date(1930, 1, 1)
    elder = citizen_id(elder_birth)
    api.at("2021-08-02")
    api.feed([registered(elder, elder_birth, "王伯")])
    api.at("2021-08-10")
    api.confirm(elder)
    for month in ("2021-09", "2021-10"):
        api.at(f"{month}-20")
        assert api.run(month)["lines"] == 1
    # Someone whose ID number sorts before the elder's: every later place in the register
    # moves by one, after the lists of 2021-09 and 2021-10 were read by the runs.
    newcomer = citizen_id(newcomer_birth)
    assert newcomer < elder
    api.at("2021-11-05")
    row = registered(newcomer, newcomer_birth, "李婆", known_on="2021-11-05")
    api.feed([row], kind="changes")
    api.at("2021-11-20")
    november = api.run("2021-11")
    # Only the elder's November: no arrears for the months paid, no overpayment for the newcomer.
    assert november["lines"] == 1
    assert november["amount_cny"] == api.get("/api/runs/2021-10", api.city)["amount_cny"]
    assert api.get("/api/runs/2021-11/exceptions", api.city) == []
