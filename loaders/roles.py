"""PostgreSQL read-only role for viewing (WIJKMONITOR_READONLY_DATABASE_URL).

The role may SELECT every current and future table in the schema (default privileges, so tables recreated by a
rebuild stay readable) and nothing else. Identifiers cannot be bound parameters, so the role name is checked
against a strict pattern and quoted; the password is passed as a bound literal via format() server-side.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from .db import get_engine
from .migrations import PROGRAMME_SCHEMA

ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def create_readonly_role(admin_url: str, role: str, password: str, schema: str = "public") -> None:
    if not ROLE_RE.match(role):
        raise ValueError("ongeldige rolnaam (kleine letters, cijfers en _)")
    if len(password) < 12:
        raise ValueError("kies een wachtwoord van minstens 12 tekens")
    eng = get_engine(admin_url)
    if eng.dialect.name != "postgresql":
        raise ValueError("een aparte leesrol bestaat alleen in PostgreSQL")
    q = eng.dialect.identifier_preparer.quote
    with eng.begin() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {q(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        stmt = conn.execute(sa.text("SELECT format('ALTER ROLE %I PASSWORD %L', CAST(:r AS text), CAST(:p AS text))"),
                            {"r": role, "p": password}).scalar_one()
        conn.exec_driver_sql(stmt)
        db = conn.execute(sa.text("SELECT current_database()")).scalar_one()
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {q(db)} TO {q(role)}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {q(schema)} TO {q(role)}")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {q(schema)} TO {q(role)}")
        conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {q(schema)} GRANT SELECT ON TABLES TO {q(role)}")
        # the programme data (loaders.migrations.PROGRAMME_SCHEMA) is read by the viewing pages too
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {q(PROGRAMME_SCHEMA)}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {q(PROGRAMME_SCHEMA)} TO {q(role)}")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {q(PROGRAMME_SCHEMA)} TO {q(role)}")
        conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {q(PROGRAMME_SCHEMA)} GRANT SELECT ON TABLES "
                             f"TO {q(role)}")
