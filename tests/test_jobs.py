"""The CBS refresh as a job (issue 20, item 6), on SQLite and PostgreSQL.

- the database allows one active refresh (a second insert is refused by the partial unique index, not by code);
- the lifecycle through the real worker process (``python -m wijkmonitor job run ID``, detached) against a local
  server that replays the recorded CBS responses (tests/fixtures/recorded_cbs), reached through the settings
  WIJKMONITOR_CBS_ODATA3_URL / _DATADERDEN_URL / _ODATA4_URL: queued → running with progress → done, with the
  change-log entry of the editor; a second start is refused with who and when; a failure ends 'mislukt' with
  a Dutch message; a killed worker is taken over;
- ``python -m wijkmonitor refresh`` in a subprocess pointed at the local server loads the table, and refuses
  (exit code 4, Dutch message) while a page-started refresh runs;
- every write of statistics changes the build id, and a second process drops its cached figures;
- the Data page shows a running and a finished job to a signed-in editor.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from loaders import auth, jobs as store, repository
from loaders.db import query, transaction
from loaders.jobs import JobBusy
from loaders.migrations import jobs as jobs_table
from tests.cbs_fixtures import cbs_helpers
from models.refresh_job import LOCAL
from wijkmonitor import jobs, statistics

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REC = HERE / "fixtures" / "recorded_cbs"
PASSWORD = "jobs-test-wachtwoord"
HASH = auth.hash_password(PASSWORD)
TABLE = "84799NED"  # recorded: DataProperties, WijkenEnBuurten, TableInfos, the Maastricht/Heerlen TypedDataSet

helpers = cbs_helpers()


def editor(name: str = "tester") -> auth.Editor:
    ed = auth.login_with_password(name, PASSWORD, {name: HASH})
    assert ed is not None
    return ed


class GatedCbs(helpers.server_module().RecordedCbs):
    """The recorded-CBS server that holds every request until ``gate`` is set (a refresh that is 'running')."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        self.gate.set()

    def _handle(self, h):
        self.gate.wait(120)
        super()._handle(h)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return helpers.copy_db(request, tmp_path)


@pytest.fixture
def cbs(monkeypatch, tmp_path):
    """The recorded responses on 127.0.0.1, configured the way a gemeente configures a mirror (settings in the
    environment, inherited by the worker process)."""
    srv = GatedCbs(root=REC / "v3", page_size=10_000, fallback=(REC / "v4", helpers.ODATA)).start()
    eps = srv.endpoints()
    monkeypatch.setenv("WIJKMONITOR_CBS_ODATA3_URL", eps["CBS"])
    monkeypatch.setenv("WIJKMONITOR_CBS_DATADERDEN_URL", eps["RIVM"])
    monkeypatch.setenv("WIJKMONITOR_CBS_ODATA4_URL", eps["ODATA4"])
    monkeypatch.setenv("WIJKMONITOR_REFRESH_CACHE", str(tmp_path / "cbs-cache"))
    yield srv
    srv.gate.set()
    srv.stop()


def wait_for(url: str, job_id: int, until, timeout: float = 240) -> store.Job:
    """Poll the job row (as a page does) until ``until(job)``."""
    t0 = time.monotonic()
    while True:
        job = store.get(url, job_id)
        if job is not None and until(job):
            return job
        if time.monotonic() - t0 > timeout:
            log = jobs.log_path(job_id)
            raise AssertionError(f"job {job_id} stuck: {job}\n{log.read_text() if log.exists() else ''}")
        time.sleep(0.2)


def ended(job) -> bool:
    return not job.active


def n_sources(url: str, like: str) -> int:
    return int(query("SELECT COUNT(*) AS n FROM sources WHERE source_key LIKE :k", {"k": like}, url=url)["n"].iloc[0])


# ------------------------------------------------------------------------------------ the lock in the database

def test_database_allows_one_active_refresh(db):
    store.ensure_table(db)
    first = store.create(db, store.REFRESH, "a")
    with pytest.raises(JobBusy) as busy:
        store.create(db, store.REFRESH, "b")
    assert busy.value.job.id == first.id and busy.value.job.started_by == "a"
    # the index refuses a second active row even when the code's checks are skipped (another replica, old code)
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(db) as conn:
            conn.execute(jobs_table.insert().values(kind="refresh", state="bezig", started_by="c",
                                                    created_at=store.now(), heartbeat_at=store.now()))
    # an ended job frees the lock; ended jobs do not count
    assert store.finish(db, first.id, "mislukt", error="proef")
    second = store.create(db, store.REFRESH, "b")
    assert second.state == "wachtrij" and second.id != first.id
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(db) as conn:
            conn.execute(jobs_table.insert().values(kind="refresh", state="bogus", started_by="c",
                                                    created_at=store.now(), heartbeat_at=store.now()))


