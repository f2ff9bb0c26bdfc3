"""Commands for the programme data: ``backup --out FILE`` and ``restore FILE``."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from loaders.db import DatabaseUnavailable, redact
from loaders.settings import database_url

from . import backup


def register(sub) -> None:
    b = sub.add_parser("backup", help="write the programme data (targets, decisions, participation, decks, change "
                                      "log) to a versioned, checksummed backup file")
    b.add_argument("--out", required=True, type=Path, help="FILE.zip")
    b.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    b.set_defaults(func=_backup)
    r = sub.add_parser("restore", help="check a backup file and replace the programme data with it (one "
                                       "transaction; SQLite or PostgreSQL)")
    r.add_argument("file", type=Path)
    r.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    r.set_defaults(func=_restore)


def _backup(args) -> int:
    try:
        data = backup.backup(args.url)
    except (backup.BackupError, DatabaseUnavailable) as exc:
        print(f"Geen back-up gemaakt: {exc}", file=sys.stderr)
        return 2
    out = args.out.resolve()
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")  # a crash never leaves half a file
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, out)
    counts = backup.read_backup(data).manifest["tables"]
    print(f"Back-up geschreven naar {args.out} ({len(data):,} bytes). ".replace(",", ".")
          + backup.summary(counts, "Bewaard"))
    return 0


def _restore(args) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"Het bestand {args.file} kan niet worden gelezen ({exc.strerror}). Er is niets veranderd.",
              file=sys.stderr)
        return 2
    try:
        counts = backup.restore(args.url, data)
    except (backup.BackupError, DatabaseUnavailable) as exc:
        print(f"Niet teruggezet: {exc}", file=sys.stderr)
        return 2
    print(f"{backup.summary(counts)} Database: {redact(args.url or database_url())}")
    return 0
