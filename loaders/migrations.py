"""Tables that hold user-entered data (targets, participation figures, uploads, change log).

They are created and altered only by numbered migrations, never dropped: `python -m loaders build`
rebuilds the statistics tables and then calls :func:`migrate_user_tables`, which applies the
migrations that have not run yet (recorded in ``schema_migrations``).
"""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

user_metadata = sa.MetaData()

schema_migrations = sa.Table(
    "schema_migrations",
    user_metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
)

targets = sa.Table(
    "targets",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("metric_id", sa.String(80), nullable=False),
    sa.Column("area_code", sa.String(40), nullable=False),
    sa.Column("baseline_year", sa.Integer, nullable=False),
    sa.Column("baseline_value", sa.Float, nullable=False),
    sa.Column("target_value", sa.Float, nullable=False),
    sa.Column("target_year", sa.Integer, nullable=False),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("rationale", sa.Text, nullable=False),
    sa.Column("action_link", sa.Text, nullable=True),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    # added in migration 2
    sa.Column("milestones", sa.Text, nullable=True),  # JSON list of {"year": int, "value": float}
)

participation = sa.Table(
    "participation",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("buurt_code", sa.String(12), nullable=False),
    sa.Column("maand", sa.String(7), nullable=False),  # YYYY-MM
    sa.Column("leeftijdsgroep", sa.String(10), nullable=False),  # totaal | 0-17 | 18-64 | 65+
    sa.Column("dialoogsessies", sa.Integer, nullable=False),
    sa.Column("bewoners_bereikt", sa.Integer, nullable=False),
    sa.Column("meemakers", sa.Integer, nullable=False),
    sa.Column("activiteiten", sa.Integer, nullable=False),
    sa.Column("upload_id", sa.Integer, nullable=True),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("buurt_code", "maand", "leeftijdsgroep", name="uq_participation_key"),
    sa.CheckConstraint("dialoogsessies >= 0 AND bewoners_bereikt >= 0 AND meemakers >= 0 AND activiteiten >= 0",
                       name="ck_participation_nonnegative"),
)

