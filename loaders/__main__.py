"""Command line: ``python -m loaders build [--subset] [--url URL]``."""
from __future__ import annotations

import argparse
import sys
import time

from . import settings
from .db import redact
from .errors import LoadError


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m loaders", description="Wijkmonitor data loaders")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="(re)build the statistics database from data/ (transactional)")
    b.add_argument("--url", default=None, help="database URL (default: $DATABASE_URL or the embedded SQLite)")
    b.add_argument("--subset", action="store_true",
                   help="load the Maastricht/Heerlen/NL slice of 50090NED instead of the national file (fast)")
    args = p.parse_args(argv)
    url = args.url or settings.database_url()
    if args.cmd == "build":
        from .build import build

        t0 = time.perf_counter()
        try:
            counts = build(url, national=not args.subset)
        except LoadError as exc:
            print(f"FOUT: {exc}\nEr is niets gewijzigd in de database.", file=sys.stderr)
            return 2
        except Exception as exc:  # database down etc.
            print(f"FOUT bij het bouwen van {redact(url)}: {type(exc).__name__}: {exc}\n"
                  "De vorige database is ongewijzigd.", file=sys.stderr)
            return 1
        dt = time.perf_counter() - t0
        print(f"Database gebouwd: {redact(url)} in {dt:.1f} s — " + ", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
