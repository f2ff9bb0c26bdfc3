"""Commands for jobs: ``job run ID`` (the worker the Data page launches) and ``job status``."""
from __future__ import annotations

import sys

from loaders import jobs as store, settings
from loaders.db import DatabaseUnavailable

from . import jobs

_URL_HELP = "database URL (default: $DATABASE_URL or the embedded SQLite)"


def register(sub) -> None:
    j = sub.add_parser("job", help="jobs: the CBS refresh started on the Data page (worker and status)")
    jsub = j.add_subparsers(dest="job_cmd", required=True)
    r = jsub.add_parser("run", help="run queued job ID (the Data page starts this as a detached process)")
    r.add_argument("id", type=int)
    r.add_argument("--url", default=None, help=_URL_HELP)
    r.set_defaults(func=_run)
    s = jsub.add_parser("status", help="the running refresh, or the last ones")
    s.add_argument("--url", default=None, help=_URL_HELP)
    s.add_argument("--aantal", type=int, default=5, help="how many recent jobs to list (default 5)")
    s.set_defaults(func=_status)


def _print_progress(p) -> None:
    print(p.message, flush=True)


def _run(args) -> int:
    url = args.url or settings.database_url()
    try:
        return jobs.run_job(url, args.id, echo=_print_progress)
    except DatabaseUnavailable as exc:
        print(f"FOUT: {exc}", file=sys.stderr)
        return 1


def describe(job: store.Job) -> str:
    line = f"taak {job.id} ({job.kind}): {job.state}, gestart door {job.started_by} op {jobs.when(job.created_at)}"
    if job.active:
        line += f"; stap {job.progress_step} van {job.progress_total}: {job.progress_message or 'wacht op start'}"
        if job.worker_pid:
            line += f" [server {job.worker_host}, proces {job.worker_pid}]"
    elif job.finished_at:
        line += f"; geëindigd op {jobs.when(job.finished_at)}: {job.result_message or job.error_message or ''}"
    return line


def _status(args) -> int:
    url = args.url or settings.database_url()
    try:
        store.ensure_table(url)
        store.current(url, store.REFRESH)  # a dead worker's job is marked 'afgebroken' first
        recent = store.recent(url, store.REFRESH, args.aantal)
    except DatabaseUnavailable as exc:
        print(f"FOUT: {exc}", file=sys.stderr)
        return 1
    if not recent:
        print("Er is nog geen verversing als taak gestart.")
    for job in recent:
        print(describe(job))
    return 0
