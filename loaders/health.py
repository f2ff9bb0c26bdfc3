"""Is the database ready to serve? (``python -m wijkmonitor health`` and the HTTP health check.)

Checked, each through a *new* connection (a pooled one would survive a revoked login or a restart that the
next visitor's connection does not):

1. the writer (``DATABASE_URL``) connects;
2. every migration of :data:`loaders.migrations.MIGRATIONS` is recorded (programme data is migrated);
3. the statistics are built and the metric store is computed (``build_info``);
4. the reader (``WIJKMONITOR_READONLY_DATABASE_URL``, when set) connects and may SELECT every table in the
   schemas the app reads — the outage after a rebuild with wrong default privileges shows up here.

:func:`problems` returns Dutch sentences (empty list: healthy). With ``detail=False`` they name no host, user or
table, for an answer that leaves the building (the HTTP check behind nginx).
"""
from __future__ import annotations

import sqlalchemy as sa

from . import migrations, schema
from .db import DatabaseUnavailable, connect, get_engine, redact

READ_SCHEMAS = ("public", getattr(migrations, "PROGRAMME_SCHEMA", "programma"))
BUILD_HINT = "voer `python -m wijkmonitor build` uit"


def _fresh(url: str) -> None:
    """Drop the pooled connections of ``url`` so the next check really connects."""
    get_engine(url).dispose()


def _writer_problems(url: str, detail: bool) -> list[str]:
    where = f" ({redact(url)})" if detail else ""
    try:
        with connect(url) as conn:
            insp = sa.inspect(conn)
            mig = migrations.schema_migrations
            if not insp.has_table(mig.name, schema=mig.schema):
                return [f"De database{where} is niet gemigreerd: de programmagegevens ontbreken ({BUILD_HINT})."]
            done = {r[0] for r in conn.execute(sa.select(mig.c.version))}
            missing = [v for v, _, _ in migrations.MIGRATIONS if v not in done]
            out = []
            if missing:
                out.append(f"De database{where} is niet bijgewerkt: migratie "
                           f"{', '.join(map(str, missing))} is nog niet uitgevoerd ({BUILD_HINT}).")
            bi = schema.build_info
            if not insp.has_table(bi.name, schema=bi.schema):
                return out + [f"De database{where} is nog niet gebouwd: er zijn geen statistieken ({BUILD_HINT})."]
            info = dict(conn.execute(sa.select(bi.c.key, bi.c.value)).all())
            if not info.get("built_at"):
                out.append(f"De database{where} is nog niet gebouwd: er zijn geen statistieken ({BUILD_HINT}).")
            elif info.get("metric_store") != "berekend":
                out.append(f"De database{where} heeft geen berekende cijfers (metric store: "
                           f"{info.get('metric_store', 'ontbreekt')}; {BUILD_HINT}).")
            return out
    except DatabaseUnavailable as exc:
        return [str(exc) if detail else "De database is niet bereikbaar."]
    except sa.exc.DBAPIError as exc:
        return [f"De database{where} antwoordt met een fout: {type(exc.orig).__name__}." if detail
                else "De database antwoordt met een fout."]
    except RuntimeError as exc:  # the single door's other database errors (their text is Dutch and safe)
        return [str(exc) if detail else "De database antwoordt met een fout."]


def _reader_problems(url: str, detail: bool) -> list[str]:
    where = f" ({redact(url)})" if detail else ""
    try:
        with connect(url) as conn:
            denied = [r[0] for r in conn.execute(sa.text(
                "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname IN :schemas AND c.relkind IN ('r', 'p', 'v', 'm') "
                "AND NOT has_table_privilege(c.oid, 'SELECT') ORDER BY 1").bindparams(
                sa.bindparam("schemas", expanding=True)), {"schemas": list(READ_SCHEMAS)})]
            schemas_denied = [r[0] for r in conn.execute(sa.text(
                "SELECT nspname FROM pg_namespace WHERE nspname IN :schemas AND NOT has_schema_privilege(oid, 'USAGE') "
                "ORDER BY 1").bindparams(sa.bindparam("schemas", expanding=True)), {"schemas": list(READ_SCHEMAS)})]
    except DatabaseUnavailable as exc:
        return [f"De leesrol kan niet verbinden{where}." + (f" {exc}" if detail else "")]
    except sa.exc.DBAPIError as exc:
        return [f"De leesrol krijgt een fout{where}: {type(exc.orig).__name__}."]
    except RuntimeError as exc:  # the single door's other database errors
        return [f"De leesrol krijgt een fout{where}" + (f": {exc}" if detail else ".")]
    out = []
    if schemas_denied:
        out.append(f"De leesrol mag schema {', '.join(schemas_denied)} niet gebruiken{where} "
                   "(voer `python -m wijkmonitor rollen` opnieuw uit).")
    if denied:
        names = (": " + ", ".join(denied[:8]) + (" …" if len(denied) > 8 else "")) if detail else ""
        out.append(f"De leesrol mag {len(denied)} tabel(len) niet lezen{names} "
                   "(voer `python -m wijkmonitor rollen` opnieuw uit).")
    return out


def problems(url: str, reader_url: str | None = None, detail: bool = True) -> list[str]:
    """What keeps the database from serving the app; an empty list when it is healthy."""
    _fresh(url)
    try:
        found = _writer_problems(url, detail)
    finally:
        _fresh(url)
    if reader_url and reader_url != url and get_engine(reader_url).dialect.name == "postgresql":
        _fresh(reader_url)
        try:
            found += _reader_problems(reader_url, detail)
        finally:
            _fresh(reader_url)
    return found
