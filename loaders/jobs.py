"""The jobs table: long work (the CBS refresh) recorded as a row that any process can read.

A job is created in state ``wachtrij`` (or directly ``bezig`` by a process that runs it itself, e.g. the
command line), claimed by its worker (``bezig``, with host and process id), kept alive with a heartbeat and
progress, and ends ``klaar``, ``mislukt`` (with a Dutch error message) or ``afgebroken`` (its worker stopped
reporting and a new start took over). At most one job per kind is active (``wachtrij`` or ``bezig``): the
partial unique index ``uq_jobs_one_active`` (loaders/migrations.py) makes the database refuse a second one,
across every replica and the command line alike.

All SQL on the table is here, on the SQLAlchemy Core table, through :mod:`loaders.db`.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from . import settings
from .db import connect, transaction
from .migrations import ACTIVE_JOB_STATES, change_log, jobs, migrate_user_tables

REFRESH = "refresh"


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _utc(v: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without a zone; they are stored in UTC."""
    if v is None:
        return None
    return v.replace(tzinfo=dt.timezone.utc) if v.tzinfo is None else v.astimezone(dt.timezone.utc)


def stale_after() -> float:
    """Seconds without a heartbeat after which a job's worker counts as dead (WIJKMONITOR_JOB_STALE_S)."""
    return float(settings.get("WIJKMONITOR_JOB_STALE_S"))


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    state: str
    started_by: str
    created_at: dt.datetime
    heartbeat_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    progress_step: int = 0
    progress_total: int = 0
    progress_message: str | None = None
    result_message: str | None = None
    error_message: str | None = None
    worker_host: str | None = None
    worker_pid: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_JOB_STATES

    @classmethod
    def from_row(cls, row) -> "Job":
        m = dict(row._mapping)
        for k in ("created_at", "started_at", "finished_at", "heartbeat_at"):
            m[k] = _utc(m[k])
        m["options"] = json.loads(m["options"]) if m.get("options") else {}
        return cls(**m)


class JobBusy(RuntimeError):
    """Another job of the same kind is active; ``job`` is that job (None if it ended in the meantime)."""

    def __init__(self, job: Job | None, message: str):
        super().__init__(message)
        self.job = job


def ensure_table(url: str | None) -> None:
    """Apply pending user-table migrations (the jobs table is migration 7)."""
    with transaction(url) as conn:
        migrate_user_tables(conn)


