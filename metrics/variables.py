"""The CBS variables the metrics layer reads: what a refresh or an import must load for the catalog.

The composition roots (``python -m wijkmonitor`` and the Data page) pass this set to :mod:`loaders.refresh` and
:mod:`loaders.statline_import`, so the loaders never import ``metrics`` (see loaders/pipeline.py).
"""
from __future__ import annotations

from .catalog import load
from .compute import BASE_FORMULA


def needed_variables() -> set[str]:
    """Every variable of a catalog metric (value, numerator, denominators) and of the weighting bases."""
    out: set[str] = set()
    for m in load().metrics:
        out.update(v for v in m.variables if v)
    for plus, minus in BASE_FORMULA.values():
        out.update(plus)
        out.update(minus)
    return out
