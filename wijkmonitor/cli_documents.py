"""Commands that write documents: ``export --out FILE``, ``docs``, ``briefing [--onepage] --out FILE``."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from loaders.db import DatabaseError

from . import documents
from .failures import failed

DOCS_OUT = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


def register(sub) -> None:
    e = sub.add_parser("export", help="tidy table of every metric for every area and year (.csv or .xlsx)")
    e.add_argument("--out", required=True, type=Path)
    e.add_argument("--url", default=None)
    e.add_argument("--intern", action="store_true",
                   help="include the own indicators marked 'intern' (for the gemeente; not for partners)")
    e.set_defaults(func=_export)
    d = sub.add_parser("docs", help="write docs/metrics.md from the catalog")
    d.add_argument("--out", type=Path, default=DOCS_OUT)
    d.set_defaults(func=_docs)
    b = sub.add_parser("briefing", help="the wethouder's briefing as PDF or PowerPoint")
    b.add_argument("--out", required=True, type=Path, help="FILE.pdf or FILE.pptx")
    b.add_argument("--onepage", action="store_true", help="the one-page briefing")
    b.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    b.add_argument("--datum", default=None, help="stand van zaken op (JJJJ-MM-DD; default: vandaag)")
    b.add_argument("--intern", action="store_true",
                   help="include the own indicators marked 'intern' (for the gemeente; not for the council or partners)")
    b.set_defaults(func=_briefing, parser=b)


def _unavailable(exc: DatabaseError, what: str) -> int:
    """A database failure (unreachable, not built, timeout, locked) is an error with its Dutch message, never an
    empty document: exit status :data:`wijkmonitor.failures.EXIT_DATABASE`, nothing written."""
    return failed(exc, f"het maken van {what.lower()}", unchanged=f"{what} is niet gemaakt.")


def _export(args) -> int:
    t0 = time.perf_counter()
    try:
        n = documents.export(args.out, args.url, include_intern=args.intern)
    except DatabaseError as exc:
        return _unavailable(exc, "De export")
    print(f"{n:,} rijen geschreven naar {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


def _docs(args) -> int:
    documents.write_docs(args.out)
    print(f"geschreven: {args.out}")
    return 0


def _briefing(args) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".pptx"):
        args.parser.error("gebruik --out met .pdf of .pptx")
    t0 = time.perf_counter()
    today = dt.date.fromisoformat(args.datum) if args.datum else dt.date.today()
    try:
        data = documents.briefing(suffix.lstrip("."), onepage=args.onepage, url=args.url, today=today,
                                  include_intern=args.intern)
    except DatabaseError as exc:
        return _unavailable(exc, "De briefing")
    args.out.write_bytes(data)
    print(f"geschreven: {args.out} ({len(data) // 1024} kB) in {time.perf_counter() - t0:.1f} s")
    return 0
