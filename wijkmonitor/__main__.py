"""The one command line: ``python -m wijkmonitor <command> …`` (``--help`` lists the commands).

Each module in :data:`COMMAND_MODULES` adds its subcommands with ``register(subparsers)`` and sets
``func(args) -> int`` as the handler.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from loaders.db import database_error

from .failures import failed

COMMAND_MODULES = (
    "wijkmonitor.cli_statistics",  # build, refresh, import
    "wijkmonitor.cli_documents",  # export, docs, briefing
    "wijkmonitor.cli_backup",  # backup, restore
    "wijkmonitor.cli_auth",  # hash-password
    "wijkmonitor.cli_own",  # eigen definieer|laad|lijst|sjabloon
    "wijkmonitor.cli_ops",  # rollen, health
    "wijkmonitor.cli_jobs",  # job run ID, job status
)


def parser(prog: str = "python -m wijkmonitor") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Wijkmonitor Veerkrachtige Wijken")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    p = parser(prog) if prog else parser()
    args = p.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Exception as exc:  # a database failure in any command: its Dutch message, exit status 4
        if database_error(exc) is None:
            raise
        return failed(exc, f"'{args.cmd}'", "")


if __name__ == "__main__":
    sys.exit(main())
