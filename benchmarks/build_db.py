"""Benchmark: build the full database (national health file included) against a plain ``executemany`` floor.

    .venv/bin/python benchmarks/build_db.py                       # SQLite in a temporary directory
    .venv/bin/python benchmarks/build_db.py --postgres URL        # also PostgreSQL (fresh databases, dropped after)

Prints, per backend: the time to read and validate every source (``collect``), the time to write them
(``write``: the raw store, the wide national table, boundary events and the metric store, all in one
transaction), the database size, and, measured in the same run, the "floor": a plain DB-API ``executemany`` of
the same non-null observation rows (text keys, as collected) into an empty table without keys, in one
transaction. Never touches data/wijkmonitor.sqlite.
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

import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from loaders import store  # noqa: E402
from loaders.build import collect, write  # noqa: E402
from loaders.db import get_engine  # noqa: E402
from metrics import store as metric_store  # noqa: E402

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
    """Times calls of the heavy steps inside ``write`` (instrumentation only: the real functions run)."""

    STEPS = ((store, "insert_observations", "raw store"), (store, "write_national", "national table"))

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
        self._saved = [(mod, attr, getattr(mod, attr)) for mod, attr, _ in self.STEPS]
        for (mod, attr, name), (_, _, fn) in zip(self.STEPS, self._saved):
            setattr(mod, attr, self.wrap(name, fn))
        self.derive = self.wrap("metric store", metric_store.compute_into)
        return self

    def __exit__(self, *exc):
        for mod, attr, fn in self._saved:
            setattr(mod, attr, fn)


def floor(conn, rows: list[tuple], placeholder: str) -> float:
    """Plain executemany of the rows into a table without keys, one transaction (the floor)."""
    t0 = time.perf_counter()
    cur = conn.cursor()
    cur.execute("CREATE TABLE floor_obs (area_code TEXT, year INTEGER, variable_code TEXT, age_group TEXT, "
                "value DOUBLE PRECISION, status TEXT, source_key TEXT)")
    cur.executemany(f"INSERT INTO floor_obs VALUES ({', '.join([placeholder] * 7)})", rows)
    conn.commit()
    return time.perf_counter() - t0


def bench(backend: str, build_url: str, floor_conn, placeholder: str, bundle, t_collect: float) -> dict:
    obs = bundle.observation_frame()[OBS_COLS]
    if bundle.national is not None:  # the wide national cells, as the long rows they are in the source file
        nat = bundle.national.drop(columns=["geheim"]).melt(id_vars=["regio_code", "jaar", "leeftijd"],
                                                             var_name="variable_code", value_name="value")
        nat = nat.rename(columns={"regio_code": "area_code", "jaar": "year", "leeftijd": "age_group"})
        obs = pd.concat([obs, nat.assign(status="ok", source_key=bundle.national_source)[OBS_COLS]],
                        ignore_index=True)
    obs = obs[obs["value"].notna()]
    rows = list(zip(obs["area_code"], obs["year"].astype(int).tolist(), obs["variable_code"], obs["age_group"],
                    obs["value"].astype(float).tolist(), obs["status"], obs["source_key"]))
    with _Stopwatch() as sw:
        t0 = time.perf_counter()
        counts = write(get_engine(build_url), bundle, derive=sw.derive)
        t_write = time.perf_counter() - t0
    get_engine(build_url).dispose()
    t_floor = floor(floor_conn, rows, placeholder)
    return {"backend": backend, "collect": t_collect, "write": t_write, "floor": t_floor, "steps": sw.seconds,
            "observations": counts["observations"], "floor_rows": len(rows), "areas": counts["areas"],
            "geometries": counts["geometries"]}


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
          f"{'floor s':>9} {'write/floor':>12} {'build/floor':>12}", flush=True)
    failed = False
    with tempfile.TemporaryDirectory(prefix="wm-bench-build-") as tmp:
        if not args.skip_sqlite:
            build_url = f"sqlite:///{Path(tmp) / 'build.sqlite'}"
            con = sqlite3.connect(Path(tmp) / "floor.sqlite")
            try:
                r = bench("sqlite", build_url, con, "?", bundle, t_collect)
            finally:
                con.close()
            r["size_mb"] = (Path(tmp) / "build.sqlite").stat().st_size / 1e6
            report(r)
    if args.postgres:
        build_url = _pg_database(args.postgres, "bench_build")
        floor_url = _pg_database(args.postgres, "bench_floor")
        import psycopg

        floor_conn = psycopg.connect(floor_url.replace("postgresql+psycopg://", "postgresql://"))
        try:
            r = bench("postgresql", build_url, floor_conn, "%s", bundle, t_collect)
            with psycopg.connect(build_url.replace("postgresql+psycopg://", "postgresql://")) as c:
                r["size_mb"] = c.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
            report(r)
        except Exception as exc:  # report and go on: a failed build is a result too
            failed = True
            print(f"postgresql  BUILD FAILED: {type(exc).__name__}: {str(exc).splitlines()[0]}", flush=True)
        finally:
            floor_conn.close()
            _pg_drop(args.postgres, build_url)
            _pg_drop(args.postgres, floor_url)
    print("build = collect (read + validate all sources) + write (raw store, national table, boundaries, metric "
          "store; one transaction); floor = executemany of the same non-null observation rows, one transaction.")
    return 1 if failed else 0


def report(r: dict) -> None:
    build_s = r["collect"] + r["write"]
    print(f"{r['backend']:<11} {r['observations']:>12,} {r['collect']:>10.1f} {r['write']:>8.1f} {build_s:>8.1f} "
          f"{r['floor']:>9.1f} {r['write'] / r['floor']:>12.2f} {build_s / r['floor']:>12.2f}")
    extra = f", database file {r['size_mb']:.0f} MB" if "size_mb" in r else ""
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in r["steps"].items())
    print(f"{'':<11} inside write: {steps}; floor rows {r['floor_rows']:,}; {r['areas']:,} areas, "
          f"{r['geometries']:,} geometries{extra}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
