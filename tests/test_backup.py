"""Programme data apart and safe: its own file / schema, migration of today's layout, backup and restore, a rebuild
and a deleted statistics file keep every target, a killed writer leaves old or new, never a mix."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from loaders import auth, decks, programme
from loaders.db import get_engine
from loaders import migrations
from loaders.migrations import MIGRATIONS, PROGRAMME_SCHEMA, USER_TABLES, migrate_user_tables
from loaders.settings import programme_database
from metrics.catalog import load
from tests.conftest import ROOT, fresh_pg_database
from wijkmonitor import backup, statistics
from wijkmonitor.__main__ import main as cli

FIXTURE = ROOT / "tests" / "fixtures" / "programme_v4" / "legacy-v4.sqlite"
PASSWORD = "correct horse battery"
HASH = auth.hash_password(PASSWORD)
METRICS = {m.id for m in load().metrics}
BUURTEN = {"BU09350403", "BU09350203"}
AREAS = BUURTEN | {"GM0935"}
CSV = ("buurt_code,maand,leeftijdsgroep,dialoogsessies,bewoners_bereikt,meemakers,activiteiten\n"
       "BU09350403,2025-03,totaal,3,40,5,2\nBU09350203,2025-03,totaal,2,25,3,1\n").encode()


def editor():
    return auth.login_with_password("pm", PASSWORD, {"pm": HASH})


def target(**kw):
    v = {"metric_id": "moeite_met_rondkomen", "area_code": "BU09350203", "baseline_year": 2020,
         "baseline_value": 26.0, "target_value": 20.0, "target_year": 2030, "owner": "Team armoede",
         "rationale": "Minder geldzorgen", "action_link": None, "milestones": [{"year": 2025, "value": 23.0}]}
    v.update(kw)
    return v


def populate(url: str) -> None:
    """Made-up programme data in every programme table, written through the application's own functions."""
    with get_engine(url).begin() as conn:  # what the app does once per process (ui.state.ensure_user_tables)
        migrate_user_tables(conn)
    ed = editor()
    t1 = programme.create_target(url, ed, target(), METRICS, AREAS)
    programme.update_target(url, ed, t1, 1, target(target_value=19.0, rationale="Bijgesteld — één keer"),
                            METRICS, AREAS)
    programme.create_target(url, ed, target(metric_id="eenzaam", area_code="BU09350403", baseline_value=51.5,
                                            target_value=45.0, milestones=None), METRICS, AREAS)
    prop = {"proposal_key": "halveren:eenzaam:BU09350203:2020", "rule": "halveren", "metric_id": "eenzaam",
            "area_code": "BU09350203", "baseline_year": 2020, "baseline_value": 50.0, "target_year": 2035,
            "target_value": 45.0}
    programme.adopt_proposal(url, ed, prop, target(metric_id="eenzaam", baseline_value=50.0, target_value=45.0,
                                                   target_year=2035, milestones=None),
                             {"profile_year": 2020, "codes": ["BU09350403"], "method": "test"}, METRICS, AREAS)
    programme.reject_proposal(url, ed, {**prop, "proposal_key": "dichten:eenzaam:BU09350203:2020",
                                        "rule": "dichten"}, "Niet haalbaar", METRICS, AREAS)
    programme.import_participation(url, ed, CSV, "deelname.csv", BUURTEN)
    decks.create_deck(url, ed, "Raad", ["titel", "bronnen"], {"titel", "bronnen"})


def snapshot(url: str) -> dict:
    with get_engine(url).connect() as conn:
        return backup.dump(conn)


def sqlite_files(url: str) -> list[Path]:
    main = Path(sa.engine.make_url(url).database)
    return [main, Path(programme_database(url))]


