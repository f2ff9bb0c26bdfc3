"""Self-documenting settings (datasette style): name, default, help text.

Every setting can be overridden with an environment variable of the same name.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def value(self) -> str:
        return os.environ.get(self.name, self.default)


SETTINGS = [
    Setting(
        "DATABASE_URL",
        f"sqlite:///{DATA_DIR / 'wijkmonitor.sqlite'}",
        "SQLAlchemy URL of the database. Default: the embedded SQLite file built from data/. "
        "Deployment: postgresql+psycopg://user:pass@host/db",
    ),
    Setting(
        "WIJKMONITOR_READONLY_DATABASE_URL",
        "",
        "Optional URL with a read-only role, used by the app for viewing (PostgreSQL).",
    ),
    Setting(
        "WIJKMONITOR_PROGRAMME_DATABASE",
        "",
        "SQLite only: the file with the programme data (targets, decisions, participation, decks, change log), "
        "attached as schema 'programma'. Default: beside the statistics file, '<name>-programma.sqlite' "
        "(data/wijkmonitor-programma.sqlite). No build, `make db` or `make clean` touches it. On PostgreSQL the "
        "programme data is the schema 'programma' of the same database.",
    ),
    Setting("WIJKMONITOR_QUERY_TIMEOUT_MS", "10000", "Statement time limit for one query (PostgreSQL)."),
    Setting("WIJKMONITOR_CACHE_TTL_S", "3600", "How long the app caches query results, in seconds."),
    Setting("WIJKMONITOR_EDITORS_FILE", "",
            "Optional TOML file with editor accounts (alternative to .streamlit/secrets.toml)."),
    Setting("WIJKMONITOR_SIGNIN_MAX_FAILURES", "5",
            "Failed password sign-ins on one account name, within the window, after which that name is locked."),
    Setting("WIJKMONITOR_SIGNIN_MAX_FAILURES_CLIENT", "20",
            "Failed password sign-ins from one client address, within the window, after which that address is "
            "locked (higher than per account: an office behind one address shares it)."),
    Setting("WIJKMONITOR_SIGNIN_WINDOW_MIN", "15", "Minutes in which failed sign-ins are counted together."),
    Setting("WIJKMONITOR_SIGNIN_LOCK_MIN", "15", "Minutes an account name or client address stays locked."),
    Setting("WIJKMONITOR_TRUSTED_PROXIES", "",
            "Comma-separated addresses of reverse proxies (besides loopback) whose X-Real-IP header names the "
            "client for sign-in throttling and the sign-in log."),
    Setting("WIJKMONITOR_REPLICAS", "",
            "Deployment: ports of the app replicas (space-separated), checked by `python -m wijkmonitor health` "
            "and warmed by `warm` when none are given (docs/deploy.md)."),
    Setting("WIJKMONITOR_REFRESH_CACHE", str(ROOT / ".cache" / "cbs-refresh"),
            "Folder where a CBS refresh keeps downloaded tables, so an interrupted refresh resumes."),
    Setting("WIJKMONITOR_CBS_ODATA3_URL", "",
            "Base URL of CBS open data OData 3 (the cbsodata client's catalog), for a mirror or proxy. "
            "Empty: https://opendata.cbs.nl"),
    Setting("WIJKMONITOR_CBS_DATADERDEN_URL", "",
            "Base URL of the CBS third-party catalog OData 3 (RIVM/GGD health tables), for a mirror or proxy. "
            "Empty: https://dataderden.cbs.nl"),
    Setting("WIJKMONITOR_CBS_ODATA4_URL", "",
            "Base URL of CBS OData 4, for a mirror or proxy. Empty: https://odata4.cbs.nl"),
    Setting("WIJKMONITOR_JOB_STALE_S", "300",
            "A refresh job whose worker has not reported for this many seconds counts as dead; the next start "
            "takes over (marks it 'afgebroken')."),
    Setting("WIJKMONITOR_BUILD_CHECK_S", "30",
            "How often (seconds) each app process checks the database's build id; a new id (after a build, "
            "refresh or import on any replica) drops the process's cached figures."),
]


def get(name: str) -> str:
    for s in SETTINGS:
        if s.name == name:
            return s.value
    raise KeyError(name)


def database_url() -> str:
    return get("DATABASE_URL")


def programme_database(url: str) -> str:
    """The SQLite file that holds the programme data for the statistics database at ``url`` (':memory:' for an
    in-memory database)."""
    explicit = get("WIJKMONITOR_PROGRAMME_DATABASE")
    if explicit:
        return explicit
    import sqlalchemy as sa

    path = sa.engine.make_url(url).database
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return ":memory:"
    p = Path(path.removeprefix("file:"))
    return str(p.with_name(f"{p.stem}-programma{p.suffix or '.sqlite'}"))
