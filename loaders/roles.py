"""PostgreSQL roles and database for a deployment: an owner that builds, a reader that views.

:func:`setup_database` (``python -m wijkmonitor rollen``), run with a superuser / admin URL, creates

- the **owner** role (LOGIN, no superuser/createdb/createrole): it owns the database and the schemas ``public``
  and ``programma``, so it can (re)build every table; the app's ``DATABASE_URL``;
- the **database**, owned by the owner, with CONNECT revoked from PUBLIC;
- the **reader** role (``WIJKMONITOR_READONLY_DATABASE_URL``): CONNECT, USAGE on both schemas, SELECT on every
  existing table, and ``ALTER DEFAULT PRIVILEGES FOR ROLE <owner>`` so the tables the owner recreates on every
  rebuild are readable too. Default privileges belong to the role that creates the tables: granted by anybody
  else they do not apply to the owner's tables — which is why the reader must be set up *for the owner*.

It is idempotent: run it again to change a password or to repair grants; tables in the two schemas owned by
another role (e.g. an earlier build as ``postgres``) are handed to the owner.

Identifiers cannot be bound parameters, so names are checked against a strict pattern and quoted; passwords go
into ``ALTER ROLE … PASSWORD`` through a server-side ``format('%L')`` of a bound value.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

import sqlalchemy as sa

from . import migrations
from .db import get_engine

ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
MIN_PASSWORD = 12
# statistics; programme data (its own schema on PostgreSQL, loaders.migrations.PROGRAMME_SCHEMA)
SCHEMAS = ("public", migrations.PROGRAMME_SCHEMA)


def check_name(name: str, what: str = "rolnaam") -> str:
    if not ROLE_RE.match(name or ""):
        raise ValueError(f"ongeldige {what} {name!r}: alleen kleine letters, cijfers en _ (begint niet met een cijfer)")
    return name


def check_password(password: str, role: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"het wachtwoord voor rol {role!r} is te kort: kies minstens {MIN_PASSWORD} tekens "
                         f"(nu {len(password or '')})")
    return password


def database_url(server_url: str, user: str, password: str, database: str, host: str | None = None) -> str:
    """A psycopg URL for ``user`` on the server of ``server_url``, with the password URL-encoded (every
    character but letters, digits and ``-._~`` as %XX, so it is also safe in a systemd EnvironmentFile)."""
    u = sa.engine.make_url(server_url)
    netloc = (host or u.host or "127.0.0.1") + (f":{u.port}" if u.port else "")
    auth = urllib.parse.quote(user, safe="") + ":" + urllib.parse.quote(password, safe="")
    return f"postgresql+psycopg://{auth}@{netloc}/{urllib.parse.quote(database, safe='')}"


@dataclass(frozen=True)
class Setup:
    owner_url: str
    reader_url: str
    actions: tuple[str, ...]


def _set_password(conn: sa.Connection, role: str, password: str) -> None:
    stmt = conn.execute(sa.text("SELECT format('ALTER ROLE %I PASSWORD %L', CAST(:r AS text), CAST(:p AS text))"),
                        {"r": role, "p": password}).scalar_one()
    # exec_driver_sql hands psycopg a parameter list, so a % in the quoted password must be doubled
    conn.exec_driver_sql(stmt.replace("%", "%%"))


def _ensure_login_role(conn: sa.Connection, role: str, password: str | None, actions: list[str]) -> None:
    q = conn.dialect.identifier_preparer.quote
    if not conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
        conn.exec_driver_sql(f"CREATE ROLE {q(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        actions.append(f"rol {role} aangemaakt")
    else:
        conn.exec_driver_sql(f"ALTER ROLE {q(role)} LOGIN")
    if password is not None:
        _set_password(conn, role, password)
        actions.append(f"wachtwoord van {role} gezet")


def _grant_reader(conn: sa.Connection, database: str, owner: str, reader: str, actions: list[str]) -> None:
    """Schemas (created when absent, owned by ``owner``), USAGE + SELECT now and by default for ``owner``'s
    future tables. Runs inside the target database."""
    q = conn.dialect.identifier_preparer.quote
    conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {q(database)} TO {q(reader)}")
    for schema in SCHEMAS:
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {q(schema)} AUTHORIZATION {q(owner)}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {q(schema)} TO {q(reader)}")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {q(schema)} TO {q(reader)}")
        conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA {q(schema)} "
                             f"GRANT SELECT ON TABLES TO {q(reader)}")
    actions.append(f"{reader}: CONNECT, USAGE en SELECT op {', '.join(SCHEMAS)} (ook op tabellen die {owner} "
                   "later aanmaakt)")


def setup_database(admin_url: str, database: str, owner: str, owner_password: str | None, reader: str,
                   reader_password: str | None, app_host: str | None = None) -> Setup:
    """Owner role, database (owned by the owner, schemas public and programma owned by it) and reader role.

    ``admin_url``: a superuser (or a role with CREATEROLE and CREATEDB) on any database of the server, e.g.
    ``postgresql+psycopg://postgres@127.0.0.1/postgres``. A password ``None`` keeps the role's current one.
    """
    check_name(database, "databasenaam")
    check_name(owner)
    check_name(reader)
    if owner == reader:
        raise ValueError("eigenaar en lezer moeten verschillende rollen zijn")
    for role, pw in ((owner, owner_password), (reader, reader_password)):
        if pw is not None:
            check_password(pw, role)
    if sa.engine.make_url(admin_url).get_backend_name() != "postgresql":
        raise ValueError("rollen en een aparte leesrol bestaan alleen in PostgreSQL")
    actions: list[str] = []
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE: no transaction
    try:
        with admin.connect() as conn:
            q = conn.dialect.identifier_preparer.quote
            _ensure_login_role(conn, owner, owner_password, actions)
            _ensure_login_role(conn, reader, reader_password, actions)
            current = conn.execute(sa.text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :d"),
                                   {"d": database}).scalar()
            if current is None:
                conn.exec_driver_sql(f"CREATE DATABASE {q(database)} OWNER {q(owner)} ENCODING 'UTF8' TEMPLATE template0")
                actions.append(f"database {database} aangemaakt (eigenaar {owner})")
            elif current != owner:
                conn.exec_driver_sql(f"ALTER DATABASE {q(database)} OWNER TO {q(owner)}")
                actions.append(f"eigenaar van database {database}: {current} → {owner}")
            conn.exec_driver_sql(f"REVOKE CONNECT, TEMPORARY ON DATABASE {q(database)} FROM PUBLIC")
    finally:
        admin.dispose()
    in_db = sa.create_engine(sa.engine.make_url(admin_url).set(database=database), isolation_level="AUTOCOMMIT")
    try:
        with in_db.connect() as conn:
            q = conn.dialect.identifier_preparer.quote
            conn.exec_driver_sql(f"ALTER SCHEMA public OWNER TO {q(owner)}")
            conn.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            for schema in SCHEMAS:
                conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {q(schema)} AUTHORIZATION {q(owner)}")
                conn.exec_driver_sql(f"ALTER SCHEMA {q(schema)} OWNER TO {q(owner)}")
                foreign = conn.execute(sa.text(
                    "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                    "AND pg_get_userbyid(c.relowner) <> :o AND NOT EXISTS ("
                    "  SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))"),
                    {"s": schema, "o": owner}).all()
                for name, kind in foreign:
                    what = {"v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}.get(kind, "TABLE")
                    conn.exec_driver_sql(f"ALTER {what} {q(schema)}.{q(name)} OWNER TO {q(owner)}")
                if foreign:
                    actions.append(f"{len(foreign)} tabellen in {schema} overgedragen aan {owner}")
            _grant_reader(conn, database, owner, reader, actions)
    finally:
        in_db.dispose()
    return Setup(owner_url=database_url(admin_url, owner, owner_password or "WACHTWOORD", database, app_host),
                 reader_url=database_url(admin_url, reader, reader_password or "WACHTWOORD", database, app_host),
                 actions=tuple(actions))


def create_readonly_role(admin_url: str, role: str, password: str, schema: str | None = None,
                         owner: str | None = None) -> None:
    """A reader for the database of ``admin_url`` whose tables are created by ``owner`` (default: the role of
    ``admin_url`` itself, i.e. run it with the URL of the role that builds). Grants on ``public`` and
    ``programma`` (created when absent), or only on ``schema`` when given. Prefer :func:`setup_database`."""
    check_name(role)
    check_password(password, role)
    eng = get_engine(admin_url)
    if eng.dialect.name != "postgresql":
        raise ValueError("een aparte leesrol bestaat alleen in PostgreSQL")
    q = eng.dialect.identifier_preparer.quote
    schemas = (schema,) if schema else SCHEMAS
    with eng.begin() as conn:
        _ensure_login_role(conn, role, password, [])
        owner = check_name(owner) if owner else conn.execute(sa.text("SELECT current_user")).scalar_one()
        db = conn.execute(sa.text("SELECT current_database()")).scalar_one()
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {q(db)} TO {q(role)}")
        for s in schemas:
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {q(s)}")
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {q(s)} TO {q(role)}")
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {q(s)} TO {q(role)}")
            conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA {q(s)} "
                                 f"GRANT SELECT ON TABLES TO {q(role)}")
