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
    Setting("WIJKMONITOR_REPLICAS", "",
            "Deployment: ports of the app replicas (space-separated), checked by `python -m wijkmonitor health` "
            "and warmed by `warm` when none are given (docs/deploy.md)."),
    Setting("WIJKMONITOR_REFRESH_CACHE", str(ROOT / ".cache" / "cbs-refresh"),
            "Folder where a CBS refresh keeps downloaded tables, so an interrupted refresh resumes."),
]


def get(name: str) -> str:
    for s in SETTINGS:
        if s.name == name:
            return s.value
    raise KeyError(name)


def database_url() -> str:
    return get("DATABASE_URL")
