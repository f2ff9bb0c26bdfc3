"""Shared by the tests of the CBS clients, the StatLine import and the editors' refresh: the helpers of the
recorded CBS responses (tests/fixtures/cbs/helpers.py, loaded once as the module ``cbs_helpers``) and the
variables the catalog reads and the metric-store step, passed to the loaders as the composition root
(wijkmonitor.statistics) does."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from metrics.store import compute_into
from metrics.variables import needed_variables

WANTED = needed_variables()
DERIVE = compute_into


def cbs_helpers() -> ModuleType:
    if "cbs_helpers" not in sys.modules:
        spec = importlib.util.spec_from_file_location("cbs_helpers", Path(__file__).parent / "fixtures/cbs/helpers.py")
        mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules["cbs_helpers"] = mod
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return sys.modules["cbs_helpers"]
