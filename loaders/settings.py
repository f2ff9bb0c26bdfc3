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
    Setting("WIJKMONITOR_QUERY_TIMEOUT_MS", "10000", "Statement time limit for one query (PostgreSQL)."),
    Setting("WIJKMONITOR_CACHE_TTL_S", "3600", "How long the app caches query results, in seconds."),
    Setting("WIJKMONITOR_EDITORS_FILE", "",
            "Optional TOML file with editor accounts (alternative to .streamlit/secrets.toml)."),
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
