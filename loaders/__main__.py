"""Alias: ``python -m loaders build|refresh|import …`` is ``python -m wijkmonitor build|refresh|import …``
(the one CLI and composition root lives in the top-level ``wijkmonitor`` package)."""
import sys

from wijkmonitor.__main__ import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m loaders"))