def file_hashes(url: str) -> dict[str, str]:
    """The bytes of the statistics file and the programme file (after closing every connection, so the WAL is
    checkpointed and gone)."""
    get_engine(url).dispose()
    out = {}
    for p in sqlite_files(url):
        assert not Path(f"{p}-wal").exists()
        out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def sqlite_db(subset_sqlite, tmp_path) -> str:
    """A private copy of the built subset database (statistics file only: no programme data yet)."""
    get_engine(subset_sqlite).dispose()
    src = Path(sa.engine.make_url(subset_sqlite).database)
    dst = tmp_path / "stat.sqlite"
    shutil.copy(src, dst)
    return f"sqlite:///{dst}"


def pg_copy(subset_pg: str) -> str:
    """A private copy of the built PostgreSQL subset database (CREATE DATABASE … TEMPLATE)."""
    get_engine(subset_pg).dispose()
    url = fresh_pg_database("bk")
    name, template = url.rsplit("/", 1)[1], subset_pg.rsplit("/", 1)[1]
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}"')
        # A template may have no other session: close what another fixture or a test of this worker left open
        # on the shared subset database (it reconnects when it needs it again).
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": template})
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def stat_db(request, tmp_path) -> str:
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
        return pg_copy(request.getfixturevalue("subset_pg"))
    return request.getfixturevalue("sqlite_db")


def wipe(url: str) -> None:
    """What `make wipe-programma` does for the embedded database; DROP SCHEMA on PostgreSQL."""
    get_engine(url).dispose()
    if url.startswith("sqlite"):
        prog = Path(programme_database(url))
        subprocess.run(["make", "-s", "wipe-programma", f"PROGRAMME_DB={prog}"], cwd=ROOT, check=True)
        assert not prog.exists()
    else:
        with get_engine(url).begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {PROGRAMME_SCHEMA} CASCADE")
    assert all(not t["rows"] for t in snapshot(url).values())


# ------------------------------------------------------------------------------------------------ the layout

