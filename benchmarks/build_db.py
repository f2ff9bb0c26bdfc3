"""Benchmark: build the full database (national health file included) and compare with a plain ``to_sql``.

    .venv/bin/python benchmarks/build_db.py                       # SQLite in a temporary directory
    .venv/bin/python benchmarks/build_db.py --postgres URL        # also PostgreSQL (fresh databases, dropped after)

Prints, per backend: the time to read and validate every source (``collect``), the time to write them
(``write``: all tables in one transaction, index included), the number of observations, and, measured in the
same run, the "floor": pandas ``DataFrame.to_sql`` of the same observation rows into a fresh, empty database.
Never touches data/wijkmonitor.sqlite.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from loaders import build as build_mod  # noqa: E402
from loaders import schema  # noqa: E402
from loaders.build import collect, write  # noqa: E402
from loaders.db import get_engine  # noqa: E402

OBS_COLS = ["area_code", "year", "variable_code", "age_group", "value", "status", "source_key"]


def _pg_database(base: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


def _pg_drop(base: str, url: str) -> None:
    get_engine.cache_clear()  # close pooled connections before dropping
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


class _Stopwatch:
    """Times calls of the two heavy steps inside ``write`` (instrumentation only: the real functions run)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def wrap(self, name: str, fn):
        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0
        return timed

    def __enter__(self):
        self._insert, self._index_create = build_mod._insert_observations, schema.OBS_AREA_INDEX.create
        build_mod._insert_observations = self.wrap("insert observations", self._insert)
        schema.OBS_AREA_INDEX.create = self.wrap("index", self._index_create)
        return self

    def __exit__(self, *exc):
        build_mod._insert_observations = self._insert
        schema.OBS_AREA_INDEX.create = self._index_create


def bench(backend: str, build_url: str, floor_target, bundle, t_collect: float) -> dict:
    obs = bundle.observation_frame()[OBS_COLS]
    with _Stopwatch() as sw:
        t0 = time.perf_counter()
        counts = write(get_engine(build_url), bundle)
        t_write = time.perf_counter() - t0
    get_engine(build_url).dispose()

    t0 = time.perf_counter()
    obs.to_sql("observations", floor_target, index=False)
    t_floor = time.perf_counter() - t0
    return {"backend": backend, "collect": t_collect, "write": t_write, "floor": t_floor, "steps": sw.seconds,
            "observations": counts["observations"], "areas": counts["areas"], "geometries": counts["geometries"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--postgres", metavar="URL", help="base URL of a PostgreSQL server to benchmark as well")
    ap.add_argument("--skip-sqlite", action="store_true", help="only PostgreSQL")
    args = ap.parse_args(argv)

    print("collecting every source (national 50090NED included) ...", flush=True)
    t0 = time.perf_counter()
    bundle = collect(national=True)
    t_collect = time.perf_counter() - t0

    print(f"collect: {t_collect:.1f} s")
    print(f"{'backend':<11} {'observations':>12} {'collect s':>10} {'write s':>8} {'build s':>8} "
          f"{'to_sql s':>9} {'write/to_sql':>13} {'build/to_sql':>13}", flush=True)
    failed = False
    with tempfile.TemporaryDirectory(prefix="wm-bench-build-") as tmp:
        if not args.skip_sqlite:
            build_url = f"sqlite:///{Path(tmp) / 'build.sqlite'}"
            con = sqlite3.connect(Path(tmp) / "floor.sqlite")
            try:
                r = bench("sqlite", build_url, con, bundle, t_collect)
            finally:
                con.close()
            r["size_mb"] = (Path(tmp) / "build.sqlite").stat().st_size / 1e6
            report(r)
    if args.postgres:
        build_url = _pg_database(args.postgres, "bench_build")
        floor_url = _pg_database(args.postgres, "bench_floor")
        floor_engine = sa.create_engine(floor_url)
        try:
            report(bench("postgresql", build_url, floor_engine, bundle, t_collect))
        except Exception as exc:  # report and go on: a failed build is a result too
            failed = True
            print(f"postgresql  BUILD FAILED: {type(exc).__name__}: {str(exc).splitlines()[0]}", flush=True)
        finally:
            floor_engine.dispose()
            _pg_drop(args.postgres, build_url)
            _pg_drop(args.postgres, floor_url)
    print("build = collect (read + validate all sources) + write (all tables, one transaction, index);"
          " to_sql = pandas DataFrame.to_sql of the same observation rows into an empty database (the floor).")
    return 1 if failed else 0


def report(r: dict) -> None:
    build_s = r["collect"] + r["write"]
    print(f"{r['backend']:<11} {r['observations']:>12,} {r['collect']:>10.1f} {r['write']:>8.1f} {build_s:>8.1f} "
          f"{r['floor']:>9.1f} {r['write'] / r['floor']:>13.2f} {build_s / r['floor']:>13.2f}")
    extra = f", database file {r['size_mb']:.0f} MB" if "size_mb" in r else ""
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in r["steps"].items())
    print(f"{'':<11} inside write: {steps}; {r['areas']:,} areas, {r['geometries']:,} geometries{extra}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
