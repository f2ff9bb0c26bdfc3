"""Use cases that write statistics: build, refresh, import. Each one recomputes the metric store in the same
transaction (the ``derive`` step) and loads exactly the variables the catalog needs (``wanted``)."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable, Iterable, Sequence

from loaders import programme, refresh as _refresh, statline_import
from loaders.auth import Editor
from loaders.build import build as _build
from metrics.store import compute_into
from metrics.variables import needed_variables

DERIVE = compute_into


@functools.lru_cache(maxsize=1)
def wanted() -> frozenset[str]:
    """The variables the metrics read (what a refresh or import loads for the catalog)."""
    return frozenset(needed_variables())


def build(url: str, national: bool = True, fail_after: str | None = None) -> dict:
    """Rebuild the statistics from ``data/`` (one transaction; programme data is migrated, never dropped).
    On SQLite the file is then compacted: a rebuild drops and rewrites every statistics table, and without it the
    freed pages of the previous build stay in the file (a rebuilt database would keep the size of the largest
    build it ever held)."""
    out = _build(url, national=national, fail_after=fail_after, derive=DERIVE)
    out["compacted"] = compact(url)
    return out


def compact(url: str) -> bool:
    """VACUUM the SQLite statistics file (not the programme file) when it holds free pages; False when another
    process holds it (the next build compacts it) or on PostgreSQL (autovacuum does this there)."""
    import sqlite3

    from loaders.db import get_engine

    eng = get_engine(url)
    if eng.dialect.name != "sqlite":
        return False
    # the driver connection itself: VACUUM cannot run inside the transaction SQLAlchemy's connection begins
    raw = eng.raw_connection()
    try:
        cur = raw.cursor()
        if not cur.execute("PRAGMA main.freelist_count").fetchone()[0]:
            return False
        cur.execute("PRAGMA busy_timeout=2000")
        cur.execute("VACUUM main")
        return True
    except sqlite3.OperationalError as exc:  # another process holds the file: the next build compacts it
        if "locked" in str(exc) or "busy" in str(exc):
            return False
        raise
    finally:
        raw.close()


def refresh(url: str, tables: Sequence[str] | None = None, gemeenten: Sequence[str] | None = None,
            progress: Callable | None = None, cache_dir: str | Path | None = None, discover: bool = False,
            odata: int = 3, **kwargs):
    """Fetch the catalog's tables from CBS open data and load them (see :func:`loaders.refresh.run`)."""
    return _refresh.run(url, tables=tables, gemeenten=gemeenten or _refresh.DEFAULT_GEMEENTEN, progress=progress,
                        cache_dir=cache_dir, discover=discover, odata=odata, derive=DERIVE, wanted=wanted(),
                        **kwargs)


def reapply(url: str) -> dict:
    """Re-apply the staged refreshes and imports without downloading."""
    return _refresh.reapply(url, derive=DERIVE)


def import_file(url: str, path_or_bytes: str | Path | bytes, filename: str | None = None,
                table_id: str | None = None):
    """Load a StatLine export (CSV met statistische symbolen, dataportal CSV or Excel)."""
    return statline_import.import_file(url, path_or_bytes, filename, table_id=table_id, derive=DERIVE,
                                       wanted=wanted())


def editor_refresh(url: str, editor: Editor, progress: Callable | None = None):
    """A refresh started by a signed-in editor, recorded in the change log."""
    return programme.refresh_data(url, editor, progress=progress, derive=DERIVE, wanted=wanted())


def editor_import(url: str, editor: Editor, data: bytes, file_name: str):
    """A StatLine import by a signed-in editor, recorded in the change log."""
    return programme.import_statline(url, editor, data, file_name, derive=DERIVE, wanted=wanted())


__all__: Iterable[str] = ("build", "refresh", "reapply", "import_file", "editor_refresh", "editor_import", "wanted")