def test_programme_data_is_in_its_own_file(sqlite_db):
    populate(sqlite_db)
    main, prog = sqlite_files(sqlite_db)
    assert prog.name == "stat-programma.sqlite"
    get_engine(sqlite_db).dispose()
    names = {r[0] for r in sqlite3.connect(main).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert not names & {t.name for t in USER_TABLES} and "observations" in names
    with sqlite3.connect(prog) as con:
        assert con.execute("SELECT COUNT(*) FROM targets").fetchone()[0] == 3


@pytest.mark.postgres
def test_programme_data_is_its_own_schema_and_readable_by_the_viewing_role(subset_pg):
    from loaders.roles import create_readonly_role

    url = pg_copy(subset_pg)
    populate(url)
    with get_engine(url).connect() as conn:
        insp = sa.inspect(conn)
        assert not set(insp.get_table_names(schema="public")) & {t.name for t in USER_TABLES}
        assert {t.name for t in USER_TABLES} <= set(insp.get_table_names(schema=PROGRAMME_SCHEMA))
    create_readonly_role(url, "wijkmonitor_reader_pd", "a-long-test-password")
    ro = url.replace("postgres@", "wijkmonitor_reader_pd:a-long-test-password@")
    assert len(programme.list_targets(ro)) == 3
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        with get_engine(ro).begin() as conn:
            conn.execute(sa.text("DELETE FROM programma.targets"))
    get_engine(ro).dispose()


# ------------------------------------------------------------------------------------------------ migration 5

def _raw_rows(con: sqlite3.Connection, schema: str) -> dict[str, list[tuple]]:
    out = {}
    for t in USER_TABLES:
        if t.name == "schema_migrations" or t.name not in migrations._LEGACY_TABLES:  # the fixture's tables
            continue
        cols = ", ".join(c.name for c in t.columns)
        out[t.name] = con.execute(f"SELECT {cols} FROM {schema}.{t.name} ORDER BY 1").fetchall()
    return out


def test_a_database_of_todays_layout_migrates_with_every_row_and_id(tmp_path):
    db = tmp_path / "wijkmonitor.sqlite"
    shutil.copy(FIXTURE, db)
    with sqlite3.connect(db) as con:
        before = _raw_rows(con, "main")
    assert sum(map(len, before.values())) >= 20 and all(before.values())
    url = f"sqlite:///{db}"
    with get_engine(url).begin() as conn:
        assert migrate_user_tables(conn) == [v for v, _, _ in MIGRATIONS if v >= 5]
    get_engine(url).dispose()
    with sqlite3.connect(tmp_path / "wijkmonitor-programma.sqlite") as con:
        assert _raw_rows(con, "main") == before  # every row and id, byte for byte the same values
        assert [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1")][:5] == [1, 2, 3, 4, 5]
    # the old copies go in the next (separate) transaction, here the rebuild
    statistics.build(url, national=False)
    get_engine(url).dispose()
    with sqlite3.connect(db) as con:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert not names & {t.name for t in USER_TABLES}
    with sqlite3.connect(tmp_path / "wijkmonitor-programma.sqlite") as con:
        assert _raw_rows(con, "main") == before
    assert len(programme.list_targets(url)) == len(before["targets"])
    new = programme.create_target(url, editor(), target(), METRICS, AREAS)
    assert new == max(r[0] for r in before["targets"]) + 1


def test_old_copies_are_kept_when_they_hold_rows_the_programme_file_lacks(tmp_path):
    """An older statistics file put back beside a programme file is never emptied."""
    db = tmp_path / "wijkmonitor.sqlite"
    shutil.copy(FIXTURE, db)
    url = f"sqlite:///{db}"
    with get_engine(url).begin() as conn:
        migrate_user_tables(conn)
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("DELETE FROM programma.targets WHERE id = 2"))
        migrate_user_tables(conn)
    get_engine(url).dispose()
    with sqlite3.connect(db) as con:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "targets" in names and "decks" not in names


@pytest.mark.postgres
def test_a_postgresql_database_of_todays_layout_migrates_with_every_row_and_id():
    url = fresh_pg_database("legacy")
    old = sa.MetaData()
    legacy = {t.name: t.to_metadata(old, schema=None) for t in USER_TABLES
              if t.name in migrations._LEGACY_TABLES}  # the tables of before migration 5, as they are in public
    src = sa.create_engine(f"sqlite:///{FIXTURE}")
    with src.connect() as s, get_engine(url).begin() as conn:
        old.create_all(conn)
        for name, t in legacy.items():
            rows = [dict(r) for r in s.execute(sa.select(t)).mappings()]
            conn.execute(t.insert(), rows)
            if t.autoincrement_column is not None:  # as the old code left them: serials past the max id
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                     f"(SELECT MAX(id) FROM {name}))"))
    with src.connect() as s:
        before = {n: [tuple(r) for r in s.execute(sa.select(t).order_by(*t.primary_key.columns))]
                  for n, t in legacy.items() if n != "schema_migrations"}
    src.dispose()
    with get_engine(url).begin() as conn:
        assert migrate_user_tables(conn) == [v for v, _, _ in MIGRATIONS if v >= 5]
    with get_engine(url).connect() as conn:
        assert not set(sa.inspect(conn).get_table_names(schema="public")) & set(legacy)
        for t in USER_TABLES:
            if t.name != "schema_migrations" and t.name in legacy:
                rows = [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
                assert [_naive(r) for r in rows] == [_naive(r) for r in before[t.name]], t.name
    new = programme.create_target(url, editor(), target(), METRICS, AREAS)
    assert new == max(r[0] for r in before["targets"]) + 1


def _naive(row: tuple) -> tuple:
    """Datetimes as naive UTC (SQLite hands them back naive, PostgreSQL aware)."""
    return tuple(v.astimezone(dt.timezone.utc).replace(tzinfo=None)
                 if isinstance(v, dt.datetime) and v.tzinfo else v for v in row)


# ------------------------------------------------------------------------------------------------ backup/restore

def test_backup_wipe_restore_gives_identical_programme_tables(stat_db, tmp_path):
    populate(stat_db)
    before = snapshot(stat_db)
    out = tmp_path / "backup.zip"
    assert cli(["backup", "--out", str(out), "--url", stat_db]) == 0
    wipe(stat_db)
    assert cli(["restore", str(out), "--url", stat_db]) == 0
    assert snapshot(stat_db) == before
    # ids continue after the restored ones (PostgreSQL: the sequences were set past the max id)
    new = programme.create_target(stat_db, editor(), target(area_code="GM0935"), METRICS, AREAS)
    assert new == max(r[0] for r in before["targets"]["rows"]) + 1
    # restoring over existing data replaces it (the new target is gone again)
    backup.restore(stat_db, out.read_bytes())
    assert snapshot(stat_db) == before


@pytest.mark.postgres
def test_restore_from_sqlite_into_postgresql(sqlite_db, subset_pg, tmp_path):
    populate(sqlite_db)
    before = snapshot(sqlite_db)
    data = backup.backup(sqlite_db)
    pg = pg_copy(subset_pg)
    programme.create_target(pg, editor(), target(area_code="GM0935"), METRICS, AREAS)  # replaced by the restore
    backup.restore(pg, data)
    assert snapshot(pg) == before
    assert programme.create_target(pg, editor(), target(), METRICS, AREAS) == \
        max(r[0] for r in before["targets"]["rows"]) + 1


def test_rebuild_and_a_deleted_statistics_file_keep_every_target(sqlite_db):
    populate(sqlite_db)
    before = snapshot(sqlite_db)
    statistics.build(sqlite_db, national=False)
    assert snapshot(sqlite_db) == before
    get_engine(sqlite_db).dispose()
    main = Path(sa.engine.make_url(sqlite_db).database)
    for p in (main, Path(f"{main}-wal"), Path(f"{main}-shm")):  # what `make clean` removes of the database
        p.unlink(missing_ok=True)
    statistics.build(sqlite_db, national=False)
    assert snapshot(sqlite_db) == before
    assert len(programme.list_targets(sqlite_db)) == 3


# ------------------------------------------------------------------------------------------------ rejected files

def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _with_manifest(data: bytes, **changes) -> bytes:
    m = _members(data)
    manifest = json.loads(m["manifest.json"])
    manifest.update(changes)
    return _zip({**m, "manifest.json": json.dumps(manifest).encode()})


def _with_payload(data: bytes, edit, fix_checksum: bool) -> bytes:
    m = _members(data)
    body = json.loads(m["programma.json"])
    edit(body["tables"])
    payload = json.dumps(body).encode()
    manifest = json.loads(m["manifest.json"])
    if fix_checksum:
        manifest.update(payload_bytes=len(payload), payload_sha256=hashlib.sha256(payload).hexdigest())
    return _zip({"manifest.json": json.dumps(manifest).encode(), "programma.json": payload})


def _flip(data: bytes) -> bytes:
    """One byte changed inside the compressed payload (the zip's own CRC catches it)."""
    i = data.index(b"programma.json") + 40
    return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]


