"""Tables that hold user-entered data (targets, participation figures, uploads, change log).

They are created and altered only by numbered migrations, never dropped: `python -m wijkmonitor build`
rebuilds the statistics tables and then calls :func:`migrate_user_tables`, which applies the
migrations that have not run yet (recorded in ``schema_migrations``).

Programme data lives apart from the statistics (migration 5): every table of :data:`user_metadata` is in the
schema :data:`PROGRAMME_SCHEMA`. On PostgreSQL that is a schema of the same database; on SQLite it is a separate
file that :mod:`loaders.db` ATTACHes to every connection under that name (``<stem>-programma.sqlite`` beside the
statistics file, or ``WIJKMONITOR_PROGRAMME_DATABASE``), so a rebuild, ``make db`` or ``make clean`` never
touches it, while one connection and one transaction still span both.
"""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

PROGRAMME_SCHEMA = "programma"
user_metadata = sa.MetaData(schema=PROGRAMME_SCHEMA)

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

# added in migration 8: the programme's own indicators (eigen metingen) and their values, per definition version
own_indicators = sa.Table(
    "own_indicators",
    user_metadata,
    sa.Column("indicator_id", sa.String(60), primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("label", sa.String(120), nullable=False),
    sa.Column("pijler", sa.String(40), nullable=False),
    sa.Column("dimensie", sa.String(40), nullable=True),  # a Positieve Gezondheid dimension, optional
    sa.Column("soort", sa.String(20), nullable=False),  # register | steekproef | score | aantal
    sa.Column("eenheid", sa.String(20), nullable=False),  # percentage | per_1000 | aantal | score
    sa.Column("richting", sa.String(20), nullable=False),  # hoger_beter | lager_beter | neutraal
    sa.Column("definitie", sa.Text, nullable=False),
    sa.Column("bron", sa.Text, nullable=False),
    sa.Column("zichtbaarheid", sa.String(20), nullable=False),  # openbaar | intern
    sa.Column("frequentie", sa.String(20), nullable=False),  # jaar | kwartaal
    sa.Column("current", sa.Boolean, nullable=False),  # the version new values go to
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

own_values = sa.Table(
    "own_values",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator_id", sa.String(60), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("area_code", sa.String(40), nullable=False),
    sa.Column("periode", sa.String(7), nullable=False),  # 2025 | 2025-K3
    sa.Column("teller", sa.Integer, nullable=True),
    sa.Column("noemer", sa.Integer, nullable=True),
    sa.Column("aandeel", sa.Float, nullable=True),
    sa.Column("n", sa.Integer, nullable=True),
    sa.Column("gemiddelde", sa.Float, nullable=True),
    sa.Column("sd", sa.Float, nullable=True),
    sa.Column("aantal", sa.Integer, nullable=True),
    sa.Column("upload_id", sa.Integer, nullable=True),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("indicator_id", "version", "area_code", "periode", name="uq_own_values_key"),
)

# added in migration 9: targets on own indicators and the decisions on target proposals for them. Apart from
# ``targets`` / ``proposal_decisions`` because an own indicator is named by its id *and* definition version and its
# periods are text ('2025' or '2025-K3'), where a CBS target has a catalog metric and integer years; every reader of
# ``targets`` (Overzicht, slides, documents) keeps seeing catalog metrics only.
own_targets = sa.Table(
    "own_targets",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator_id", sa.String(60), nullable=False),  # own_indicators.indicator_id
    sa.Column("indicator_version", sa.Integer, nullable=False),  # the definition version the target is set on
    sa.Column("area_code", sa.String(40), nullable=False),
    sa.Column("baseline_period", sa.String(7), nullable=False),  # 2025 | 2025-K3 (the indicator's frequentie)
    sa.Column("baseline_value", sa.Float, nullable=False),  # the stored figure of that period (never typed in)
    sa.Column("target_value", sa.Float, nullable=False),
    sa.Column("target_period", sa.String(7), nullable=False),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("rationale", sa.Text, nullable=False),
    sa.Column("action_link", sa.Text, nullable=True),
    sa.Column("milestones", sa.Text, nullable=True),  # JSON list of {"periode": str, "value": float}
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),  # optimistic locking of the row
)

own_proposal_decisions = sa.Table(
    "own_proposal_decisions",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("proposal_key", sa.String(200), nullable=False),  # rule:eigen:<id>@<version>:area:baseline_period
    sa.Column("rule", sa.String(40), nullable=False),
    sa.Column("indicator_id", sa.String(60), nullable=False),
    sa.Column("indicator_version", sa.Integer, nullable=False),
    sa.Column("area_code", sa.String(40), nullable=False),
    sa.Column("baseline_period", sa.String(7), nullable=False),
    sa.Column("baseline_value", sa.Float, nullable=False),
    sa.Column("target_period", sa.String(7), nullable=False),
    sa.Column("target_value", sa.Float, nullable=False),
    sa.Column("decision", sa.String(20), nullable=False),  # overgenomen | afgewezen
    sa.Column("target_id", sa.Integer, nullable=True),  # own_targets.id (adopted)
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("proposal_key", name="uq_own_proposal_decisions_key"),
    sa.CheckConstraint("decision IN ('overgenomen', 'afgewezen')", name="ck_own_proposal_decisions_decision"),
)

USER_TABLES = [schema_migrations, targets, participation, uploads, change_log, decks, proposal_decisions,
               target_comparison_groups, own_indicators, own_values, own_targets, own_proposal_decisions]

# Tables of ``user_metadata`` that are operational, not programme data (jobs, sign-in attempts, …): they are not
# backed up or restored (wijkmonitor/backup.py). Other tables add themselves here.
OPERATIONAL_TABLES: list[sa.Table] = []

# The tables that existed before migration 5, in the statistics file (SQLite) or the default schema (PostgreSQL).
_LEGACY_TABLES = ("schema_migrations", "targets", "participation", "uploads", "change_log", "decks",
                  "proposal_decisions", "target_comparison_groups")


def _schema(conn: sa.Connection) -> str | None:
    """Where migrations 1-4 create and alter tables: the programme schema, or (while an old database is brought
    up to version 4 before migration 5 moves it) the default schema."""
    return conn.info.get("wijkmonitor_user_schema", PROGRAMME_SCHEMA)
# added in migration 6: sign-in of editors with a password. Operational, not programme data: shared by every
# replica (throttle counters, log of sign-ins) but never backed up or restored — losing them loses no work.
sign_in_throttle = sa.Table(
    "sign_in_throttle",
    user_metadata,
    sa.Column("key", sa.String(80), primary_key=True),  # "account:<sha256 of the name>" | "client:<sha256>"
    sa.Column("failures", sa.Integer, nullable=False),  # failed attempts since window_start
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
)

sign_ins = sa.Table(
    "sign_ins",
    user_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),  # an account name, or "(onbekende naam)" (loaders/signin.py)
    sa.Column("method", sa.String(20), nullable=False),  # wachtwoord | oidc
    sa.Column("outcome", sa.String(20), nullable=False),  # gelukt | mislukt | geblokkeerd
    sa.Column("client", sa.String(100), nullable=False),  # client address as seen (loaders/signin.py)
    sa.Column("replica", sa.String(200), nullable=False),  # host name and process id of the app that answered
    sa.CheckConstraint("outcome IN ('gelukt', 'mislukt', 'geblokkeerd')", name="ck_sign_ins_outcome"),
)

