"""Command line: ``python -m reports briefing [--onepage] --out FILE.pdf|FILE.pptx``.

Without --onepage the full briefing (the default deck plus the appendices); with --onepage the wethouder's
one-page briefing (exactly one A4 page, or one slide). Both read the database of DATABASE_URL (or --url).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("briefing", help="the wethouder's briefing as PDF or PowerPoint")
    b.add_argument("--out", required=True, type=Path, help="FILE.pdf or FILE.pptx")
    b.add_argument("--onepage", action="store_true", help="the one-page briefing")
    b.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    b.add_argument("--datum", default=None, help="stand van zaken op (JJJJ-MM-DD; default: vandaag)")
    args = p.parse_args(argv)
    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".pptx"):
        p.error("gebruik --out met .pdf of .pptx")
    from loaders import programme, repository, settings
    from metrics import slides
    from metrics.catalog import load
    from metrics.compute import Engine

    t0 = time.perf_counter()
    url = args.url or settings.database_url()
    today = dt.date.fromisoformat(args.datum) if args.datum else dt.date.today()
    try:
        targets = programme.list_targets(url)
        participation = programme.list_participation(url)
    except Exception:  # a database without the user tables (never migrated): no targets, no participation
        targets = participation = None
    ctx = slides.context(Engine(repository.load_inputs(url), load()), today, targets, participation,
                         repository.build_info(url), repository.sources(url))
    if args.onepage:
        from reports import onepage

        doc, pdf, pptx = onepage.make(ctx)
        data = pdf if suffix == ".pdf" else pptx
    else:
        from reports import briefing
        from ui.slide_charts import MAP_GEMEENTE, MAP_INDELING

        geoms = repository.geometries(MAP_INDELING, MAP_GEMEENTE, "buurt", url=url)
        result = briefing.export(briefing.Inputs(ctx, geometries=geoms))
        data = result.pdf if suffix == ".pdf" else result.pptx
    args.out.write_bytes(data)
    print(f"geschreven: {args.out} ({len(data) // 1024} kB) in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
