"""The SQL schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Statistics tables are rebuilt by ``python -m wijkmonitor build``. Tables holding user-entered data
(targets, programme figures, change log) live in :data:`USER_TABLES` and are never dropped
by a rebuild; their schema is migrated in :mod:`loaders.migrations`.
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("source_key", sa.String(80), primary_key=True),
    sa.Column("source_id", sa.SmallInteger, nullable=False, unique=True),  # compact key in observations
    sa.Column("publisher", sa.Text, nullable=False),
    sa.Column("table_id", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("licence", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("notes", sa.Text, nullable=True),
)

areas = sa.Table(
    "areas",
    metadata,
    sa.Column("code", sa.String(12), primary_key=True),
    sa.Column("area_id", sa.Integer, nullable=False, unique=True),  # compact key in observations
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("level", sa.String(10), nullable=False),  # land | gemeente | wijk | buurt
    sa.Column("parent_code", sa.String(12), nullable=True),
    sa.Column("gemeente_code", sa.String(6), nullable=True),
    sa.Column("indeling_year", sa.Integer, nullable=False),
    sa.CheckConstraint("level IN ('land','gemeente','wijk','buurt')", name="ck_areas_level"),
)
sa.Index("ix_areas_gemeente", areas.c.gemeente_code, areas.c.level)

# Code and name of an area as each source (indeling year) knows it: keeps renames and code changes.
# The rows live in the primary-key b-tree (WITHOUT ROWID on SQLite): a rowid table kept a second copy of nearly
# every row in the primary key's index (1.6 MB of the embedded database).
area_versions = sa.Table(
    "area_versions",
    metadata,
    sa.Column("code", sa.String(12), nullable=False),
    sa.Column("indeling_year", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("source_key", sa.String(80), sa.ForeignKey("sources.source_key"), nullable=False),
    sa.PrimaryKeyConstraint("code", "indeling_year", "source_key"),
    sqlite_with_rowid=False,
)

area_groups = sa.Table(
    "area_groups",
    metadata,
    sa.Column("group_code", sa.String(40), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
)

area_group_members = sa.Table(
    "area_group_members",
    metadata,
    sa.Column("group_code", sa.String(40), sa.ForeignKey("area_groups.group_code"), nullable=False),
    sa.Column("area_code", sa.String(12), sa.ForeignKey("areas.code"), nullable=False),
    sa.PrimaryKeyConstraint("group_code", "area_code"),
)

geometries = sa.Table(
    "geometries",
    metadata,
    sa.Column("area_code", sa.String(12), nullable=False),
    sa.Column("indeling_year", sa.Integer, nullable=False),
    sa.Column("geojson", sa.Text, nullable=False),  # GeoJSON geometry, WGS84, rounded
    sa.Column("label_lon", sa.Float, nullable=True),
    sa.Column("label_lat", sa.Float, nullable=True),
    sa.Column("source_key", sa.String(80), sa.ForeignKey("sources.source_key"), nullable=False),
    sa.PrimaryKeyConstraint("area_code", "indeling_year"),
    # in the primary-key b-tree, no separate key index (the shapes are at most ~1 KB: no overflow pages)
    sqlite_with_rowid=False,
)

variables = sa.Table(
    "variables",
    metadata,
    sa.Column("code", sa.String(80), primary_key=True),
    sa.Column("variable_id", sa.SmallInteger, nullable=False, unique=True),  # compact key in observations
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("unit", sa.String(60), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
)

age_groups = sa.Table(
    "age_groups",
    metadata,
    sa.Column("age_id", sa.SmallInteger, primary_key=True),
    sa.Column("code", sa.String(10), nullable=False, unique=True),  # 'totaal', '18+', '18-64', '65+'
)
AGE_GROUP_IDS = {"totaal": 0, "18+": 1, "18-64": 2, "65+": 3}

# status of an observation, stored as a small integer
STATUS_IDS = {"ok": 0, "geheim": 1, "ontbreekt": 2}

# The raw store. Long form with integer keys: one row per variable, age group, year, area and source.
# value NULL = missing or suppressed (see status), never 0. The rows live in the primary-key b-tree
# (WITHOUT ROWID on SQLite) and there is no other index: readers go through the primary key's prefix
# (variable, age group, year), the only access path the build and the national views need.
# Writes go through loaders.store only.
observations = sa.Table(
    "observations",
    metadata,
    sa.Column("variable_id", sa.SmallInteger, nullable=False),
    sa.Column("age_id", sa.SmallInteger, nullable=False),
    sa.Column("year", sa.SmallInteger, nullable=False),
    sa.Column("area_id", sa.Integer, nullable=False),
    sa.Column("source_id", sa.SmallInteger, nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("status", sa.SmallInteger, nullable=False),  # STATUS_IDS
    sa.PrimaryKeyConstraint("variable_id", "age_id", "year", "area_id", "source_id"),
    sqlite_with_rowid=False,
)

# Read view with the text keys (area_code, variable_code, age_group, status, source_key), for the few
# build-time readers (boundary detection, superseding of refreshed cells, the metric-store computation).
OBSERVATION_ROWS_VIEW = """
CREATE VIEW observation_rows AS
SELECT a.code AS area_code, o.year AS year, v.code AS variable_code, g.code AS age_group, o.value AS value,
       CASE o.status WHEN 0 THEN 'ok' WHEN 1 THEN 'geheim' ELSE 'ontbreekt' END AS status,
       s.source_key AS source_key