# Tables in user_metadata that are not programme data: every replica shares them, no backup carries them.
OPERATIONAL_TABLES.extend([sign_in_throttle, sign_ins])

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
OPERATIONAL_TABLES.append(jobs)


def _m1_initial(conn: sa.Connection) -> None:
    """Targets without milestones (the first release), participation, uploads, change log."""
    where = _schema(conn)
    md = sa.MetaData()
    cols = [c._copy() for c in targets.columns if c.name != "milestones"]
    sa.Table("targets", md, *cols, schema=where)
    for t in (participation, uploads, change_log):
        t.to_metadata(md, schema=where)
    md.create_all(conn, checkfirst=True)


def _m2_target_milestones(conn: sa.Connection) -> None:
    """Interim milestones on targets: a column added in place, existing targets kept."""
    where = _schema(conn)
    existing = {c["name"] for c in sa.inspect(conn).get_columns("targets", schema=where)}
    if "milestones" not in existing:
        name = conn.dialect.identifier_preparer.format_table(targets.to_metadata(sa.MetaData(), schema=where))
        conn.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN milestones TEXT")


def _m3_decks(conn: sa.Connection) -> None:
    """Saved presentations (choice and order of slides) for the presentation mode."""
    md = sa.MetaData()
    decks.to_metadata(md, schema=_schema(conn))
    md.create_all(conn, checkfirst=True)


