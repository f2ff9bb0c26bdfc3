"""Benchmark: how long the one-click briefing export (PPTX + PDF) takes.

    .venv/bin/python benchmarks/export.py [--database-url URL] [--repeat 3] [--deck titel,doelen,...]

Reads the database (default: DATABASE_URL, i.e. data/wijkmonitor.sqlite; nothing is written), builds the
metrics engine once (as the app caches it), then runs ``reports.briefing.export`` --repeat times for the same
deck as the page's button does and prints the time per step (numbers, charts and map, PPTX, PDF) and the
file sizes. The first run includes vl-convert's start-up; the median of the runs is what a user waits.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pptx import Presentation  # noqa: E402

from loaders import programme, repository, settings  # noqa: E402
from metrics import slides as numbers  # noqa: E402
from metrics.catalog import load  # noqa: E402
from metrics.store import engine as stored_engine  # noqa: E402
from reports import briefing  # noqa: E402
from charts.slide_charts import MAP_GEMEENTE, MAP_INDELING  # noqa: E402
from wording import slides  # noqa: E402

STEPS = ("cijfers", "grafieken", "pptx", "pdf", "totaal")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default=settings.database_url())
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--deck", default=",".join(slides.DEFAULT_DECK), help="comma-separated slide keys")
    ap.add_argument("--out", type=Path, default=None, help="folder to write the last PPTX and PDF to")
    args = ap.parse_args(argv)
    url = args.database_url

    t0 = time.perf_counter()
    engine = stored_engine(url)
    t_engine = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        targets, part = programme.list_targets(url), programme.list_participation(url)
    except Exception:  # noqa: BLE001 - a database without the user tables: no targets, no register
        targets = part = None
    ctx = numbers.context(engine, dt.date.today(), targets, part, repository.build_info(url), repository.sources(url))
    geoms = repository.geometries(MAP_INDELING, MAP_GEMEENTE, url=url)
    t_inputs = time.perf_counter() - t0
    keys = tuple(k for k in args.deck.split(",") if k)
    print(f"database: {url}")
    print(f"engine (cached by the app, not part of the click): {t_engine:.2f} s; inputs: {t_inputs:.2f} s")
    print(f"deck: {', '.join(keys)}")
    print(f"{'run':>4} " + " ".join(f"{s:>10}" for s in STEPS) + f" {'pptx kB':>9} {'pdf kB':>8} {'slides':>7}")
    runs = []
    result = None
    for i in range(1, args.repeat + 1):
        result = briefing.export(briefing.Inputs(ctx, keys, geoms))
        runs.append(result.seconds)
        n_slides = len(Presentation(io.BytesIO(result.pptx)).slides)
        print(f"{i:>4} " + " ".join(f"{result.seconds[s]:>9.2f}s" for s in STEPS)
              + f" {len(result.pptx) / 1024:>9.0f} {len(result.pdf) / 1024:>8.0f} {n_slides:>7}")
    print(f"{'med':>4} " + " ".join(f"{statistics.median(r[s] for r in runs):>9.2f}s" for s in STEPS))
    if args.out and result is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        stem = briefing.file_stem(dt.date.today())
        (args.out / f"{stem}.pptx").write_bytes(result.pptx)
        (args.out / f"{stem}.pdf").write_bytes(result.pdf)
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
