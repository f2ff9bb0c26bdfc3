"""Benchmark: validating and storing uploads of own measurements (eigen metingen), against the metric-store step
for the same rows and a plain ``executemany`` floor, measured in the same run.

    .venv/bin/python benchmarks/own_upload.py                  # SQLite in a temporary directory
    .venv/bin/python benchmarks/own_upload.py --postgres URL   # also PostgreSQL (a fresh database, dropped after)

10,000 rows cannot be one upload: one indicator has at most one value per area and period, and Maastricht has 52
areas (gemeente, 7 wijken, 44 buurten) and 108 quarters from 2000-K1 to 2026-K4 (5,616 rows). So the benchmark
uploads two made-up register indicators of 5,000 rows each (50 areas × 100 quarters), 10,000 rows in all, and
prints per backend:

- ``upload``: read, validate and store both files (loaders.own_indicators.load_values, one transaction each,
  change log included), without the metric-store step;
- ``store step``: metrics.store.compute_own_into for the 10,000 stored rows (intervals, suppression, changes);
- ``floor``: a plain DB-API ``executemany`` of the same 10,000 value rows into an empty table, in one transaction;
- the ratios upload / store step and upload / floor.

Made-up values, in a throw-away database: never data/wijkmonitor.sqlite.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from build_db import _pg_database, _pg_drop  # noqa: E402
from loaders import auth, own_indicators as own  # noqa: E402
from loaders.config import MAASTRICHT  # noqa: E402
from loaders.db import get_engine, transaction  # noqa: E402
from loaders.migrations import migrate_user_tables  # noqa: E402
from loaders.repository import gemeente_area_codes  # noqa: E402
from metrics.store import compute_own_into  # noqa: E402
from wijkmonitor import statistics  # noqa: E402

N_AREAS, N_QUARTERS = 50, 100

DEFS = "".join(f'''
[[indicator]]
id = "bench_{i}"
label = "Benchmark {i}"
pijler = "bestaanszekerheid"
soort = "register"
eenheid = "per_1000"
richting = "neutraal"
definitie = "Gemaakt voor de benchmark."
bron = "benchmark"
frequentie = "kwartaal"
''' for i in (1, 2)).encode()


def _file(areas: list[str], seed: int) -> bytes:
    rnd = random.Random(seed)
    lines = ["gebiedscode;periode;teller;noemer"]
    for q in range(N_QUARTERS):
        periode = f"{2000 + q // 4}-K{q % 4 + 1}"
        for a in areas:
            noemer = rnd.randint(500, 5000)
            lines.append(f"{a};{periode};{rnd.randint(0, noemer // 10)};{noemer}")
    return ("\n".join(lines) + "\n").encode()


def run(url: str) -> dict:
    statistics.build(url, national=False)
    with get_engine(url).begin() as conn:
        migrate_user_tables(conn)
    ed = auth.command_line_editor("benchmark")
    own.define(url, ed, own.parse_definitions(DEFS, "bench.toml"))
    known = gemeente_area_codes(MAASTRICHT, url=url)
    areas = sorted(known)[:N_AREAS]
    files = [_file(areas, s) for s in (1, 2)]
    t0 = time.perf_counter()
    for i, data in enumerate(files, start=1):
        own.load_values(url, ed, f"bench_{i}", data, f"bench_{i}.csv", known)
    upload = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction(url) as conn:
        n = sum(compute_own_into(conn, f"bench_{i}") for i in (1, 2))  # as the two uploads would run it
    step = time.perf_counter() - t0
    rows = [tuple(line.split(";")) for data in files for line in data.decode().splitlines()[1:]]
    eng = get_engine(url)
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE bench_floor (area TEXT, periode TEXT, teller INTEGER, noemer INTEGER)")
    t0 = time.perf_counter()
    raw = eng.raw_connection()
    try:
        cur = raw.cursor()
        if eng.dialect.name == "sqlite":
            cur.execute("BEGIN")  # the driver is in autocommit mode (loaders.db): one transaction, as for the upload
        mark = "?" if eng.dialect.name == "sqlite" else "%s"
        cur.executemany(f"INSERT INTO bench_floor VALUES ({mark}, {mark}, {mark}, {mark})",
                        [(a, p, int(t), int(d)) for a, p, t, d in rows])
        raw.commit()
    finally:
        raw.close()
    floor = time.perf_counter() - t0
    with eng.begin() as conn:
        conn.exec_driver_sql("DROP TABLE bench_floor")
    return {"rows": len(rows), "figures": n, "upload": upload, "step": step, "floor": floor}


def report(name: str, r: dict) -> None:
    print(f"{name}: {r['rows']:,} rows in 2 uploads, {r['figures']:,} figures")
    print(f"  upload (read, validate, store, change log): {r['upload']:.2f} s")
    print(f"  metric-store step for the same rows:         {r['step']:.2f} s")
    print(f"  floor (plain executemany, one transaction):  {r['floor']:.3f} s")
    print(f"  ratio upload / store step: {r['upload'] / r['step']:.2f}   ratio upload / floor: "
          f"{r['upload'] / r['floor']:.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--postgres", default=None, help="base URL of a PostgreSQL server (a fresh database is made)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("SQLite", run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}"))
    if args.postgres:
        url = _pg_database(args.postgres, "bench_own")
        try:
            report("PostgreSQL", run(url))
        finally:
            _pg_drop(args.postgres, url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