def _m4_proposals(conn: sa.Connection) -> None:
    """Decisions on target proposals and the frozen comparison group of adopted targets (new tables only)."""
    md = sa.MetaData()
    proposal_decisions.to_metadata(md, schema=_schema(conn))
    target_comparison_groups.to_metadata(md, schema=_schema(conn))
    md.create_all(conn, checkfirst=True)


def _legacy_tables(conn: sa.Connection) -> list[str]:
    """User tables still in the statistics file / default schema (a database made before migration 5)."""
    insp = sa.inspect(conn)
    return [t for t in _LEGACY_TABLES if insp.has_table(t, schema=insp.default_schema_name)]


def _legacy(table: sa.Table, conn: sa.Connection) -> sa.Table:
    """The table as it stood before migration 5 (columns as found, in the default schema)."""
    insp = sa.inspect(conn)
    found = {c["name"] for c in insp.get_columns(table.name, schema=insp.default_schema_name)}
    return sa.Table(table.name, sa.MetaData(), *[c._copy() for c in table.columns if c.name in found],
                    schema=insp.default_schema_name)


def _drop_moved_copies(conn: sa.Connection, names: list[str]) -> None:
    """SQLite, after migration 5 committed: drop the old copies in the statistics file, each only when every one
    of its rows is in the programme file (an older statistics file put back by hand is never emptied)."""
    by_name = {t.name: t for t in USER_TABLES}
    q = conn.dialect.identifier_preparer.quote
    for name in names:
        old = _legacy(by_name[name], conn)
        cols = [c.name for c in old.columns]
        new = by_name[name]
        extra = conn.execute(sa.select(sa.func.count()).select_from(
            sa.select(*[old.c[c] for c in cols]).except_(sa.select(*[new.c[c] for c in cols])).subquery())).scalar()
        if not extra:
            conn.exec_driver_sql(f"DROP TABLE main.{q(name)}")


def _m5_apart(conn: sa.Connection) -> None:
    """Programme data apart from the statistics: the user tables move, every row and id kept, into the schema
    ``programma`` (PostgreSQL: ALTER TABLE … SET SCHEMA, sequences move along; SQLite: copied into the attached
    programme file). On SQLite the old copies in the statistics file are dropped by the next migration run, in a
    later transaction: in WAL mode a transaction over two files is atomic per file only, and dropping them in the
    same transaction could, on a power loss, keep the drop and lose the copy."""
    legacy = [t for t in _legacy_tables(conn) if t != "schema_migrations"]
    by_name = {t.name: t for t in USER_TABLES}
    if conn.dialect.name == "postgresql":
        q = conn.dialect.identifier_preparer.quote
        default = sa.inspect(conn).default_schema_name
        for name in legacy:
            if not sa.inspect(conn).has_table(name, schema=PROGRAMME_SCHEMA):
                conn.exec_driver_sql(f"ALTER TABLE {q(default)}.{q(name)} SET SCHEMA {q(PROGRAMME_SCHEMA)}")
        return
    for name in legacy:
        new = by_name[name]
        new.create(conn, checkfirst=True)
        old = _legacy(new, conn)
        cols = [c.name for c in old.columns]
        conn.execute(new.delete())
        conn.execute(new.insert().from_select(cols, sa.select(*[old.c[c] for c in cols])))
def _m6_sign_ins(conn: sa.Connection) -> None:
    """Throttle counters for password sign-in and the log of sign-ins (new tables only)."""
    md = sa.MetaData()
    sign_in_throttle.to_metadata(md)
    sign_ins.to_metadata(md)
    md.create_all(conn, checkfirst=True)


def _m8_own_indicators(conn: sa.Connection) -> None:
    """The programme's own indicators and their values (new tables only)."""
    md = sa.MetaData()
    own_indicators.to_metadata(md)
    own_values.to_metadata(md)
    md.create_all(conn, checkfirst=True)


def _m7_jobs(conn: sa.Connection) -> None:
    """The jobs table (refresh as a job, one active refresh across all replicas); a new table only."""
    md = sa.MetaData()
    jobs.to_metadata(md)
    md.create_all(conn, checkfirst=True)


def _m9_own_targets(conn: sa.Connection) -> None:
    """Targets on own indicators and the decisions on their target proposals (new tables only)."""
    md = sa.MetaData()
    own_targets.to_metadata(md)
    own_proposal_decisions.to_metadata(md)
    md.create_all(conn, checkfirst=True)


