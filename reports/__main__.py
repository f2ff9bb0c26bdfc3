"""Alias: ``python -m reports briefing [--onepage] --out FILE`` is ``python -m wijkmonitor briefing …``."""
import sys

from wijkmonitor.__main__ import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m reports"))
