"""Schema of the tables that hold user-entered data, migrated in place and never dropped.

A rebuild of the statistics calls :func:`migrate_user_tables`, which only creates missing tables
and adds missing columns (recorded in ``schema_migrations``).
"""
from __future__ import annotations

import sqlalchemy as sa

user_metadata = sa.MetaData()

schema_migrations = sa.Table(
    "schema_migrations",
    user_metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
)

USER_TABLES = [schema_migrations]

# (version, description, callable(conn)) — append only.
MIGRATIONS: list[tuple[int, str, object]] = []


def migrate_user_tables(conn: sa.Connection) -> None:
    user_metadata.create_all(conn, tables=USER_TABLES)
    done = {r[0] for r in conn.execute(sa.select(schema_migrations.c.version))}
    for version, desc, fn in MIGRATIONS:
        if version not in done:
            fn(conn)  # type: ignore[operator]
            conn.execute(schema_migrations.insert().values(version=version, description=desc))
