"""Payers (第十三条, 第二十五条): each run line and overpayment names its payer (a district, or
``military`` for the military cadres), each payer approves and locks its own list, and the
payers' accounts are data; every amount a recovery case got back is kept with its day.

Existing rows: a line or overpayment of a military cadre is the military channel's, else its
district's; an approved run counts as approved by the military channel too; each run's totals
are regrouped by payer; each case's recovered amount is one payment on the day it closed (or
was opened, if still open). Triggers refuse to insert, change or delete any row of an
approved payer's list.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LISTS = ("run_lines", "run_overpayments")
APPROVED = (
    "EXISTS (SELECT 1 FROM run_signoffs WHERE run_signoffs.run_id = {row}.run_id "
    "AND run_signoffs.district = {row}.payer AND run_signoffs.street = '')"
)
PAYER_OF = (
    "CASE WHEN EXISTS (SELECT 1 FROM persons WHERE persons.id_number = {table}.person_id "
    "AND persons.military = :yes) THEN 'military' ELSE {table}.district END"
)


def upgrade() -> None:
    op.create_table(
        "payers",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("account_number", sa.String(length=32), nullable=False),
        sa.Column("bank", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_payers")),
    )
    op.create_table(
        "recovery_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column(
            "way",
            sa.Enum(
                "clawback",
                "repaid",
                name="way",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["recovery_cases.id"],
            name=op.f("fk_recovery_payments_case_id_recovery_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_payments")),
    )
    with op.batch_alter_table("recovery_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_payments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recovery_payments_on"), ["on"], unique=False)
    bind = op.get_bind()
    bind.execute(
        sa.text(
            'INSERT INTO recovery_payments (case_id, "on", amount_fen, way) '
            "SELECT id, COALESCE(closed_on, opened_on), recovered_fen, "
            "CASE WHEN clawback_month IS NULL THEN 'repaid' ELSE 'clawback' END "
            "FROM recovery_cases WHERE recovered_fen > 0"
        )
    )
    for table in LISTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("payer", sa.String(length=8), nullable=True))
        bind.execute(
            sa.text(f"UPDATE {table} SET payer = {PAYER_OF.format(table=table)}"), {"yes": True}
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("payer", existing_type=sa.String(length=8), nullable=False)
    with op.batch_alter_table("run_lines", schema=None) as batch_op:
        batch_op.create_index("ix_run_lines_run_id_payer", ["run_id", "payer"], unique=False)
    with op.batch_alter_table("run_signoffs", schema=None) as batch_op:
        batch_op.alter_column(
            "district", existing_type=sa.String(length=6), type_=sa.String(length=8)
        )
    bind.execute(
        sa.text(
            "INSERT INTO run_signoffs (run_id, district, street, at, officer) "
            "SELECT id, 'military', '', approved_at, 'migration 0003' FROM payment_runs "
            "WHERE status = 'approved'"
        )
    )
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.alter_column(
            "district_totals", new_column_name="payer_totals", existing_type=sa.JSON()
        )
        batch_op.add_column(sa.Column("waiting", sa.JSON(), nullable=True))
    totals: dict[int, dict[str, list[int]]] = {}
    for run_id, payer, count, fen in bind.execute(
        sa.text(
            "SELECT run_id, payer, COUNT(*), SUM(city_fen + extra_fen) FROM run_lines "
            "GROUP BY run_id, payer"
        )
    ):
        totals.setdefault(run_id, {})[payer] = [int(count), int(fen), 0]
    runs = sa.table(
        "payment_runs",
        sa.column("id", sa.Integer()),
        sa.column("payer_totals", sa.JSON()),
        sa.column("waiting", sa.JSON()),
    )
    for (run_id,) in bind.execute(sa.text("SELECT id FROM payment_runs")):
        bind.execute(
            runs.update()
            .where(runs.c.id == run_id)
            .values(payer_totals=totals.get(run_id, {}), waiting=[])
        )
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.alter_column("waiting", existing_type=sa.JSON(), nullable=False)
    for statement in _locks(bind.dialect.name):
        op.execute(statement)


def _locks(dialect: str) -> list[str]:
    """Triggers refusing to insert, change or delete a row of an approved payer's list (L5: an
    approved list is immutable), whatever the code above them does."""
    if dialect == "postgresql":
        statements = [
            f"""
            CREATE FUNCTION approved_list_locked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF (TG_OP <> 'INSERT' AND {APPROVED.format(row="OLD")})
                   OR (TG_OP <> 'DELETE' AND {APPROVED.format(row="NEW")}) THEN
                    RAISE EXCEPTION '%: % of an approved list refused', TG_TABLE_NAME, TG_OP;
                END IF;
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                RETURN NEW;
            END
            $$
            """
        ]
        return statements + [
            f"CREATE TRIGGER {table}_locked BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION approved_list_locked()"
            for table in LISTS
        ]
    return [
        f"CREATE TRIGGER {table}_locked_{operation.lower()} BEFORE {operation} ON {table} "
        f"WHEN {APPROVED.format(row=row)} BEGIN SELECT RAISE(ABORT, "
        f"'{table}: {operation} of an approved list refused'); END"
        for table in LISTS
        for operation, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
    ]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in LISTS:
            op.execute(f"DROP TRIGGER {table}_locked ON {table}")
        op.execute("DROP FUNCTION approved_list_locked()")
    else:
        for table in LISTS:
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_locked_{operation}")
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.drop_column("waiting")
        batch_op.alter_column(
            "payer_totals", new_column_name="district_totals", existing_type=sa.JSON()
        )
    op.execute("DELETE FROM run_signoffs WHERE district = 'military'")
    with op.batch_alter_table("run_signoffs", schema=None) as batch_op:
        batch_op.alter_column(
            "district", existing_type=sa.String(length=8), type_=sa.String(length=6)
        )
    with op.batch_alter_table("run_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_run_lines_run_id_payer")
    for table in LISTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("payer")
    with op.batch_alter_table("recovery_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_payments_on"))
        batch_op.drop_index(batch_op.f("ix_recovery_payments_case_id"))
    op.drop_table("recovery_payments")
    op.drop_table("payers")
