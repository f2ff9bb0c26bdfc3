"""The CBS refresh as a job: one at a time across all replicas and the command line, outside the script run.

- :func:`start_refresh` (the Data page) records a job for a signed-in editor and launches a detached worker
  process, ``python -m wijkmonitor job run ID``, in its own session: the refresh keeps running when the editor
  leaves or reloads the page and when the Streamlit script run ends. A second start while one runs is refused
  with who started it and when.
- :func:`run_job` (the worker) claims the job, refreshes (the metric store recomputed in the same transaction,
  :func:`wijkmonitor.statistics.refresh`), writes progress and a heartbeat into the job row, and ends it
  ``klaar`` with the change-log entry of the editor who started it, or ``mislukt`` with a Dutch message.
- :func:`refresh_locked` (``python -m wijkmonitor refresh``, e.g. from the monthly timer) takes the same lock
  and runs in its own process.

The database enforces "one active refresh" (loaders/jobs.py); a worker that stops reporting for
``WIJKMONITOR_JOB_STALE_S`` seconds (or whose process is gone, on the same host) is taken over by the next start.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from loaders import jobs as store
from loaders.auth import Editor, require_editor
from loaders.cbs import OfflineError, RefreshError
from loaders.db import DatabaseUnavailable
from loaders.errors import LoadError
from loaders.jobs import REFRESH, Job, JobBusy
from loaders.settings import ROOT
from models.refresh_job import busy_message, when  # noqa: F401 (re-exported)

from . import statistics

EXIT_BUSY = 5  # exit code of `refresh` and `job run` when another refresh is active


@dataclass(frozen=True)
class StartResult:
    job: Job | None
    started: bool
    message: str


class TakenOver(RuntimeError):
    """This worker's job was marked 'afgebroken' by a new start (it had stopped reporting)."""


class Stopped(BaseException):
    """The worker was asked to stop (SIGTERM, e.g. a server shutdown): the refresh's transaction rolls back."""


def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
    raise Stopped()


def start_refresh(url: str, editor: Editor, *, tables: list[str] | None = None,
                  gemeenten: list[str] | None = None, odata: int = 3, discover: bool = False,
                  stale_s: float | None = None) -> StartResult:
    """Record a refresh job for ``editor`` and launch its worker; or, when one is active, return that one with
    a Dutch 'er loopt al een verversing' message."""
    editor = require_editor(editor)
    store.ensure_table(url)
    options = {"tables": tables, "gemeenten": gemeenten, "odata": odata, "discover": discover}
    try:
        job = store.create(url, REFRESH, editor.name, options, stale_s=stale_s)
    except JobBusy as busy:
        return StartResult(busy.job, False, busy_message(busy.job))
    try:
        launch_worker(url, job.id)
    except OSError as exc:
        store.finish(url, job.id, "mislukt", error=f"De verwerking kon niet worden gestart ({type(exc).__name__}). "
                                                   "Er is niets gewijzigd in de database.")
        return StartResult(store.get(url, job.id), False, "De verversing kon niet worden gestart.")
    return StartResult(job, True, f"Verversing gestart door {editor.name} op {when(job.created_at)}. U kunt de "
                                  "pagina verlaten; de verversing loopt door.")


def log_path(job_id: int) -> Path:
    """Where a worker's output goes (one file per job, in the system's temporary folder)."""
    d = Path(tempfile.gettempdir()) / "wijkmonitor-jobs"
    d.mkdir(parents=True, exist_ok=True)
    return d / f"job-{job_id}.log"


def launch_worker(url: str, job_id: int) -> subprocess.Popen:
    """``python -m wijkmonitor job run ID`` as a detached process (own session, no terminal, output to its log).
    The database URL goes through the environment, not the command line (``ps`` shows arguments)."""
    env = {**os.environ, "DATABASE_URL": url}
    with open(log_path(job_id), "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "wijkmonitor", "job", "run", str(job_id)], cwd=str(ROOT),
                                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True)