FROM observations o
JOIN variables v ON v.variable_id = o.variable_id
JOIN age_groups g ON g.age_id = o.age_id
JOIN areas a ON a.area_id = o.area_id
JOIN sources s ON s.source_id = o.source_id
"""
observation_rows = sa.table(
    "observation_rows",
    sa.column("area_code", sa.String), sa.column("year", sa.Integer), sa.column("variable_code", sa.String),
    sa.column("age_group", sa.String), sa.column("value", sa.Float), sa.column("status", sa.String),
    sa.column("source_key", sa.String),
)

# The national health table (50090NED) for the buurten and wijken outside the detail gemeenten: 3.6 million
# cells that are only ever read as whole columns (the national map, the profile match), stored wide: one row
# per area, year and age group, one REAL column per variable (named by its code), and `secret_id` naming the
# set of variables suppressed in that row (NULL: none; a NULL value not in the set is missing). The sets are
# rows of `national_health_secrets` (the variables, comma separated): the published file has a handful of
# distinct sets (a buurt suppressed as a whole), which as text on every row took 5 MB of the embedded database.
# Both tables are created by loaders.store.write_national.
NATIONAL_TABLE = "national_health"
NATIONAL_SECRETS_TABLE = "national_health_secrets"

national_secrets = sa.Table(
    NATIONAL_SECRETS_TABLE, sa.MetaData(),
    sa.Column("secret_id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("variables", sa.Text, nullable=False),
)


def national_table(variables, metadata_: sa.MetaData | None = None) -> sa.Table:
    return sa.Table(
        NATIONAL_TABLE, metadata_ or sa.MetaData(),
        sa.Column("area_id", sa.Integer, nullable=False),
        sa.Column("year", sa.SmallInteger, nullable=False),
        sa.Column("age_id", sa.SmallInteger, nullable=False),
        *[sa.Column(v, sa.Float, nullable=True) for v in variables],
        sa.Column("secret_id", sa.SmallInteger, nullable=True),  # national_secrets.secret_id
        sa.PrimaryKeyConstraint("year", "age_id", "area_id"),
        sqlite_with_rowid=False,
    )


# ---------------------------------------------------------------------------------------------- metric store
# Computed at build time (and after every refresh/import) by metrics.store from the raw store: every catalog
# metric for every area and year the app shows. Pages, exports, slides and the briefing read only this.
metric_values = sa.Table(
    "metric_values",
    metadata,
    sa.Column("metric_id", sa.String(60), nullable=False),
    sa.Column("area_code", sa.String(40), nullable=False),
    sa.Column("year", sa.SmallInteger, nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("status", sa.String(12), nullable=False),  # ok | geheim | ontbreekt
    sa.Column("method", sa.String(16), nullable=False),  # gepubliceerd | berekend | afgeleid | -
    sa.Column("sources", sa.Text, nullable=False),  # table ids, comma separated
    sa.Column("base_population", sa.Float, nullable=True),
    sa.Column("base_year", sa.SmallInteger, nullable=True),
    sa.Column("coverage", sa.Float, nullable=True),
    sa.Column("n_members", sa.Integer, nullable=True),
    sa.Column("n_with_value", sa.Integer, nullable=True),
    sa.Column("numerator", sa.Float, nullable=True),
    sa.Column("denominator", sa.Float, nullable=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("se", sa.Float, nullable=True),  # standard error of the value (metrics/margins.py)
    sa.PrimaryKeyConstraint("metric_id", "area_code", "year"),
    sqlite_with_rowid=False,
)

# Comparisons the cards need, computed with the values: change since the first measurement, and the
# position against the gemeente and Nederland in the same year (kind: change | compare).
metric_comparisons = sa.Table(
    "metric_comparisons",
    metadata,
    sa.Column("metric_id", sa.String(60), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("area_code", sa.String(40), nullable=False),
    sa.Column("year", sa.SmallInteger, nullable=False),
    sa.Column("ref_area", sa.String(40), nullable=False),
    sa.Column("ref_year", sa.SmallInteger, nullable=False),
    sa.Column("diff", sa.Float, nullable=True),
    sa.Column("threshold", sa.Float, nullable=True),
    sa.Column("meaningful", sa.Boolean, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("favourable", sa.Boolean, nullable=True),
    sa.PrimaryKeyConstraint("metric_id", "kind", "area_code", "year", "ref_area", "ref_year"),
    sqlite_with_rowid=False,
)

# Other precomputed results, one JSON document per key (e.g. the similar-buurten match per focus buurt and
# profile year, the latest period per source).
derived = sa.Table(
    "derived",
    metadata,
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("key", sa.String(80), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("kind", "key"),
)

# The programme's own measurements as figures (metrics.own.store_rows): computed from the programme data (its
# own file or schema, never dropped) at every upload and at every build, refresh and import, so a page reads them
# like the CBS metrics. ``shown`` is '' for a shown figure, '<10' (primary) or 'x' (secondary suppression), and
# then value, interval and base are NULL. The change is against the area's first shown period.
own_figures = sa.Table(
    "own_figures",
    metadata,
    sa.Column("indicator_id", sa.String(60), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("area_code", sa.String(40), nullable=False),
    sa.Column("periode", sa.String(7), nullable=False),
    sa.Column("sort_key", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("lower", sa.Float, nullable=True),
    sa.Column("upper", sa.Float, nullable=True),
    sa.Column("shown", sa.String(4), nullable=False),
    sa.Column("base", sa.Integer, nullable=True),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("ref_periode", sa.String(7), nullable=True),
    sa.Column("diff", sa.Float, nullable=True),
    sa.Column("threshold", sa.Float, nullable=True),
    sa.Column("meaningful", sa.Boolean, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("favourable", sa.Boolean, nullable=True),
    sa.PrimaryKeyConstraint("indicator_id", "area_code", "sort_key"),
    sqlite_with_rowid=False,
)

build_info = sa.Table(
    "build_info",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

STAT_TABLES = [sources, areas, area_versions, area_groups, area_group_members, geometries,
               variables, age_groups, observations, build_info]
STORE_TABLES = [metric_values, metric_comparisons, derived, own_figures]


# ---------------------------------------------------------------------------------------------- staging tables
# Kept outside the statistics tables (never dropped by a build), created on first use by loaders.refresh.
staging_metadata = sa.MetaData()

# Every applied refresh/import batch, kept outside the statistics tables so a rebuild cannot lose it.
staged_batches = sa.Table(
    "staged_batches",
    staging_metadata,
    sa.Column("source_key", sa.String(80), primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),  # refresh | import
    sa.Column("table_id", sa.String(20), nullable=False),
    sa.Column("modified", sa.Text, nullable=True),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("n_observations", sa.Integer, nullable=False),
    sa.Column("coverage", sa.Text, nullable=False),  # JSON list of code prefixes the batch lists completely
    sa.Column("payload", sa.LargeBinary, nullable=False),  # gzip JSON of the Batch
)

# Published 95% interval of an observation (50090NED/50120NED 'Marges'), keyed like observations.
observation_margins = sa.Table(
    "observation_margins",
    staging_metadata,
    sa.Column("area_code", sa.String(12), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("variable_code", sa.String(80), nullable=False),
    sa.Column("age_group", sa.String(10), nullable=False),
    sa.Column("source_key", sa.String(80), nullable=False),
    sa.Column("lower", sa.Float, nullable=True),
    sa.Column("upper", sa.Float, nullable=True),
    sa.PrimaryKeyConstraint("variable_code", "age_group", "year", "area_code", "source_key"),
)

