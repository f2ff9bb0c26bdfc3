"""Commands that write statistics: ``build [--subset]``, ``refresh …``, ``import FILE``."""
from __future__ import annotations

import sys
import time

from loaders import refresh as refresh_mod, settings
from loaders.db import redact
from loaders.errors import LoadError

from . import statistics
from .failures import failed
from loaders.jobs import JobBusy

from . import jobs, statistics

_URL_HELP = "database URL (default: $DATABASE_URL or the embedded SQLite)"


def register(sub) -> None:
    b = sub.add_parser("build", help="(re)build the statistics database from data/ (transactional)")
    b.add_argument("--url", default=None, help=_URL_HELP)
    b.add_argument("--subset", action="store_true",
                   help="load the Maastricht/Heerlen/NL slice of 50090NED instead of the national file (fast)")
    b.set_defaults(func=_build)
    r = sub.add_parser("refresh", help="fetch the catalog's tables from CBS open data (OData) and load them")
    r.add_argument("--url", default=None, help=_URL_HELP)
    r.add_argument("--tabel", action="append", default=None, metavar="TABEL",
                   help="only this CBS table (repeatable), e.g. --tabel 85984NED; default: all")
    r.add_argument("--gemeente", action="append", default=None, metavar="GMxxxx",
                   help="gemeente with wijken and buurten (repeatable); default: the programme's gemeenten")
    r.add_argument("--ontdek", action="store_true",
                   help="also look up newer 'Kerncijfers wijken en buurten' tables in the CBS catalog")
    r.add_argument("--cache", default=None, help="download cache (default $WIJKMONITOR_REFRESH_CACHE or .cache/cbs-refresh)")
    r.add_argument("--opnieuw-toepassen", dest="reapply", action="store_true",
                   help="no download: re-apply the staged refreshes and imports (e.g. after a build)")
    r.add_argument("--status", action="store_true", help="list staged refreshes and imports and exit")
    r.add_argument("--odata", type=int, choices=(3, 4), default=3,
                   help="OData version for CBS tables (default 3; 3 falls back to 4 when CBS answers 404/410)")
    r.set_defaults(func=_refresh)
    im = sub.add_parser("import", help="load a StatLine export (CSV met statistische symbolen or Excel)")
    im.add_argument("file", help="the downloaded .csv or .xlsx")
    im.add_argument("--url", default=None, help=_URL_HELP)
    im.add_argument("--tabel", default=None, help="CBS table id when it is not in the file name, e.g. 85984NED")
    im.set_defaults(func=_import)


def _build(args) -> int:
    url = args.url or settings.database_url()
    t0 = time.perf_counter()
    try:
        counts = statistics.build(url, national=not args.subset)
    except LoadError as exc:
        print(f"FOUT: {exc}\nEr is niets gewijzigd in de database.", file=sys.stderr)
        return 2
    except Exception as exc:  # database down, not built, timeout, locked: a Dutch message and exit status 4
        return failed(exc, f"het bouwen van {redact(url)}", "De vorige database is ongewijzigd.")
    dt = time.perf_counter() - t0
    print(f"Database gebouwd: {redact(url)} in {dt:.1f} s — " + ", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    return 0


def _refresh(args) -> int:
    url = args.url or settings.database_url()
    try:
        if args.status:
            df = refresh_mod.status(url)
            if df.empty:
                print("Geen ververste of geïmporteerde tabellen.")
            for row in df.itertuples(index=False):
                state = "toegepast" if row.in_database else "NIET in de database (opnieuw toepassen)"
                print(f"{row.source_key:32} {row.kind:8} {row.table_id:9} {row.n_observations:>8} waarnemingen, "
                      f"opgehaald {row.fetched_at}: {state}")
            return 0
        if args.reapply:
            counts = statistics.reapply(url)
            print(f"{counts['batches']} tabellen opnieuw toegepast: {counts['observations']:,} waarnemingen, "
                  f"{counts['changes']} indelingswijzigingen gemarkeerd.".replace(",", "."))
            return 0
        # one refresh at a time with the Data page's jobs and other runs (wijkmonitor/jobs.py)
        return jobs.refresh_locked(url, _started_by(), _print_progress, tables=args.tabel, gemeenten=args.gemeente,
                                   cache_dir=args.cache, discover=args.ontdek, odata=args.odata)
    except JobBusy as exc:
        print(f"FOUT: {exc}", file=sys.stderr)
        return jobs.EXIT_BUSY
    except (refresh_mod.RefreshError, LoadError) as exc:
        print(f"FOUT: {exc}" + ("" if "niets gewijzigd" in str(exc) else "\nEr is niets gewijzigd in de database."),
              file=sys.stderr)
        return 3 if isinstance(exc, refresh_mod.OfflineError) else 2
    except Exception as exc:  # database down, not built, timeout, locked: a Dutch message and exit status 4
        return failed(exc, f"het verversen van {redact(url)}")


def _started_by() -> str:
    """Who a command-line refresh is recorded for: the account and machine it runs on."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "onbekend"
    return f"opdrachtregel ({user}@{socket.gethostname()})"


def _print_progress(p) -> None:
    eta = f" (nog ca. {p.eta:.0f} s)" if p.eta else ""
    print(p.message + eta, flush=True)


def _import(args) -> int:
    url = args.url or settings.database_url()
    try:
        summary = statistics.import_file(url, args.file, table_id=args.tabel)
    except (LoadError, refresh_mod.RefreshError) as exc:
        print(f"FOUT: {exc}\nEr is niets gewijzigd in de database.", file=sys.stderr)
        return 2
    except Exception as exc:  # database down, not built, timeout, locked: a Dutch message and exit status 4
        return failed(exc, f"het importeren in {redact(url)}")
    print(summary.message())
    for w in summary.warnings:
        print(f"  let op: {w}")
    return 0