def test_busy_message_says_who_and_when(db):
    store.ensure_table(db)
    store.create(db, store.REFRESH, "anna")
    res = jobs.start_refresh(db, editor("bert"), tables=[TABLE])
    assert not res.started and res.job.started_by == "anna"
    assert res.message.startswith("Er loopt al een verversing, gestart door anna op ")
    local = res.job.created_at.astimezone(LOCAL)
    assert f"om {local:%H:%M}" in res.message
    assert store.active(db).started_by == "anna"  # nothing new was queued


def test_stale_job_is_taken_over(db):
    """A worker that stopped reporting (another host: only the heartbeat's age tells) is taken over."""
    store.ensure_table(db)
    old = store.create(db, store.REFRESH, "anna")
    assert store.claim(db, old.id)
    long_ago = store.now().replace(year=2000)
    with transaction(db) as conn:
        conn.execute(jobs_table.update().where(jobs_table.c.id == old.id)
                     .values(heartbeat_at=long_ago, worker_host="andere-server", worker_pid=1))
    with pytest.raises(JobBusy):  # within the limit (an hour): still alive
        store.create(db, store.REFRESH, "bert", stale_s=(store.now() - long_ago).total_seconds() + 3600)
    new = store.create(db, store.REFRESH, "bert", stale_s=300)
    gone = store.get(db, old.id)
    assert gone.state == "afgebroken" and gone.finished_at is not None
    assert "andere-server" in gone.error_message and "start de verversing opnieuw" in gone.error_message
    assert new.active and new.started_by == "bert"
    # the old worker, should it wake up, can no longer write into the job it lost
    assert not store.beat(db, old.id, 1, 2, "nog bezig")
    assert not store.finish(db, old.id, "klaar", result="te laat")
    assert store.get(db, old.id).state == "afgebroken"


# ------------------------------------------------------------------------------------ the worker process