# (version, description, function) — append only; never edit a released migration.
MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "doelen, participatie, uploads en wijzigingslog", _m1_initial),
    (2, "tussendoelen (milestones) bij doelen", _m2_target_milestones),
    (3, "opgeslagen presentaties (decks)", _m3_decks),
    (4, "besluiten over doelvoorstellen en bevroren vergelijkingsgroepen", _m4_proposals),
    (5, "programmagegevens apart van de statistiek (eigen bestand of schema)", _m5_apart),
    (6, "aanmeldingen van redacteuren: pogingenteller en aanmeldlog", _m6_sign_ins),
    (7, "taken (verversing bij CBS als taak, één tegelijk)", _m7_jobs),
    (8, "eigen metingen: indicatoren en waarden", _m8_own_indicators),
    (9, "doelen en doelvoorstellen op eigen metingen", _m9_own_targets),
]
APART = 5  # the migration that moved the user tables into PROGRAMME_SCHEMA


def ensure_programme_schema(conn: sa.Connection) -> None:
    """The schema exists: created on PostgreSQL, attached on SQLite (by loaders.db for every connection)."""
    if conn.dialect.name == "postgresql":
        if not sa.inspect(conn).has_schema(PROGRAMME_SCHEMA):
            quoted = conn.dialect.identifier_preparer.quote(PROGRAMME_SCHEMA)
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
    elif conn.dialect.name == "sqlite":
        attached = {r[1] for r in conn.exec_driver_sql("PRAGMA database_list")}
        if PROGRAMME_SCHEMA not in attached:
            raise RuntimeError("het programmabestand is niet gekoppeld (gebruik loaders.db voor de verbinding)")


def migrate_user_tables(conn: sa.Connection, up_to: int | None = None) -> list[int]:
    """Apply pending migrations inside the caller's transaction; returns the versions applied.

    A database made before migration 5 (user tables in the statistics file / default schema) is first brought
    up to version 4 where it is, then moved by migration 5; its version history moves along."""
    ensure_programme_schema(conn)
    insp = sa.inspect(conn)
    new_layout = insp.has_table(schema_migrations.name, schema=PROGRAMME_SCHEMA)
    legacy = _legacy_tables(conn)
    applied: list[int] = []
    if new_layout and legacy and conn.dialect.name == "sqlite":
        done = {r[0] for r in conn.execute(sa.select(schema_migrations.c.version))}
        if APART in done:  # moved in an earlier, committed transaction: the old copies go now
            _drop_moved_copies(conn, legacy)
    elif not new_layout and "schema_migrations" in legacy:
        conn.info["wijkmonitor_user_schema"] = None
        try:
            old = schema_migrations.to_metadata(sa.MetaData(), schema=None)
            done = {r[0] for r in conn.execute(sa.select(old.c.version))}
            for version, desc, fn in MIGRATIONS:
                if version < APART and version not in done and (up_to is None or version <= up_to):
                    fn(conn)
                    conn.execute(old.insert().values(version=version, description=desc))
                    applied.append(version)
        finally:
            conn.info.pop("wijkmonitor_user_schema", None)
        if up_to is not None and up_to < APART:
            return applied
        if conn.dialect.name == "postgresql":
            q = conn.dialect.identifier_preparer.quote
            conn.exec_driver_sql(f"ALTER TABLE {q(insp.default_schema_name)}.schema_migrations "
                                 f"SET SCHEMA {q(PROGRAMME_SCHEMA)}")
        else:
            schema_migrations.create(conn)
            cols = [c.name for c in schema_migrations.columns]
            conn.execute(schema_migrations.insert().from_select(cols, sa.select(*[old.c[c] for c in cols])))
    schema_migrations.create(conn, checkfirst=True)
    done = {r[0] for r in conn.execute(sa.select(schema_migrations.c.version))}
    for version, desc, fn in MIGRATIONS:
        if version in done or (up_to is not None and version > up_to):
            continue
        fn(conn)
        conn.execute(schema_migrations.insert().values(version=version, description=desc))
        applied.append(version)
    return applied


def schema_version(conn: sa.Connection) -> int:
    """The highest migration applied to the programme tables (0: none)."""
    if not sa.inspect(conn).has_table(schema_migrations.name, schema=PROGRAMME_SCHEMA):
        return 0
    return int(conn.execute(sa.select(sa.func.max(schema_migrations.c.version))).scalar() or 0)
