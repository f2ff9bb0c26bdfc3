"""The SQL schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Statistics tables are rebuilt by ``python -m loaders build``. Tables holding user-entered data
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
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("level", sa.String(10), nullable=False),  # land | gemeente | wijk | buurt
    sa.Column("parent_code", sa.String(12), nullable=True),
    sa.Column("gemeente_code", sa.String(6), nullable=True),
    sa.Column("indeling_year", sa.Integer, nullable=False),
    sa.CheckConstraint("level IN ('land','gemeente','wijk','buurt')", name="ck_areas_level"),
)
sa.Index("ix_areas_gemeente", areas.c.gemeente_code, areas.c.level)

# Code and name of an area as each source (indeling year) knows it: keeps renames and code changes.
area_versions = sa.Table(
    "area_versions",
    metadata,
    sa.Column("code", sa.String(12), nullable=False),
    sa.Column("indeling_year", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("source_key", sa.String(80), sa.ForeignKey("sources.source_key"), nullable=False),
    sa.PrimaryKeyConstraint("code", "indeling_year", "source_key"),
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
)

variables = sa.Table(
    "variables",
    metadata,
    sa.Column("code", sa.String(80), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("unit", sa.String(60), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
)

# Long form: one row per area, year, variable, age group and source. value NULL = missing or
# suppressed (see status), never 0.
observations = sa.Table(
    "observations",
    metadata,
    sa.Column("area_code", sa.String(12), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("variable_code", sa.String(80), sa.ForeignKey("variables.code"), nullable=False),
    sa.Column("age_group", sa.String(10), nullable=False),  # 'totaal', '18+', '18-64', '65+'
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("status", sa.String(12), nullable=False),  # 'ok' | 'geheim' | 'ontbreekt'
    sa.Column("source_key", sa.String(80), sa.ForeignKey("sources.source_key"), nullable=False),
    sa.PrimaryKeyConstraint("variable_code", "age_group", "year", "area_code", "source_key"),
    sqlite_with_rowid=False,  # rows live in the primary-key b-tree: half the file size
)
# Created after the bulk insert (see loaders.build.write).
OBS_AREA_INDEX = sa.Index("ix_obs_area", observations.c.area_code)

build_info = sa.Table(
    "build_info",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

STAT_TABLES = [sources, areas, area_versions, area_groups, area_group_members, geometries,
               variables, observations, build_info]
