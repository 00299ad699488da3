"""Migration 0003 on a database holding runs: each line and overpayment gets its payer (a
military cadre's is the military channel's), an approved run counts as approved by the military
channel too, the totals are regrouped by payer, and each case's recovered amount becomes a
payment on the day it closed. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from gzlongevity.kit.db import DATABASE

CADRE, ELDER = "440104193803030011", "440104194005100012"


def test_0003_gives_existing_rows_their_payer(lsvc_database_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(DATABASE.migrations))
    config.attributes["url"] = lsvc_database_url
    command.upgrade(config, "0001")
    engine = create_engine(lsvc_database_url)
    try:
        with engine.begin() as connection:
            for pid, name, military in ((CADRE, "韩军", True), (ELDER, "陈甲", False)):
                connection.execute(
                    text(
                        "INSERT INTO persons (id_number, name, birth_date, district, street, "
                        "status, death_conflict, military) VALUES (:pid, :name, '1938-03-03', "
                        "'440104', '北京街', 'registered', :no, :military)"
                    ),
                    {"pid": pid, "name": name, "no": False, "military": military},
                )
            connection.execute(
                text(
                    "INSERT INTO payment_runs (id, month, run_date, status, computed_at, "
                    "computed_by, approved_at, lines, amount_fen, held, district_totals, "
                    "exception_streets) VALUES (1, 24260, '2021-09-20', 'approved', "
                    "'2021-09-20 09:00:00', 'city', '2021-09-21 09:00:00', 2, 20000, 0, "
                    "'{\"440104\": [2, 20000]}', '{}')"
                )
            )
            for pid in (CADRE, ELDER):
                connection.execute(
                    text(
                        "INSERT INTO run_lines (run_id, person_id, district, street, kind, "
                        "for_month, tier, city_fen, extra_fen) VALUES (1, :pid, '440104', "
                        "'北京街', 'monthly', 24260, 80, 10000, 0)"
                    ),
                    {"pid": pid},
                )
            connection.execute(
                text(
                    "INSERT INTO recovery_cases (person_id, district, street, kind, status, "
                    "amount_fen, recovered_fen, opened_on, closed_on, clawback_month) VALUES "
                    "(:pid, '440104', '北京街', 'overpayment', 'closed', 3000, 3000, "
                    "'2021-12-20', '2022-01-20', 24264)"
                ),
                {"pid": ELDER},
            )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            payers = dict(connection.execute(text("SELECT person_id, payer FROM run_lines")).all())
            assert payers == {CADRE: "military", ELDER: "440104"}
            signed = connection.execute(
                text("SELECT district FROM run_signoffs WHERE run_id = 1 AND street = ''")
            ).all()
            assert signed == [("military",)]
            totals = connection.execute(text("SELECT payer_totals, waiting FROM payment_runs"))
            # JSON comes back parsed from PostgreSQL, as text from SQLite.
            assert [
                tuple(json.loads(v) if isinstance(v, str) else v for v in row) for row in totals
            ] == [({"440104": [1, 10000, 0], "military": [1, 10000, 0]}, [])]
            paid = connection.execute(
                text('SELECT "on", amount_fen, way FROM recovery_payments')
            ).all()
            assert [(str(on), fen, way) for on, fen, way in paid] == [
                ("2022-01-20", 3000, "clawback")
            ]
        command.downgrade(config, "0001")
        command.upgrade(config, "head")
    finally:
        engine.dispose()
