"""``gzcreditpool demo``: 2021–2025 of the pool through the service on a simulated clock —
five partner banks selected, a few thousand SMEs registered, their loans reported every week
(some late, some not eligible) and checked, forwarded and confirmed; loans going bad, legal
actions, claims decided under the loan and bank caps, recoveries with refunds (some overdue),
write-offs, the trustee's yearly reports, one duplicate contract and one sanction. Then the
report (:mod:`gzcreditpool.demo.report`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from gzcreditpool.app import create_app
from gzcreditpool.demo import world as synthetic
from gzcreditpool.kit.auth import create_user
from gzcreditpool.loans.service import UPLOAD_COLUMNS
from gzcreditpool.models import Role
from gzkit.clock import SimulatedClock
from gzkit.db import session_scope

START = dt.datetime(2021, 6, 1, 9, 0)
SANCTION_DAY = dt.date(2025, 7, 18)
Headers = dict[str, str]
MAX_PAGE = 100  # gzkit.pagination.MAX_LIMIT


@dataclass
class DemoRun:
    """The service and who uses it, and what the demo has done so far."""

    client: TestClient
    clock: SimulatedClock
    bureau: Headers
    trustee: Headers
    auditor: Headers
    banks: list[Headers]
    world: synthetic.World
    loan_ids: dict[int, int] = field(default_factory=dict)  # world key → service id
    registered: set[int] = field(default_factory=set)
    claims: Counter[int] = field(default_factory=Counter)  # world key → claims filed
    tokens: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """End the client's session with the app (its lifespan disposes of the engine)."""
        self.client.__exit__(None, None, None)

    def every(self, path: str, headers: Headers) -> list[Any]:
        """Every item of a paged list (``ListResource``), page by page."""
        items: list[Any] = []
        page, joiner = 1, "&" if "?" in path else "?"
        while True:
            found = self.call("GET", f"{path}{joiner}limit={MAX_PAGE}&page={page}", headers)
            items += found["items"]
            if page >= found["pagination"]["max_page"]:
                return items
            page += 1

    def call(self, method: str, path: str, headers: Headers, **kwargs: Any) -> Any:
        response = self.client.request(method, path, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return (
            response.json()
            if "json" in response.headers.get("content-type", "")
            else response.content
        )


def _user(app: Any, clock: SimulatedClock, name: str, role: Role, bank: str | None = None) -> str:
    with session_scope(app.state.sessionmaker) as session:
        _, token = create_user(
            session,
            name=name,
            role=role,
            bank_code=bank,
            at=clock.now(),
            password="demo-password",
            expires_at=dt.datetime(2030, 1, 1),
        )
    return token


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def start(url: str, world: synthetic.World) -> DemoRun:
    """The app on ``url`` with the staff's accounts and the five banks selected (第二十二条)."""
    clock = SimulatedClock(START)
    app = create_app(database_url=url, clock=clock)
    # One client session for the whole run: a client outside ``with`` starts an event loop
    # thread for every request.
    client = TestClient(app).__enter__()
    tokens = {
        "市科技局": _user(app, clock, "市科技局", Role.BUREAU),
        "受托管理机构": _user(app, clock, "受托管理机构", Role.TRUSTEE),
        "审计": _user(app, clock, "审计", Role.AUDITOR),
    }
    run = DemoRun(
        client,
        clock,
        bearer(tokens["市科技局"]),
        bearer(tokens["受托管理机构"]),
        bearer(tokens["审计"]),
        [],
        world,
        tokens=tokens,
    )
    conditions = [
        {"key": key, "met": True, "evidence": text}
        for key, text in (
            ("branch", "广州分行及科技支行设立批复"),
            ("policies", "科技信贷五项专门政策"),
            ("process", "科技信贷专门产品与流程"),
        )
    ]
    call = {"title": "2021 年科技信贷合作银行申报指南", "opens_on": "2021-06-01",
            "closes_on": "2021-06-08"}  # fmt: skip
    call_id = run.call("POST", "/api/banks/calls", run.bureau, json=call)["id"]
    for code, name, _ in synthetic.BANKS:
        body = {"call_id": call_id, "code": code, "name": name, "conditions": conditions}
        run.call("POST", "/api/banks", run.trustee, json=body)
        run.call(
            "POST", f"/api/banks/{code}/review", run.trustee, json={"scores": ["82", "88", "91"]}
        )
        run.call("POST", f"/api/banks/{code}/publicity", run.bureau, json={"until": "2021-06-10"})
    clock.set(dt.datetime(2021, 6, 11, 9))
    for code, name, _ in synthetic.BANKS:
        run.call("POST", f"/api/banks/{code}/decision", run.bureau, json={"selected": True})
        token = _user(app, clock, f"{name}操作员", Role.BANK, code)
        run.tokens[f"{name}操作员"] = token
        run.banks.append(bearer(token))
    return run


def _fridays() -> list[dt.date]:
    day = synthetic.FIRST_DAY
    while day.weekday() != synthetic.FRIDAY:
        day += dt.timedelta(days=1)
    days = []
    while day <= synthetic.LAST_DAY:
        days.append(day)
        day += dt.timedelta(days=7)
    return days


def _upload(run: DemoRun, bank: int, loans: list[synthetic.Loan]) -> None:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(UPLOAD_COLUMNS)
    for loan in loans:
        firm = run.world.firms[loan.firm]
        writer.writerow(
            [
                loan.contract_no,
                firm.uscc,
                loan.disbursed_on,
                f"{loan.amount}.00",
                loan.term_months,
                f"{loan.credit_part}.00",
                "true" if loan.financing_guarantee else "false",
            ]
        )
    files = {"file": ("loans.csv", text.getvalue().encode("gb18030"), "text/csv")}
    made = run.call("POST", "/api/loans/upload", run.banks[bank], files=files)
    run.loan_ids.update(zip((loan.key for loan in loans), made["loan_ids"], strict=True))


def _register(run: DemoRun, loans: list[synthetic.Loan]) -> None:
    """Each bank registers the new borrowers of its loans, in one call."""
    batches: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for loan in loans:
        if loan.firm in run.registered:
            continue
        firm = run.world.firms[loan.firm]
        batches[loan.bank].append(
            {
                "uscc": firm.uscc,
                "name": firm.name,
                "registered_in_guangzhou": True,
                "independent_legal_person": True,
                "revenue": f"{firm.revenue}.00",
                "high_tech_certificate_no": f"GR2021440{loan.firm:05d}"
                if firm.high_tech_until
                else None,
                "high_tech_valid_until": firm.high_tech_until.isoformat()
                if firm.high_tech_until
                else None,
                "sme_database_no": firm.sme_database_no,
                "science_plan_project": firm.science_plan_project,
            }
        )
        run.registered.add(loan.firm)
    for bank, batch in batches.items():
        run.call("POST", "/api/enterprises/batch", run.banks[bank], json={"enterprises": batch})


def simulate(url: str, world: synthetic.World) -> DemoRun:
    """Every week of 2021-07 … 2025-12 on its Friday, in order."""
    run = start(url, world)
    reports: dict[dt.date, list[synthetic.Loan]] = defaultdict(list)
    events: dict[dt.date, list[tuple[str, synthetic.Loan, Any]]] = defaultdict(list)
    fridays = _fridays()
    friday_of = synthetic.friday_of
    for loan in world.loans:
        reports[friday_of(loan.report_on)].append(loan)
        if loan.bad_on and loan.judgment_on:
            events[friday_of(loan.bad_on)].append(("classify", loan, None))
            events[friday_of(loan.judgment_on)].append(("legal", loan, None))
            events[synthetic.claim_on(loan.judgment_on)].append(("claim", loan, None))
            for recovery in loan.recoveries:
                events[friday_of(recovery[0])].append(("recover", loan, recovery))
            if loan.written_off_on:
                events[friday_of(loan.written_off_on)].append(("write_off", loan, None))
    reviewed_year = approved_year = reported_year = 0
    pending_write_offs: list[int] = []
    owed: list[tuple[int, dict[str, Any]]] = []  # (bank, recovery) owing since an approval
    for friday in fridays:
        run.clock.set(dt.datetime.combine(friday, dt.time(10)))
        due = reports.pop(friday, [])
        if due:
            _register(run, due)
            for bank in sorted({loan.bank for loan in due}):
                _upload(run, bank, [loan for loan in due if loan.bank == bank])
        for review_id in pending_write_offs:
            run.call(
                "POST",
                f"/api/write-offs/{review_id}/review",
                run.trustee,
                json={"note": "尽职追偿后核销，材料齐全"},
            )
        pending_write_offs = []
        for bank, owing in owed:
            paid = {"refunded_on": friday.isoformat()}
            path = f"/api/recoveries/{owing['id']}"
            if owing["due_on"] and owing["refunded_on"] is None:
                run.call("POST", f"{path}/refunded", run.banks[bank], json=paid)
            for top_up in owing["top_ups"]:
                if top_up["refunded_on"] is None:
                    path_up = f"{path}/top-ups/{top_up['id']}/refunded"
                    run.call("POST", path_up, run.banks[bank], json=paid)
        owed = []
        for kind, loan, detail in events.pop(friday, []):
            loan_id = run.loan_ids.get(loan.key)
            if loan_id is None:
                continue
            headers = run.banks[loan.bank]
            if kind == "classify":
                assert loan.bad_on is not None
                run.call(
                    "POST",
                    f"/api/loans/{loan_id}/classifications",
                    headers,
                    json={"category": loan.category, "as_of": loan.bad_on.isoformat()},
                )
            elif kind == "legal":
                assert loan.judgment_on is not None
                run.call(
                    "POST",
                    f"/api/loans/{loan_id}/legal-actions",
                    headers,
                    data={
                        "kind": "lawsuit",
                        "case_no": f"（{loan.judgment_on.year}）粤0106民初{loan.key}号",
                        "effective_on": loan.judgment_on.isoformat(),
                    },
                    files={
                        "file": (
                            f"判决书-{loan.key}.pdf",
                            b"%PDF-1.4 demo judgment",
                            "application/pdf",
                        )
                    },
                )
            elif kind == "claim":
                run.call(
                    "POST",
                    "/api/claims",
                    headers,
                    json={"loan_id": loan_id, "npl_balance": f"{loan.npl_balance}.00"},
                )
                run.claims[loan.key] += 1
            elif kind == "recover":
                day, gross, fees = detail
                made = run.call(
                    "POST",
                    "/api/recoveries",
                    headers,
                    json={
                        "loan_id": loan_id,
                        "received_on": day.isoformat(),
                        "gross": f"{gross}.00",
                        "fees": f"{fees}.00",
                    },
                )
                if made["due_on"] and not loan.refund_late:
                    run.call(
                        "POST",
                        f"/api/recoveries/{made['id']}/refunded",
                        headers,
                        json={"refunded_on": friday.isoformat()},
                    )
            elif kind == "write_off":
                made = run.call(
                    "POST",
                    f"/api/loans/{loan_id}/write-offs",
                    headers,
                    json={
                        "written_off_on": friday.isoformat(),
                        "amount": f"{loan.npl_balance}.00",
                        "reason": "借款企业破产清算，尽职追偿后无可执行财产",
                    },
                )
                pending_write_offs.append(made["id"])
        if due:
            run.call("POST", "/api/loans/forward", run.trustee, json={})
            run.call("POST", "/api/loans/confirm", run.bureau, json={})
        # The trustee computes the year's claims in July; 市科技局 approves a week later.
        if friday.month == 7 and friday.year > reviewed_year:
            run.call("POST", "/api/claims/review", run.trustee, json={})
            reviewed_year = friday.year
        elif friday.month == 7 and friday.year > approved_year and reviewed_year == friday.year:
            approved = run.call("POST", "/api/claims/approve", run.bureau, json={})
            approved_year = friday.year
            _claim_the_rest(run, approved, events)
            owed = _owed_since_approval(run)
        # The trustee's report on last year by 31 March.
        if (
            friday.month == 3
            and friday.day > 20
            and friday.year > reported_year
            and friday.year > 2021
        ):
            reported_year = friday.year
            note = {"summary": f"{friday.year - 1} 年度资金池运行情况报告，明细见附表。"}
            run.call("POST", f"/api/reports/{friday.year - 1}", run.trustee, json=note)
        if friday == SANCTION_DAY:
            _sanction(run)
    return run


def _claim_the_rest(
    run: DemoRun,
    approved: list[dict[str, Any]],
    events: dict[dt.date, list[tuple[str, synthetic.Loan, Any]]],
) -> None:
    """A loan's first claim cut or refused by its bank's yearly cap is filed once more in the
    next March, from the next year's cap, for what the loan's half still leaves (第十七条)."""
    loans = {service_id: key for key, service_id in run.loan_ids.items()}
    by_key = {loan.key: loan for loan in run.world.loans}
    for claim in approved:
        loan = by_key[loans[claim["loan_id"]]]
        next_year = dt.date.fromisoformat(claim["filed_on"]).year + 1
        again = synthetic.friday_of(dt.date(next_year, 3, 1))
        if (
            claim["reason"] in ("bank_cap", "bank_cap_reached")
            and run.claims[loan.key] == 1
            and again < synthetic.LAST_DAY
        ):
            events[again].append(("claim", loan, None))


def _owed_since_approval(run: DemoRun) -> list[tuple[int, dict[str, Any]]]:
    """Recoveries whose refund or top-up the approval made due (C7: recoveries received
    after the claim's filing, top-ups of refunded ones), which their banks pay the next
    Friday unless they pay late."""
    index = {code: k for k, (code, _, _) in enumerate(synthetic.BANKS)}
    late = {
        run.loan_ids[loan.key]
        for loan in run.world.loans
        if loan.refund_late and loan.key in run.loan_ids
    }
    return [
        (index[recovery["bank_code"]], recovery)
        for recovery in run.every("/api/recoveries", run.bureau)
        if recovery["loan_id"] not in late
        and (
            (recovery["due_on"] and recovery["refunded_on"] is None)
            or any(t["refunded_on"] is None for t in recovery["top_ups"])
        )
    ]


def _sanction(run: DemoRun) -> None:
    """市科技局 finds a compensated loan of the second bank misclassified (第二十五条)."""
    claims = run.every("/api/claims?status=approved", run.bureau)
    paid = [
        c for c in claims if c["bank_code"] == synthetic.BANKS[1][0] and c["decision"] != "refused"
    ]
    if paid:
        run.call(
            "POST",
            "/api/sanctions",
            run.bureau,
            json={
                "loan_id": paid[0]["loan_id"],
                "kind": "misclassification",
                "note": "贷后检查发现风险分类不准确，追回该笔贷款全部补偿资金",
            },
        )


def run_demo(out: Path, *, enterprises: int, seed: int) -> str:
    """Simulate, collect and write the report into ``out``; a short summary for the terminal."""
    from gzcreditpool.demo.report import write_report

    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    database = out / "gzcreditpool-demo.sqlite"
    for stale in out.glob("gzcreditpool-demo.sqlite*"):
        stale.unlink()
    world = synthetic.build(enterprises, seed)
    run = simulate(f"sqlite:///{database}", world)
    try:
        summary = write_report(run, out)
    finally:
        run.close()
    seconds = time.perf_counter() - began
    serve = f"gzcreditpool serve --database-url sqlite:///{database}"
    return f"{summary}\n用时 {seconds:.1f} 秒；控制台：{serve}"