def host() -> str:
    return socket.gethostname()[:255]


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` on this host still runs (a zombie counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _dead(job: Job, at: dt.datetime, stale_s: float) -> str | None:
    """Why an active job's worker counts as dead, or None when it may still be working."""
    if (at - job.heartbeat_at).total_seconds() > stale_s:
        return "gaf te lang geen teken van leven"
    if job.worker_pid and job.worker_host == host() and not pid_alive(job.worker_pid):
        return "is gestopt"
    return None


def take_over_stale(url: str | None, kind: str, stale_s: float | None = None) -> list[int]:
    """Mark active jobs whose worker died as ``afgebroken``; returns their ids."""
    stale_s = stale_after() if stale_s is None else stale_s
    taken = []
    with transaction(url) as conn:
        rows = conn.execute(sa.select(jobs).where(jobs.c.kind == kind, jobs.c.state.in_(ACTIVE_JOB_STATES))).all()
        at = now()
        for job in map(Job.from_row, rows):
            why = _dead(job, at, stale_s)
            if why is None:
                continue
            where = f" (server {job.worker_host}, proces {job.worker_pid})" if job.worker_pid else ""
            msg = (f"Afgebroken: de verwerking{where} {why} voordat de verversing klaar was. Een verversing "
                   "schrijft alles in één transactie of niets; start de verversing opnieuw.")
            res = conn.execute(jobs.update().where(jobs.c.id == job.id, jobs.c.state.in_(ACTIVE_JOB_STATES))
                               .values(state="afgebroken", finished_at=at, error_message=msg))
            if res.rowcount:
                taken.append(job.id)
    return taken


def create(url: str | None, kind: str, started_by: str, options: dict | None = None, *, run_here: bool = False,
           stale_s: float | None = None) -> Job:
    """A new active job (``wachtrij``; ``bezig`` on this process with ``run_here``). Raises :class:`JobBusy`
    when one of the same kind is active and alive; a dead one is taken over first."""
    take_over_stale(url, kind, stale_s)
    at = now()
    values = dict(kind=kind, state="wachtrij", started_by=started_by, created_at=at, heartbeat_at=at,
                  options=json.dumps(options or {}, ensure_ascii=False, sort_keys=True))
    if run_here:
        values.update(state="bezig", started_at=at, worker_host=host(), worker_pid=os.getpid())
    try:
        with transaction(url) as conn:
            job_id = conn.execute(jobs.insert().values(**values)).inserted_primary_key[0]
    except sa.exc.IntegrityError:
        running = active(url, kind)
        raise JobBusy(running, f"Er loopt al een taak '{kind}' (nummer {running.id if running else '?'}).") from None
    job = get(url, int(job_id))
    assert job is not None
    return job


def claim(url: str | None, job_id: int) -> bool:
    """The worker takes a queued job (``wachtrij`` → ``bezig``); False when it is not queued (any more)."""
    at = now()
    with transaction(url) as conn:
        res = conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.state == "wachtrij").values(
            state="bezig", started_at=at, heartbeat_at=at, worker_host=host(), worker_pid=os.getpid()))
        return bool(res.rowcount)


def beat(url: str | None, job_id: int, step: int | None = None, total: int | None = None,
         message: str | None = None) -> bool:
    """Heartbeat (and progress, when given) of a running job; False when the job is no longer this worker's
    (taken over or ended), so the worker stops."""
    values: dict[str, Any] = {"heartbeat_at": now()}
    if step is not None:
        values["progress_step"] = int(step)
    if total is not None:
        values["progress_total"] = int(total)
    if message is not None:
        values["progress_message"] = message
    with transaction(url) as conn:
        res = conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.state == "bezig",
                                               jobs.c.worker_pid == os.getpid(),
                                               jobs.c.worker_host == host()).values(**values))
        return bool(res.rowcount)


def finish(url: str | None, job_id: int, state: str, *, result: str | None = None, error: str | None = None,
           change: dict | None = None) -> bool:
    """End an active job (``klaar`` | ``mislukt`` | ``afgebroken``); with ``change`` the change-log entry of the
    job's starter (table ``observations``, action ``refresh``) in the same transaction. False when the job was
    no longer active (taken over)."""
    assert state in ("klaar", "mislukt", "afgebroken")
    at = now()
    with transaction(url) as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
        if row is None:
            return False
        job = Job.from_row(row)
        values: dict[str, Any] = dict(state=state, finished_at=at, heartbeat_at=at, result_message=result,
                                      error_message=error)
        if state == "klaar":
            values["progress_step"] = max(job.progress_step, job.progress_total)
        res = conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.state.in_(ACTIVE_JOB_STATES))
                           .values(**values))
        if not res.rowcount:
            return False
        if change is not None:
            conn.execute(change_log.insert().values(
                at=at, user_name=job.started_by, table_name="observations", record_id=None, action=job.kind,
                old_value=None, new_value=json.dumps({**change, "taak": job.id}, default=str, ensure_ascii=False)))
        return True


def get(url: str | None, job_id: int) -> Job | None:
    with connect(url) as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    return Job.from_row(row) if row is not None else None


def active(url: str | None, kind: str = REFRESH) -> Job | None:
    with connect(url) as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.kind == kind, jobs.c.state.in_(ACTIVE_JOB_STATES))
                           .order_by(jobs.c.id.desc()).limit(1)).first()
    return Job.from_row(row) if row is not None else None


def latest(url: str | None, kind: str = REFRESH) -> Job | None:
    """The active job of ``kind`` if there is one, else the last one that ended (None: never run, or the table
    does not exist yet)."""
    try:
        return active(url, kind) or _last(url, kind)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
        if "jobs" in str(exc).lower() and ("no such table" in str(exc).lower() or "does not exist" in str(exc).lower()):
            return None
        raise


def current(url: str | None, kind: str = REFRESH, stale_s: float | None = None) -> Job | None:
    """Like :func:`latest`, but an active job whose worker died is first marked ``afgebroken`` (so a page never
    shows a dead job as running, e.g. after a server restart killed its worker)."""
    job = latest(url, kind)
    if job is not None and job.active and _dead(job, now(), stale_after() if stale_s is None else stale_s):
        take_over_stale(url, kind, stale_s)
        job = latest(url, kind)
    return job


def _last(url: str | None, kind: str) -> Job | None:
    with connect(url) as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.kind == kind).order_by(jobs.c.id.desc()).limit(1)).first()
    return Job.from_row(row) if row is not None else None


def recent(url: str | None, kind: str = REFRESH, limit: int = 10) -> list[Job]:
    with connect(url) as conn:
        rows = conn.execute(sa.select(jobs).where(jobs.c.kind == kind).order_by(jobs.c.id.desc()).limit(limit)).all()
    return [Job.from_row(r) for r in rows]
