"""The embedded database stays within the size issue 24 allows: the full build (`make db`: national 50090NED
file, national map, metric store) into a fresh SQLite file is at most 60 MB (10^6 bytes).

On failure the message lists the tables and indexes that take the space (SQLite's dbstat, as sqlite3_analyzer).
Measured 2026-12-02: 53.3 MB (national_health 34.1 MB, observations 4.7, metric_values 3.8, geometries 3.5,
metric_comparisons 2.8, area_versions 1.7, areas with indexes 2.0, the national map TopoJSON 0.4).
"""
from __future__ import annotations

import sqlite3

import pytest

from wijkmonitor.statistics import build

pytestmark = pytest.mark.national

LIMIT_BYTES = 60_000_000


def space_by_object(path) -> list[tuple[str, int]]:
    """(table or index, bytes of its pages), largest first."""
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    finally:
        con.close()


def test_the_full_build_is_at_most_60_mb(tmp_path):
    db = tmp_path / "wijkmonitor.sqlite"
    build(f"sqlite:///{db}")  # what `make db` runs (python -m wijkmonitor build)
    size = db.stat().st_size
    top = ", ".join(f"{name} {n / 1e6:.2f} MB" for name, n in space_by_object(db)[:8])
    assert size <= LIMIT_BYTES, f"database {size / 1e6:.2f} MB > 60 MB; largest: {top}"
    # the check itself sees the whole file: the pages it counts are the file
    assert sum(n for _, n in space_by_object(db)) == size


def test_a_rebuild_does_not_keep_the_previous_builds_free_pages(tmp_path):
    """Every statistics table is dropped and rewritten by a build; the file is compacted afterwards, so a
    rebuilt database is as small as a fresh one (not the size of the largest build it ever held)."""
    from wijkmonitor.statistics import build

    url = f"sqlite:///{tmp_path / 'twice.sqlite'}"
    build(url, national=False)
    first = (tmp_path / "twice.sqlite").stat().st_size
    # an earlier, larger build (e.g. by older code): 20 MB more in a table every build rewrites
    con = sqlite3.connect(tmp_path / "twice.sqlite")
    con.executemany("INSERT INTO derived (kind, key, payload) VALUES ('old', ?, ?)",
                    [(str(i), "x" * 100_000) for i in range(200)])
    con.commit()
    con.close()
    assert (tmp_path / "twice.sqlite").stat().st_size > first + 15_000_000
    out = build(url, national=False)
    assert out["compacted"] is True
    assert (tmp_path / "twice.sqlite").stat().st_size <= first * 1.02
