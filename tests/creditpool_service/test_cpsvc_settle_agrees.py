"""The service decides as ``gzcreditpool settle`` does: a demo world run week by week through
the service, then its loans, claims and recoveries written as the batch's files and settled —
every loan's, claim's and recovery's decision, reason, amount (a recovery's refund with its
top-ups) and due day, and every year's trustee fee, agree. Seed 3 makes the small bank's
claim cut by its yearly cap, its second claim a year later, and a recovery refunded between
the two owe a top-up, paid by the bank (the demo's second claims, C6 and C7)."""

from __future__ import annotations

from pathlib import Path

from cpsvc_settle import assert_agree, settle_book

from gzcreditpool.demo import world
from gzcreditpool.demo.run import simulate
from gzkit.db import session_scope


def test_the_service_and_the_batch_decide_alike(tmp_path: Path) -> None:
    run = simulate(f"sqlite:///{tmp_path / 'pool.sqlite'}", world.build(400, seed=3))
    try:
        with session_scope(run.client.app.state.sessionmaker) as session:
            book = settle_book(session, tmp_path)
            top_ups = [t for r in book.recoveries for t in r.top_ups]
            assert len(top_ups) == 1 and top_ups[0].refunded_on is not None
            service_fees = {
                year: run.call("GET", f"/api/fees/{year}", run.bureau)["fee"]
                for year in range(2021, 2026)
            }
    finally:
        run.close()
    assert len(book.loans) > 500 and len(book.claims) > 10 and len(book.recoveries) > 3
    assert_agree(book)
    for year, fee in service_fees.items():
        if ("fee", str(year)) in book.batch:
            assert book.batch["fee", str(year)]["amount_cny"] == fee
