"""Backup and restore of the programme data (targets, decisions, participation, decks, change log, …).

A backup is a zip file with two members:

- ``manifest.json``: ``format`` (always :data:`FORMAT`), ``format_version``, ``schema_version`` (the highest
  migration applied when it was made), ``created_at`` (ISO, UTC), the row count per table and the SHA-256 and
  length of the payload;
- ``programma.json``: per table its column names and rows, as JSON values (datetimes as ISO 8601 in UTC).

It is portable between SQLite and PostgreSQL: :func:`restore` validates the whole file first (format, version,
checksum, every value against its column, every metric and area it refers to against the statistics of the
target database, every own indicator a target or decision names against the backup's own definitions) and then replaces the programme tables in ONE transaction, ids kept (PostgreSQL sequences are
set past the highest id). Any problem is a :class:`BackupError` with a Dutch message, and nothing changes.
Operational tables (:data:`loaders.migrations.OPERATIONAL_TABLES`) and the migration history are not part of a
backup: the target database is migrated to this code's version in the same transaction, and the own measurements'
figures of the metric store are recomputed from the restored values there too.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from loaders import schema as stat_schema
from loaders.db import DatabaseUnavailable, connect, transaction
from loaders.migrations import (MIGRATIONS, OPERATIONAL_TABLES, migrate_user_tables, schema_migrations,
                                schema_version, user_metadata)

FORMAT = "wijkmonitor-programmagegevens"
FORMAT_VERSION = 1
MANIFEST, PAYLOAD = "manifest.json", "programma.json"
MAX_BYTES = 200_000_000  # a programme backup is kilobytes to a few megabytes; anything far larger is not ours

# Columns that name a catalog metric, an area (buurt, wijk, gemeente or composite group) or a buurt.
METRIC_COLUMNS = {("targets", "metric_id"), ("proposal_decisions", "metric_id")}
AREA_COLUMNS = {("targets", "area_code"), ("proposal_decisions", "area_code"), ("participation", "buurt_code"),
                ("own_targets", "area_code"), ("own_proposal_decisions", "area_code")}
# Columns that name an own indicator's definition (indicator_id, version): it must be in the backup's own_indicators.
OWN_INDICATOR_COLUMNS = {("own_targets", "indicator_id", "indicator_version"),
                         ("own_proposal_decisions", "indicator_id", "indicator_version")}


class BackupError(ValueError):
    """The file cannot be restored (or no backup can be made); the message is Dutch and safe to show."""


@dataclass(frozen=True)
class Backup:
    manifest: dict[str, Any]
    tables: dict[str, dict[str, list]]  # name -> {"columns": [...], "rows": [[...], ...]}


def programme_tables() -> list[sa.Table]:
    """The tables a backup holds: every table of ``user_metadata`` except the migration history and the
    operational tables, in dependency order."""
    skip = {schema_migrations.name, *(t.name for t in OPERATIONAL_TABLES)}
    return [t for t in user_metadata.sorted_tables if t.name not in skip]


def latest_version() -> int:
    return max(v for v, _, _ in MIGRATIONS)


# ------------------------------------------------------------------------------------------------ values

def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every timestamp the application writes is UTC.
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def _decode(table: str, row: int, col: sa.Column, value: Any) -> Any:
    """A JSON value checked against its column; raises BackupError naming table, row and column."""
    where = f"tabel {table}, rij {row}, kolom {col.name}"
    if value is None:
        if not col.nullable:
            raise BackupError(f"De back-up is ongeldig: {where} is leeg maar verplicht.")
        return None
    t = col.type
    if isinstance(t, sa.DateTime):
        try:
            return _utc(dt.datetime.fromisoformat(str(value)))
        except ValueError:
            raise BackupError(f"De back-up is ongeldig: {where} is geen tijdstip.") from None
    if isinstance(t, sa.Date):
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise BackupError(f"De back-up is ongeldig: {where} is geen datum.") from None
    if isinstance(t, sa.Boolean):
        if not isinstance(value, bool):
            raise BackupError(f"De back-up is ongeldig: {where} is geen ja/nee-waarde.")
        return value
    if isinstance(t, sa.Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BackupError(f"De back-up is ongeldig: {where} is geen geheel getal.")
        return value
    if isinstance(t, (sa.Float, sa.Numeric)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BackupError(f"De back-up is ongeldig: {where} is geen getal.")
        return float(value)
    if isinstance(t, (sa.String, sa.Text)):
        if not isinstance(value, str):
            raise BackupError(f"De back-up is ongeldig: {where} is geen tekst.")
        if getattr(t, "length", None) and len(value) > t.length:
            raise BackupError(f"De back-up is ongeldig: {where} is langer dan {t.length} tekens.")
        return value
    if isinstance(value, (dict, list)):
        raise BackupError(f"De back-up is ongeldig: {where} heeft een onverwachte waarde.")
    return value


# ------------------------------------------------------------------------------------------------ backup

def dump(conn: sa.Connection) -> dict[str, dict[str, list]]:
    """Every programme table as JSON-safe columns and rows, ordered by primary key (also used by the tests to
    compare two databases)."""
    insp = sa.inspect(conn)
    out: dict[str, dict[str, list]] = {}
    for t in programme_tables():
        cols = [c.name for c in t.columns]
        if not insp.has_table(t.name, schema=t.schema):
            out[t.name] = {"columns": cols, "rows": []}
            continue
        order = list(t.primary_key.columns) or list(t.columns)
        rows = conn.execute(sa.select(*t.columns).order_by(*order)).all()
        out[t.name] = {"columns": cols, "rows": [[_encode(v) for v in r] for r in rows]}
    return out


def backup(url: str | None = None, now: dt.datetime | None = None) -> bytes:
    """The programme data of the database at ``url`` as a backup file (bytes of a zip), read in one consistent
    snapshot. A database that is not yet at this code's version is migrated first (e.g. one of the layout before
    migration 5, with the programme data still inside the statistics file)."""
    with connect(url) as conn:
        current = schema_version(conn)
    if current < latest_version():
        with transaction(url) as conn:
            migrate_user_tables(conn)
    with connect(url) as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            version = schema_version(conn)
            if version == 0:
                raise BackupError("Deze database bevat nog geen programmagegevens; er is niets om te bewaren.")
            tables = dump(conn)
    payload = json.dumps({"tables": tables}, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                         allow_nan=False).encode("utf-8")
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": version,
        "created_at": _utc(now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat(),
        "application": "Wijkmonitor Veerkrachtige Wijken",
        "tables": {name: len(t["rows"]) for name, t in tables.items()},
        "payload": PAYLOAD,
        "payload_bytes": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        z.writestr(PAYLOAD, payload)
    return buf.getvalue()


def editor_backup(url: str | None, editor) -> bytes:
    """A backup for a signed-in editor (the Data en methode page): it holds names and the whole change log."""
    from loaders.auth import require_editor

    require_editor(editor)
    return backup(url)


# ------------------------------------------------------------------------------------------------ read + check

FOREIGN = "Dit bestand is geen back-up van de programmagegevens van de Wijkmonitor"
DAMAGED = "De back-up is beschadigd of onvolledig (bijvoorbeeld een afgebroken download)"


def read_backup(data: bytes) -> Backup:
    """Parse and check a backup file without touching any database."""
    if len(data) > MAX_BYTES:
        raise BackupError(f"{FOREIGN}: het is veel te groot ({len(data):,} bytes).".replace(",", "."))
    if not data.startswith(b"PK\x03\x04"):
        raise BackupError(f"{FOREIGN} (geen zip-bestand). Er is niets veranderd.")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise BackupError(f"{DAMAGED}. Er is niets veranderd.") from None
    if MANIFEST not in names:
        raise BackupError(f"{FOREIGN} ({MANIFEST} ontbreekt). Er is niets veranderd.")
    if z.getinfo(MANIFEST).file_size > 1_000_000:
        raise BackupError(f"{FOREIGN}: de inhoudsopgave is veel te groot. Er is niets veranderd.")
    try:
        manifest = json.loads(z.read(MANIFEST).decode("utf-8"))
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, UnicodeDecodeError, zlib.error):
        raise BackupError(f"{DAMAGED}: de inhoudsopgave ({MANIFEST}) is onleesbaar. Er is niets veranderd.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{FOREIGN} (onbekend formaat). Er is niets veranderd.")
    fv, sv = manifest.get("format_version"), manifest.get("schema_version")
    if not isinstance(fv, int) or not isinstance(sv, int) or isinstance(fv, bool) or isinstance(sv, bool):
        raise BackupError(f"{DAMAGED}: de versie in {MANIFEST} ontbreekt. Er is niets veranderd.")
    if fv > FORMAT_VERSION:
        raise BackupError(f"De back-up is gemaakt met een nieuwere versie van de Wijkmonitor (formaatversie {fv}; "
                          f"deze versie leest tot en met {FORMAT_VERSION}). Werk de Wijkmonitor eerst bij. "
                          "Er is niets veranderd.")
    if sv > latest_version():
        raise BackupError(f"De back-up komt uit een nieuwere versie van de Wijkmonitor (databaseversie {sv}; deze "
                          f"versie kent tot en met {latest_version()}). Werk de Wijkmonitor eerst bij. "
                          "Er is niets veranderd.")
    if fv < 1 or sv < 1:
        raise BackupError(f"{DAMAGED}: ongeldige versie in {MANIFEST}. Er is niets veranderd.")
    if PAYLOAD not in names:
        raise BackupError(f"{DAMAGED}: {PAYLOAD} ontbreekt. Er is niets veranderd.")
    if z.getinfo(PAYLOAD).file_size > MAX_BYTES:
        raise BackupError(f"{FOREIGN}: de inhoud is veel te groot. Er is niets veranderd.")
    try:
        payload = z.read(PAYLOAD)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error):  # CRC, truncated member, bad deflate
        raise BackupError(f"{DAMAGED}. Er is niets veranderd.") from None
    if len(payload) != manifest.get("payload_bytes") or \
            hashlib.sha256(payload).hexdigest() != manifest.get("payload_sha256"):
        raise BackupError(f"{DAMAGED}: de controlesom klopt niet. Er is niets veranderd.")
    try:
        body = json.loads(payload.decode("utf-8"))
        tables = body["tables"]
        assert isinstance(tables, dict)
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AssertionError):
        raise BackupError(f"{DAMAGED}: de gegevens zijn onleesbaar. Er is niets veranderd.") from None
    counts = manifest.get("tables") or {}
    known = {t.name: t for t in programme_tables()}
    for name, t in tables.items():
        if name not in known:
            raise BackupError(f"De back-up bevat een onbekende tabel '{name[:60]}'. Er is niets veranderd.")
        if not isinstance(t, dict) or not isinstance(t.get("columns"), list) or not isinstance(t.get("rows"), list):
            raise BackupError(f"{DAMAGED}: tabel {name} is onleesbaar. Er is niets veranderd.")
        if counts.get(name) != len(t["rows"]):
            raise BackupError(f"{DAMAGED}: tabel {name} heeft {len(t['rows'])} rijen, de inhoudsopgave noemt "
                              f"{counts.get(name)}. Er is niets veranderd.")
    return Backup(manifest=manifest, tables=tables)


def _records(b: Backup) -> dict[str, list[dict[str, Any]]]:
    """The rows as column -> value dicts, every value checked against the current table definition."""
    out: dict[str, list[dict[str, Any]]] = {}
    for t in programme_tables():
        part = b.tables.get(t.name, {"columns": [], "rows": []})
        cols = part["columns"]
        unknown = [c for c in cols if not isinstance(c, str) or c not in t.c]
        if unknown:
            raise BackupError(f"De back-up is ongeldig: tabel {t.name} heeft een onbekende kolom "
                              f"'{str(unknown[0])[:60]}'. Er is niets veranderd.")
        if len(set(cols)) != len(cols):
            raise BackupError(f"De back-up is ongeldig: tabel {t.name} noemt een kolom twee keer.")
        for c in t.columns:  # a backup from an older version may lack a column that was added since
            if c.name not in cols and not c.nullable and c.server_default is None and c is not t.autoincrement_column:
                raise BackupError(f"De back-up is ongeldig: in tabel {t.name} ontbreekt de kolom {c.name}.")
        recs = []
        for i, row in enumerate(part["rows"], start=1):
            if not isinstance(row, list) or len(row) != len(cols):
                raise BackupError(f"De back-up is ongeldig: tabel {t.name}, rij {i} heeft niet {len(cols)} "
                                  "waarden. Er is niets veranderd.")
            recs.append({c: _decode(t.name, i, t.c[c], v) for c, v in zip(cols, row)})
        pk = [c.name for c in t.primary_key.columns]
        if pk and all(c in cols for c in pk):
            keys = [tuple(r[c] for c in pk) for r in recs]
            if len(set(keys)) != len(keys):
                raise BackupError(f"De back-up is ongeldig: tabel {t.name} bevat een sleutel twee keer.")
        out[t.name] = recs
    return out


def _check_references(conn: sa.Connection, records: dict[str, list[dict[str, Any]]]) -> None:
    """Every metric must be in the catalog and every area in the statistics of the target database."""
    from metrics.catalog import load

    areas = {r[0] for r in conn.execute(sa.select(stat_schema.areas.c.code))}
    if not areas:
        raise BackupError("De database bevat nog geen statistiek om de back-up aan te toetsen. Bouw die eerst "
                          "(python -m wijkmonitor build) en zet de back-up daarna terug. Er is niets veranderd.")
    areas |= {r[0] for r in conn.execute(sa.select(stat_schema.area_groups.c.group_code))}
    metrics = {m.id for m in load().metrics}
    for (table, col), known, what in [*((k, metrics, "indicator") for k in sorted(METRIC_COLUMNS)),
                                      *((k, areas, "gebied") for k in sorted(AREA_COLUMNS))]:
        for i, r in enumerate(records.get(table, []), start=1):
            if r.get(col) is not None and r[col] not in known:
                raise BackupError(f"De back-up verwijst naar een onbekend {what} '{str(r[col])[:60]}' (tabel {table}, "
                                  f"rij {i}, kolom {col}) dat niet in de statistiek van deze database staat. "
                                  "Er is niets veranderd.")


def _check_own_references(records: dict[str, list[dict[str, Any]]]) -> None:
    """Every target or decision on an own indicator names a definition (id and version) that the backup holds."""
    defined = {(r["indicator_id"], r["version"]) for r in records.get("own_indicators", [])}
    for table, col, vcol in sorted(OWN_INDICATOR_COLUMNS):
        for i, r in enumerate(records.get(table, []), start=1):
            if (r.get(col), r.get(vcol)) not in defined:
                raise BackupError(f"De back-up verwijst naar een onbekende eigen meting '{str(r.get(col))[:60]}' "
                                  f"(versie {r.get(vcol)}; tabel {table}, rij {i}) die niet in de back-up is "
                                  "gedefinieerd. Er is niets veranderd.")


def _set_sequences(conn: sa.Connection) -> None:
    """PostgreSQL: the next id of every serial column comes after the highest restored id."""
    for t in programme_tables():
        col = t.autoincrement_column
        if col is None:
            continue
        name = f"{t.schema}.{t.name}" if t.schema else t.name
        seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": col.name}).scalar()
        if seq is None:
            continue
        top = conn.execute(sa.select(sa.func.max(col))).scalar()
        conn.execute(sa.text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
                     {"s": seq, "v": int(top) if top is not None else 1, "called": top is not None})


def restore(url: str | None, data: bytes, pause=None) -> dict[str, int]:
    """Replace the programme data of the database at ``url`` with the backup (one transaction). Returns the row
    count per table. ``pause(conn)`` is a test hook, called inside the transaction before it commits."""
    b = read_backup(data)
    try:
        records = _records(b)
    except BackupError as exc:
        raise BackupError(f"{exc} Er is niets veranderd." if "niets veranderd" not in str(exc) else str(exc)) from None
    try:
        with transaction(url) as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            migrate_user_tables(conn)
            _check_references(conn, records)
            _check_own_references(records)
            for t in reversed(programme_tables()):
                conn.execute(t.delete())
            for t in programme_tables():
                if records[t.name]:
                    conn.execute(t.insert(), records[t.name])
            if conn.dialect.name == "postgresql":
                _set_sequences(conn)
            # the own measurements' figures in the metric store follow the restored values and definitions (the
            # targets on them are read against these figures), with a new build id, as at every upload
            from .own import recompute

            recompute(conn, [None])  # None: every indicator's figures
            if pause is not None:
                pause(conn)
    except (BackupError, DatabaseUnavailable):
        raise
    except sa.exc.IntegrityError as exc:
        raise BackupError("De back-up past niet in de database (een dubbele of ongeldige waarde); er is niets "
                          f"veranderd. ({type(exc.orig).__name__})") from None
    return {name: len(recs) for name, recs in records.items()}


LABELS = {"targets": "doelen", "participation": "deelnamecijfers", "uploads": "uploads", "change_log": "wijzigingen",
          "decks": "presentaties", "proposal_decisions": "besluiten over voorstellen",
          "target_comparison_groups": "vergelijkingsgroepen", "own_targets": "doelen op eigen metingen",
          "own_proposal_decisions": "besluiten over voorstellen op eigen metingen"}


def summary(counts: dict[str, int], verb: str = "Teruggezet") -> str:
    """One Dutch line: how many rows per table."""
    parts = [f"{n} {LABELS.get(name, name)}" for name, n in counts.items()]
    return f"{verb}: " + (", ".join(parts) if parts else "geen gegevens") + "."


__all__ = ("FORMAT", "FORMAT_VERSION", "Backup", "BackupError", "backup", "dump", "editor_backup", "programme_tables",
           "read_backup", "restore", "summary")