uploads = sa.Table(
    "uploads",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("uploaded_by", sa.Text, nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
)

change_log = sa.Table(
    "change_log",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("table_name", sa.String(40), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=True),
    sa.Column("action", sa.String(20), nullable=False),  # create | update | delete | upload
    sa.Column("old_value", sa.Text, nullable=True),  # JSON
    sa.Column("new_value", sa.Text, nullable=True),  # JSON
)

# added in migration 3: presentations (decks) saved by editors
decks = sa.Table(
    "decks",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("slides", sa.Text, nullable=False),  # JSON list of slide keys (wording/slides.py)
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("name", name="uq_decks_name"),
)

# added in migration 4: decisions on target proposals (metrics/proposals.py) and the frozen comparison group of a
# target adopted from a proposal
proposal_decisions = sa.Table(
    "proposal_decisions",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("proposal_key", sa.String(200), nullable=False),  # rule:metric_id:area_code:baseline_year
    sa.Column("rule", sa.String(40), nullable=False),
    sa.Column("metric_id", sa.String(80), nullable=False),
    sa.Column("area_code", sa.String(40), nullable=False),
    sa.Column("baseline_year", sa.Integer, nullable=False),
    sa.Column("baseline_value", sa.Float, nullable=False),
    sa.Column("target_year", sa.Integer, nullable=False),
    sa.Column("target_value", sa.Float, nullable=False),
    sa.Column("decision", sa.String(20), nullable=False),  # overgenomen | afgewezen
    sa.Column("target_id", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("proposal_key", name="uq_proposal_decisions_key"),
    sa.CheckConstraint("decision IN ('overgenomen', 'afgewezen')", name="ck_proposal_decisions_decision"),
)

target_comparison_groups = sa.Table(
    "target_comparison_groups",
    user_metadata,
    sa.Column("target_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("profile_year", sa.Integer, nullable=False),
    sa.Column("codes", sa.Text, nullable=False),  # JSON list of buurt codes, nearest first
    sa.Column("details", sa.Text, nullable=True),  # JSON: names, variables, method, number of candidates
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

USER_TABLES = [schema_migrations, targets, participation, uploads, change_log, decks, proposal_decisions,
               target_comparison_groups]

# added in migration 7: long-running work (the CBS refresh) as jobs with a worker process (loaders/jobs.py).
# At most one active job per kind, enforced by the database (partial unique index, SQLite and PostgreSQL), so
# two replicas or a cron run and a page cannot start a second refresh.
JOB_STATES = ("wachtrij", "bezig", "klaar", "mislukt", "afgebroken")
ACTIVE_JOB_STATES = ("wachtrij", "bezig")
jobs = sa.Table(
    "jobs",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),  # refresh
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("started_by", sa.Text, nullable=False),
    sa.Column("options", sa.Text, nullable=True),  # JSON: tables, gemeenten, odata, … of the run
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("progress_step", sa.Integer, nullable=False, server_default="0"),
    sa.Column("progress_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("progress_message", sa.Text, nullable=True),
    sa.Column("result_message", sa.Text, nullable=True),
    sa.Column("error_message", sa.Text, nullable=True),  # Dutch, safe to show
    sa.Column("worker_host", sa.String(255), nullable=True),
    sa.Column("worker_pid", sa.Integer, nullable=True),
    sa.CheckConstraint("state IN ('wachtrij', 'bezig', 'klaar', 'mislukt', 'afgebroken')", name="ck_jobs_state"),
)
sa.Index("uq_jobs_one_active", jobs.c.kind, unique=True,
         sqlite_where=jobs.c.state.in_(ACTIVE_JOB_STATES), postgresql_where=jobs.c.state.in_(ACTIVE_JOB_STATES))
sa.Index("ix_jobs_kind_created", jobs.c.kind, jobs.c.created_at)

# Tables that are not programme data: operational state, not backed up or restored (rebuilt empty is fine).
OPERATIONAL_TABLES = [jobs]


def _m1_initial(conn: sa.Connection) -> None:
    """Targets without milestones (the first release), participation, uploads, change log."""
    md = sa.MetaData()
    cols = [c._copy() for c in targets.columns if c.name != "milestones"]
    sa.Table("targets", md, *cols)
    for t in (participation, uploads, change_log):
        t.to_metadata(md)
    md.create_all(conn, checkfirst=True)


def _m2_target_milestones(conn: sa.Connection) -> None:
    """Interim milestones on targets: a column added in place, existing targets kept."""
    existing = {c["name"] for c in sa.inspect(conn).get_columns("targets")}
    if "milestones" not in existing:
        conn.execute(sa.text("ALTER TABLE targets ADD COLUMN milestones TEXT"))


def _m3_decks(conn: sa.Connection) -> None:
    """Saved presentations (choice and order of slides) for the presentation mode."""
    md = sa.MetaData()
    decks.to_metadata(md)
    md.create_all(conn, checkfirst=True)


def _m4_proposals(conn: sa.Connection) -> None:
    """Decisions on target proposals and the frozen comparison group of adopted targets (new tables only)."""
    md = sa.MetaData()
    proposal_decisions.to_metadata(md)
    target_comparison_groups.to_metadata(md)
    md.create_all(conn, checkfirst=True)


def _m7_jobs(conn: sa.Connection) -> None:
    """The jobs table (refresh as a job, one active refresh across all replicas); a new table only."""
    md = sa.MetaData()
    jobs.to_metadata(md)
    md.create_all(conn, checkfirst=True)


# (version, description, function) — append only; never edit a released migration.
MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "doelen, participatie, uploads en wijzigingslog", _m1_initial),
    (2, "tussendoelen (milestones) bij doelen", _m2_target_milestones),
    (3, "opgeslagen presentaties (decks)", _m3_decks),
    (4, "besluiten over doelvoorstellen en bevroren vergelijkingsgroepen", _m4_proposals),
    (7, "taken (verversing bij CBS als taak, één tegelijk)", _m7_jobs),
]


def migrate_user_tables(conn: sa.Connection, up_to: int | None = None) -> list[int]:
    """Apply pending migrations inside the caller's transaction; returns the versions applied."""
    schema_migrations.create(conn, checkfirst=True)
    done = {r[0] for r in conn.execute(sa.select(schema_migrations.c.version))}
    applied = []
    for version, desc, fn in MIGRATIONS:
        if version in done or (up_to is not None and version > up_to):
            continue
        fn(conn)
        conn.execute(schema_migrations.insert().values(version=version, description=desc))
        applied.append(version)
    return applied