def _unknown_metric(tables):
    tables["targets"]["rows"][0][tables["targets"]["columns"].index("metric_id")] = "bestaat_niet"


def _unknown_area(tables):
    tables["participation"]["rows"][0][tables["participation"]["columns"].index("buurt_code")] = "BU99999999"


def _text_in_number(tables):
    tables["targets"]["rows"][0][tables["targets"]["columns"].index("target_value")] = "twintig"


BAD = {
    "truncated": (lambda d: d[: len(d) // 2], "beschadigd of onvolledig"),
    "truncated_tail": (lambda d: d[:-30], "beschadigd of onvolledig"),
    "corrupt_byte": (_flip, "beschadigd of onvolledig"),
    "checksum": (lambda d: _with_payload(d, _unknown_area, fix_checksum=False), "controlesom klopt niet"),
    "foreign_csv": (lambda d: CSV, "geen back-up"),
    "foreign_zip": (lambda d: _zip({"data.csv": CSV}), "geen back-up"),
    "foreign_format": (lambda d: _with_manifest(d, format="iets-anders"), "geen back-up"),
    "empty": (lambda d: b"", "geen back-up"),
    "newer_format": (lambda d: _with_manifest(d, format_version=99), "nieuwere versie"),
    "newer_schema": (lambda d: _with_manifest(d, schema_version=999), "nieuwere versie"),
    "unknown_metric": (lambda d: _with_payload(d, _unknown_metric, fix_checksum=True), "onbekend indicator"),
    "unknown_area": (lambda d: _with_payload(d, _unknown_area, fix_checksum=True), "onbekend gebied 'BU99999999'"),
    "text_in_number": (lambda d: _with_payload(d, _text_in_number, fix_checksum=True),
                       "tabel targets, rij 1, kolom target_value is geen getal"),
}


@pytest.fixture(scope="module")
def good_backup(subset_sqlite, tmp_path_factory) -> tuple[str, bytes]:
    get_engine(subset_sqlite).dispose()
    dst = tmp_path_factory.mktemp("bad") / "stat.sqlite"
    shutil.copy(Path(sa.engine.make_url(subset_sqlite).database), dst)
    url = f"sqlite:///{dst}"
    populate(url)
    return url, backup.backup(url)


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_backup_file_is_rejected_and_changes_nothing(good_backup, case, tmp_path, capsys):
    url, data = good_backup
    make, message = BAD[case]
    before = file_hashes(url)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(make(data))
    assert cli(["restore", str(bad), "--url", url]) == 2
    err = capsys.readouterr().err
    assert message in err and "Er is niets veranderd" in err and "Traceback" not in err
    assert file_hashes(url) == before  # both files, byte for byte


@pytest.mark.postgres
@pytest.mark.parametrize("case", ["corrupt_byte", "unknown_area", "newer_schema"])
def test_a_bad_backup_file_changes_nothing_on_postgresql(good_backup, subset_pg, case):
    pg = pg_copy(subset_pg)
    populate(pg)
    before = snapshot(pg)
    make, message = BAD[case]
    with pytest.raises(backup.BackupError, match=message):
        backup.restore(pg, make(good_backup[1]))
    assert snapshot(pg) == before


def test_a_good_restore_that_fails_inside_the_transaction_changes_nothing(good_backup, sqlite_db):
    populate(sqlite_db)
    programme.create_target(sqlite_db, editor(), target(area_code="GM0935"), METRICS, AREAS)
    before = snapshot(sqlite_db)

    def boom(conn):
        raise RuntimeError("simulated failure after the tables were replaced")

    with pytest.raises(RuntimeError):
        backup.restore(sqlite_db, good_backup[1], pause=boom)
    assert snapshot(sqlite_db) == before


# ------------------------------------------------------------------------------------------------ killed writers

WRITER = """
import sys
from loaders import auth, programme
from metrics.catalog import load
ed = auth.login_with_password("pm", sys.argv[3], {{"pm": sys.argv[4]}})
url, what = sys.argv[1], sys.argv[2]
if what == "upload":
    programme.import_participation(url, ed, {csv!r}, "deelname-april.csv", {buurten!r})
else:
    metrics = {{m.id for m in load().metrics}}
    programme.update_target(url, ed, 1, 2, {values!r}, metrics, {areas!r})
print("klaar")
"""


def _writer(url: str, what: str, pause: bool, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    csv = CSV.replace(b"2025-03", b"2025-04")
    code = WRITER.format(csv=csv, buurten=BUURTEN, areas=AREAS,
                         values=target(target_value=18.0, rationale="Gewijzigd in het proces"))
    flag = tmp_path / f"paused-{what}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if pause:
        env.update(WIJKMONITOR_TEST_PAUSE=what, WIJKMONITOR_TEST_PAUSE_FILE=str(flag))
    p = subprocess.Popen([sys.executable, "-c", code, url, what, PASSWORD, HASH], env=env, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p, flag


@pytest.mark.parametrize("what", ["upload", "target"])
def test_a_writer_killed_inside_its_transaction_leaves_the_old_state(stat_db, what, tmp_path):
    populate(stat_db)
    before = snapshot(stat_db)
    p, flag = _writer(stat_db, what, pause=True, tmp_path=tmp_path)
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert p.poll() is None, p.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)  # inside the transaction: rows written, change log not yet
    p.wait()
    get_engine(stat_db).dispose()
    assert snapshot(stat_db) == before
    # the same write, not killed, is there completely (rows and their change-log entry)
    p, _ = _writer(stat_db, what, pause=False, tmp_path=tmp_path)
    assert p.wait(timeout=120) == 0, p.stderr.read().decode()
    after = snapshot(stat_db)
    assert len(after["change_log"]["rows"]) == len(before["change_log"]["rows"]) + 1
    if what == "upload":
        assert len(after["participation"]["rows"]) == len(before["participation"]["rows"]) + 2
        assert len(after["uploads"]["rows"]) == len(before["uploads"]["rows"]) + 1
    else:
        assert after["targets"] != before["targets"]


def test_writers_killed_at_random_moments_leave_old_or_new_never_a_mix(sqlite_db, tmp_path):
    """Uploads killed at moments spread over their whole run: each upload is there completely (its upload row,
    both participation rows and its change-log entry) or not at all."""
    populate(sqlite_db)
    p, _ = _writer(sqlite_db, "upload", pause=False, tmp_path=tmp_path)
    t0 = time.monotonic()
    assert p.wait(timeout=120) == 0
    run = time.monotonic() - t0
    wipe(sqlite_db)
    populate(sqlite_db)
    for i in range(6):
        p, _ = _writer(sqlite_db, "upload", pause=False, tmp_path=tmp_path)
        time.sleep(run * (0.55 + 0.1 * i))
        p.send_signal(signal.SIGKILL)
        p.wait()
        get_engine(sqlite_db).dispose()
        s = snapshot(sqlite_db)
        april = [r for r in s["participation"]["rows"] if r[2] == "2025-04"]
        logs = [r for r in s["change_log"]["rows"] if r[5] == "upload" and "april" in (r[7] or "")]
        ups = [r for r in s["uploads"]["rows"] if r[1] == "deelname-april.csv"]
        assert (len(april), len(logs), len(ups)) in {(0, 0, 0), (2, 1, 1)}, (i, april, logs, ups)
        if ups:
            break


# ------------------------------------------------------------------------------------------------ the Data page

def test_an_editor_downloads_a_backup_on_the_data_page(sqlite_db, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.auth import SESSION_KEY

    populate(sqlite_db)
    monkeypatch.setenv("DATABASE_URL", sqlite_db)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "views" / "data.py"), default_timeout=120)
    at.query_params["onderdeel"] = "Downloaden"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Back-up maken" not in [b.label for b in at.button]  # an anonymous visitor gets no backup
    at.session_state[SESSION_KEY] = editor()
    at.run()
    next(b for b in at.button if b.label == "Back-up maken").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    labels = [getattr(e, "proto", None) and e.proto.label for e in at.get("download_button")]
    assert "Download back-up (.zip)" in labels
    made = backup.read_backup(at.session_state["backup_zip"])
    assert made.manifest["tables"] == {name: len(t["rows"]) for name, t in snapshot(sqlite_db).items()}


def test_a_backup_of_an_older_version_restores_with_the_new_column_empty(good_backup, sqlite_db):
    """A backup made before a column existed (here: targets without milestones, database version 1)."""
    def drop_milestones(tables):
        t = tables["targets"]
        i = t["columns"].index("milestones")
        t["columns"].pop(i)
        for row in t["rows"]:
            row.pop(i)

    data = _with_manifest(_with_payload(good_backup[1], drop_milestones, fix_checksum=True), schema_version=1)
    populate(sqlite_db)
    backup.restore(sqlite_db, data)
    df = programme.list_targets(sqlite_db)
    assert len(df) == 3 and df["milestones"].isna().all()
