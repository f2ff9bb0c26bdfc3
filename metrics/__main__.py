"""Alias: ``python -m metrics export|docs …`` is ``python -m wijkmonitor export|docs …``."""
import sys

from wijkmonitor.__main__ import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m metrics"))
