"""Command for editor accounts: ``hash-password`` prints the bcrypt hash of a new password for
``[editors.accounts]`` (``.streamlit/secrets.toml`` or the file named by WIJKMONITOR_EDITORS_FILE)."""
from __future__ import annotations

import getpass
import sys

from loaders.auth import hash_password


def register(sub) -> None:
    h = sub.add_parser("hash-password",
                       help="ask for a new editor password twice (not shown) and print its bcrypt hash")
    h.add_argument("--gebruiker", default=None, help="user name: print a ready line `naam = \"$2b$…\"`")
    h.set_defaults(func=_hash_password)


def _hash_password(args) -> int:
    try:
        first = getpass.getpass("Nieuw wachtwoord (minstens 12 tekens): ")
        second = getpass.getpass("Nogmaals: ")
    except (EOFError, KeyboardInterrupt):
        print("\nAfgebroken; er is niets gemaakt.", file=sys.stderr)
        return 1
    if first != second:
        print("FOUT: de twee wachtwoorden zijn niet gelijk; er is niets gemaakt.", file=sys.stderr)
        return 2
    try:
        hashed = hash_password(first)
    except ValueError as exc:  # too short: a Dutch message
        print(f"FOUT: {exc}", file=sys.stderr)
        return 2
    print(f'{args.gebruiker} = "{hashed}"' if args.gebruiker else hashed)
    return 0