class _Heartbeat:
    """Beats every few seconds in a thread (also while the one write transaction runs, when no progress
    arrives); notices when the job was taken over."""

    def __init__(self, url: str, job_id: int, every: float):
        self.url, self.job_id, self.every = url, job_id, every
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if not store.beat(self.url, self.job_id):
                    self.lost.set()
                    return
            except Exception:  # noqa: BLE001 - a locked or briefly unreachable database: try again next beat
                continue

    def __enter__(self) -> "_Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def _error_text(exc: BaseException) -> tuple[str, int]:
    """The Dutch message for the job row and the exit code."""
    if isinstance(exc, TakenOver):
        return str(exc), EXIT_BUSY
    if isinstance(exc, Stopped):
        return ("Afgebroken: de verwerking is gestopt (bijvoorbeeld bij een herstart van de server) voordat de "
                "verversing klaar was. Er is niets gewijzigd in de database; start de verversing opnieuw."), 1
    if isinstance(exc, (RefreshError, LoadError)):
        msg = str(exc)
        if "niets gewijzigd" not in msg:
            msg += " Er is niets gewijzigd in de database."
        return msg, 3 if isinstance(exc, OfflineError) else 2
    if isinstance(exc, DatabaseUnavailable):
        return f"{exc} Er is niets gewijzigd in de database.", 1
    return (f"Verversen is mislukt door een onverwachte fout ({type(exc).__name__}). Er is niets gewijzigd in de "
            "database. De beheerder vindt de details in het logboek van de verwerking."), 1


def _execute(url: str, job: Job, echo: Callable | None) -> int:
    """Run the refresh of an active job that belongs to this process; end it klaar/mislukt."""
    every = max(1.0, min(15.0, store.stale_after() / 4))
    opts = job.options
    with _Heartbeat(url, job.id, every) as hb:
        def progress(p) -> None:
            if echo:
                echo(p)
            if hb.lost.is_set() or not store.beat(url, job.id, p.step, p.total, p.message):
                raise TakenOver("Afgebroken: een nieuwe verversing heeft deze overgenomen. Er is niets gewijzigd "
                                "in de database.")

        try:
            summary = statistics.refresh(url, tables=opts.get("tables"), gemeenten=opts.get("gemeenten"),
                                         progress=progress, discover=bool(opts.get("discover")),
                                         odata=int(opts.get("odata") or 3), cache_dir=opts.get("cache_dir"))
        except BaseException as exc:  # noqa: BLE001 - every failure ends the job with a Dutch message
            msg, code = _error_text(exc)
            if not isinstance(exc, (TakenOver, Stopped, RefreshError, LoadError, DatabaseUnavailable)):
                traceback.print_exc()  # the worker's log; the page shows only the Dutch message
            if not isinstance(exc, TakenOver):
                store.finish(url, job.id, "afgebroken" if isinstance(exc, Stopped) else "mislukt", error=msg)
            print(f"FOUT: {msg}", file=sys.stderr, flush=True)
            if isinstance(exc, KeyboardInterrupt):
                raise
            return code
    result = summary.message()
    store.finish(url, job.id, "klaar", result=result, change={"samenvatting": result})
    for w in summary.warnings:
        print(f"  let op: {w}", flush=True)
    return 0


def run_job(url: str, job_id: int, echo: Callable | None = None) -> int:
    """The worker: claim queued job ``job_id`` and run it. Exit code 0 when done, non-zero otherwise."""
    job = store.get(url, job_id)
    if job is None:
        print(f"FOUT: taak {job_id} bestaat niet.", file=sys.stderr)
        return 2
    if not store.claim(url, job_id):
        print(f"Taak {job_id} wacht niet (meer) op uitvoering: toestand '{job.state}'.", file=sys.stderr)
        return EXIT_BUSY
    signal.signal(signal.SIGTERM, _stop)  # a stop request ends the job 'afgebroken', not silently
    return _execute(url, store.get(url, job_id) or job, echo)


def refresh_locked(url: str, started_by: str, echo: Callable | None = None, *, tables=None, gemeenten=None,
                   odata: int = 3, discover: bool = False, cache_dir: str | None = None) -> int:
    """A refresh in this process under the same one-at-a-time lock (the command line, the monthly timer).
    Raises :class:`loaders.jobs.JobBusy` (with the Dutch message) when another refresh is active."""
    store.ensure_table(url)
    options = {"tables": tables, "gemeenten": gemeenten, "odata": odata, "discover": discover,
               "cache_dir": str(cache_dir) if cache_dir else None}
    try:
        job = store.create(url, REFRESH, started_by, options, run_here=True)
    except JobBusy as busy:
        raise JobBusy(busy.job, busy_message(busy.job)) from None
    return _execute(url, job, echo)


def latest_refresh(url: str) -> Job | None:
    """The running refresh job, else the last one (None: never run here)."""
    return store.latest(url, REFRESH)