def test_refresh_job_lifecycle_with_the_real_worker(db, cbs):
    before_build = repository.build_id(db)
    assert n_sources(db, f"{TABLE}-odata%") == 0
    cbs.gate.clear()  # CBS answers slowly: the job stays 'bezig' until we let it through
    res = jobs.start_refresh(db, editor("anna"), tables=[TABLE])
    assert res.started and "Verversing gestart door anna" in res.message
    running = wait_for(db, res.job.id, lambda j: j.state == "bezig" and j.progress_message)
    assert running.worker_pid and running.worker_pid != os.getpid() and running.started_at is not None
    assert os.getsid(running.worker_pid) != os.getsid(0)  # its own session: not ended with the page's process
    assert running.progress_total == 1 and TABLE in running.progress_message
    # a second start while it runs is refused, by the page and by the command line
    again = jobs.start_refresh(db, editor("bert"), tables=[TABLE])
    assert not again.started and again.job.id == res.job.id and "gestart door anna" in again.message
    cli = subprocess.run([sys.executable, "-m", "wijkmonitor", "refresh", "--url", db, "--tabel", TABLE],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert cli.returncode == jobs.EXIT_BUSY, cli.stderr
    assert "Er loopt al een verversing, gestart door anna" in cli.stderr
    # the heartbeat runs while the worker waits on CBS
    hb = running.heartbeat_at
    wait_for(db, res.job.id, lambda j: j.heartbeat_at > hb, timeout=60)
    cbs.gate.set()
    done = wait_for(db, res.job.id, ended)
    assert done.state == "klaar", (done, jobs.log_path(done.id).read_text())
    assert done.error_message is None and "1 tabel bijgewerkt" in done.result_message and done.finished_at >= done.started_at
    assert done.progress_step == done.progress_total == 1
    assert n_sources(db, f"{TABLE}-odata%") == 1  # the table is in the database
    assert repository.build_id(db) != before_build
    log = query("SELECT user_name, action, new_value FROM programma.change_log WHERE action = 'refresh'", url=db)
    assert log["user_name"].tolist() == ["anna"]
    assert json.loads(log["new_value"].iloc[0])["taak"] == done.id
    assert jobs.latest_refresh(db).id == done.id
    # the lock is free again
    nxt = store.create(db, store.REFRESH, "bert")
    assert nxt.active


def test_failed_refresh_ends_with_a_dutch_message(db, cbs, monkeypatch):
    before = helpers.snapshot(db)
    res = jobs.start_refresh(db, editor(), tables=["83765NED"], odata=4)
    cbs.gone_v4.add(("83765NED", "*"))  # OData 4 answers 410 for this table
    done = wait_for(db, res.job.id, ended)
    assert done.state == "mislukt"
    assert "CBS gaf een fout voor tabel 83765NED" in done.error_message
    assert "Er is niets gewijzigd in de database" in done.error_message
    assert "Traceback" not in done.error_message
    assert helpers.snapshot(db) == before
    assert query("SELECT COUNT(*) AS n FROM programma.change_log WHERE action = 'refresh'", url=db)["n"].iloc[0] == 0


def test_killed_worker_is_taken_over_at_the_next_start(db, cbs):
    cbs.gate.clear()
    res = jobs.start_refresh(db, editor("anna"), tables=[TABLE])
    running = wait_for(db, res.job.id, lambda j: j.state == "bezig")
    os.kill(running.worker_pid, signal.SIGKILL)
    t0 = time.monotonic()
    while store.pid_alive(running.worker_pid) and time.monotonic() - t0 < 10:
        time.sleep(0.1)
    assert store.get(db, res.job.id).state == "bezig"  # nobody noticed yet
    seen = store.current(db)  # what the page reads: the dead worker's job is not shown as running
    assert seen.id == res.job.id and seen.state == "afgebroken" and "is gestopt" in seen.error_message
    cbs.gate.set()
    new = jobs.start_refresh(db, editor("bert"), tables=[TABLE])  # same host, process gone: no need to wait
    assert new.started, new.message
    done = wait_for(db, new.job.id, ended)
    assert done.state == "klaar" and done.started_by == "bert"


def test_stopped_worker_ends_its_job_afgebroken(db, cbs):
    """SIGTERM (a server shutdown): the worker rolls back and says so in the job row."""
    before = helpers.snapshot(db)
    cbs.gate.clear()
    res = jobs.start_refresh(db, editor("anna"), tables=[TABLE])
    running = wait_for(db, res.job.id, lambda j: j.state == "bezig" and j.progress_message)
    os.kill(running.worker_pid, signal.SIGTERM)
    done = wait_for(db, res.job.id, ended, timeout=60)
    cbs.gate.set()
    assert done.state == "afgebroken" and "herstart van de server" in done.error_message
    assert "Er is niets gewijzigd in de database" in done.error_message
    assert helpers.snapshot(db) == before
    assert jobs.start_refresh(db, editor("bert"), tables=[TABLE]).started


# ------------------------------------------------------------------------------------ the command line

def test_cli_refresh_through_the_configured_mirror(db, cbs, tmp_path):
    """The real CLI in a subprocess, pointed at the local server only through the settings."""
    env = {**os.environ, "DATABASE_URL": db}
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(k, None)
    out = subprocess.run([sys.executable, "-m", "wijkmonitor", "refresh", "--tabel", TABLE], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert cbs.count(TABLE, "WijkenEnBuurten") == 2 and cbs.count(TABLE, "TypedDataSet") >= 1  # two pages
    assert n_sources(db, f"{TABLE}-odata%") == 1
    src = query("SELECT file_name FROM sources WHERE source_key LIKE :k", {"k": f"{TABLE}-odata%"}, url=db)
    assert src["file_name"].iloc[0].startswith("https://opendata.cbs.nl/")  # provenance names CBS, not the mirror
    job = jobs.latest_refresh(db)
    assert job.state == "klaar" and job.started_by.startswith("opdrachtregel (")
    status = subprocess.run([sys.executable, "-m", "wijkmonitor", "job", "status"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0 and f"taak {job.id} (refresh): klaar" in status.stdout


# ------------------------------------------------------------------------------------ build id and caches

CACHE_READER = r"""
import json, sys
from streamlit.testing.v1 import AppTest
from ui import state
for line in sys.stdin:
    at = AppTest.from_file(sys.argv[1], default_timeout=120)
    at.query_params["onderdeel"] = "Bronnen en dataversie"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    df = at.dataframe[0].value
    print(json.dumps({"keys": sorted(df["Tabel"] + "|" + df["Bestand"].fillna("")), "build": state.stamp()}),
          flush=True)
"""


def test_every_write_changes_the_build_id_and_another_process_drops_its_caches(db, tmp_path):
    ids = [repository.build_id(db)]
    env = {**os.environ, "DATABASE_URL": db, "WIJKMONITOR_BUILD_CHECK_S": "1"}
    env.pop("WIJKMONITOR_READONLY_DATABASE_URL", None)
    reader = subprocess.Popen([sys.executable, "-c", CACHE_READER, str(ROOT / "views/data.py")], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def look() -> dict:
        reader.stdin.write("run\n")
        reader.stdin.flush()
        line = reader.stdout.readline()
        assert line, "the reading process ended"
        return json.loads(line)

    try:
        first = look()
        assert first["build"] == ids[0]
        statistics.import_file(db, REC / "statline/marginal_distributions_TheHague_2019_84583NED.csv")
        ids.append(repository.build_id(db))
        time.sleep(1.5)  # WIJKMONITOR_BUILD_CHECK_S
        second = look()
        assert second["build"] == ids[1]
        new = set(second["keys"]) - set(first["keys"])
        assert any("marginal_distributions_TheHague_2019_84583NED" in k for k in new), new
        statistics.reapply(db)
        ids.append(repository.build_id(db))
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)
    assert len(set(ids)) == len(ids) and all(ids)


# ------------------------------------------------------------------------------------ the Data page

@pytest.fixture
def page_env(monkeypatch, tmp_path, request):
    import streamlit as st

    class SqliteOnly:  # the page test runs on SQLite; the lifecycle tests above cover PostgreSQL
        param = "sqlite"
        getfixturevalue = request.getfixturevalue

    url = helpers.copy_db(SqliteOnly, tmp_path)
    accounts = tmp_path / "editors.toml"
    accounts.write_text(f'[editors.accounts]\ntester = "{HASH}"\n', encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    monkeypatch.setenv("WIJKMONITOR_EDITORS_FILE", str(accounts))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_data.clear()
    st.cache_resource.clear()


def data_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "views/data.py"), default_timeout=120)
    at.query_params["onderdeel"] = "Bijwerken"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def sign_in(at):
    at.text_input(key="data_user").input("tester")
    at.text_input(key="data_pw").input(PASSWORD)
    next(b for b in at.button if b.label == "Inloggen").click()
    at.run()
    assert any("Ingelogd als redacteur: tester" in s.value for s in at.success)
    return at


def texts(at) -> str:
    return " ".join([b.value for b in (*at.info, *at.success, *at.error, *at.warning)] +
                    [c.value for c in at.caption])


def refresh_button(at):
    return next(b for b in at.button if b.label == "Cijfers verversen bij CBS")


def test_data_page_follows_a_running_and_a_finished_job(page_env, cbs):
    at = sign_in(data_page())
    assert "Er is hier nog geen verversing bij CBS gestart." in texts(at)
    cbs.gate.clear()
    res = jobs.start_refresh(page_env, editor("anna"), tables=[TABLE])  # e.g. by an editor on another replica
    wait_for(page_env, res.job.id, lambda j: j.state == "bezig" and j.progress_message)
    at.run()
    shown = texts(at)
    assert "Verversing bij CBS bezig" in shown and "Gestart door anna op " in shown
    assert "de verversing loopt door" in shown
    assert any(TABLE in (p.proto.text or "") for p in at.get("progress"))
    assert refresh_button(at).disabled
    cbs.gate.set()
    wait_for(page_env, res.job.id, ended)
    at = sign_in(data_page())  # coming back later (a new session) shows the last job
    shown = texts(at)
    assert "Laatste verversing bij CBS: klaar." in shown and "Gestart door anna" in shown and "1 tabel bijgewerkt" in shown
    assert not refresh_button(at).disabled


def test_data_page_button_starts_a_job_that_outlives_the_script_run(page_env, cbs):
    at = sign_in(data_page())
    cbs.gate.clear()
    refresh_button(at).click()
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Verversing gestart door tester" in shown and "Gestart door tester op " in shown
    assert refresh_button(at).disabled
    job = jobs.latest_refresh(page_env)
    assert job.active and job.started_by == "tester"
    del at  # no script run is alive any more; the worker goes on by itself
    cbs.gate.set()
    # every table the catalog needs: the local server holds only the recorded ones, so the worker ends with
    # CBS's 404 for the first missing table, in Dutch
    done = wait_for(page_env, job.id, ended)
    assert done.state == "mislukt" and "CBS gaf een fout voor tabel" in done.error_message
    at = sign_in(data_page())
    shown = texts(at)
    assert "Laatste verversing bij CBS: mislukt." in shown and "Er is niets gewijzigd in de database" in shown


def test_migration_7_adds_the_jobs_table_to_a_database_of_today(empty_db):
    """A database migrated by the previous release (migrations 1–4) gets the jobs table, nothing else changes."""
    from loaders.db import get_engine
    from loaders.migrations import OPERATIONAL_TABLES, USER_TABLES, migrate_user_tables

    with get_engine(empty_db).begin() as conn:
        assert migrate_user_tables(conn, up_to=4) == [1, 2, 3, 4]
        assert not sa.inspect(conn).has_table("jobs", schema=jobs_table.schema)
    with get_engine(empty_db).begin() as conn:
        assert 7 in migrate_user_tables(conn)
        indexes = {i["name"]: i for i in sa.inspect(conn).get_indexes("jobs", schema=jobs_table.schema)}
    assert indexes["uq_jobs_one_active"]["unique"]
    assert jobs_table in OPERATIONAL_TABLES and jobs_table not in USER_TABLES  # operational: not backed up
    first = store.create(empty_db, store.REFRESH, "a")
    with pytest.raises(JobBusy):
        store.create(empty_db, store.REFRESH, "b")
    assert store.latest(empty_db).id == first.id
