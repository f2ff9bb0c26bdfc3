"""How the command line reports a failure: a database failure (unreachable, not built, timeout, locked — see
:mod:`loaders.db`) as its Dutch message and what to do, with exit status :data:`EXIT_DATABASE`; anything else
with its type and text (exit status 1) for the administrator running the command."""
from __future__ import annotations

import sys

from loaders.db import database_error

EXIT_DATABASE = 4


def failed(exc: BaseException, doing: str, unchanged: str = "Er is niets gewijzigd in de database.") -> int:
    """Print why ``doing`` (e.g. "het bouwen van sqlite:///…") failed to stderr and return the exit status."""
    err = database_error(exc)
    if err is not None:
        print(f"FOUT bij {doing}: {err}\n{unchanged}".rstrip(), file=sys.stderr)
        return EXIT_DATABASE
    print(f"FOUT bij {doing}: {type(exc).__name__}: {exc}\n{unchanged}".rstrip(), file=sys.stderr)
    return 1
