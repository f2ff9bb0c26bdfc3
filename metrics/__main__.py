"""Command line: ``python -m metrics export --out FILE.csv|FILE.xlsx`` and ``python -m metrics docs``."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m metrics")
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export", help="tidy table of every metric for every area and year")
    e.add_argument("--out", required=True, type=Path)
    e.add_argument("--url", default=None)
    d = sub.add_parser("docs", help="write docs/metrics.md from the catalog")
    d.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "metrics.md")
    args = p.parse_args(argv)
    if args.cmd == "export":
        from metrics import export
        from metrics.catalog import load
        from metrics.store import engine as stored_engine

        t0 = time.perf_counter()
        engine = stored_engine(args.url)
        df = export.table(engine, load())
        export.write(df, args.out, proposals=export.proposals_table(engine))
        print(f"{len(df):,} rijen geschreven naar {args.out} in {time.perf_counter() - t0:.1f} s")
    elif args.cmd == "docs":
        from metrics.docs import render

        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render(), encoding="utf-8")
        print(f"geschreven: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
