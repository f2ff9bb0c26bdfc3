"""The layer contract of the README's Architecture section as a checked test (import-linter, `.importlinter`).

views → wijkmonitor → ui | reports → charts → models → wording → metrics → loaders; app.py on top, imported by
nothing. Imports inside functions count; there are no exceptions.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("loaders", "metrics", "wording", "models", "charts", "ui", "reports", "wijkmonitor", "views")
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache", "--config", str(cwd / ".importlinter")], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_the_code_keeps_the_layer_contract():
    r = _lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


@pytest.fixture()
def tree(tmp_path) -> Path:
    """The product packages, app.py and the contract, copied (no data), to add a violation to."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.yaml"))
    for name in ("app.py", ".importlinter"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("module, line, broken", [
    ("metrics/compute.py", "def _upward():\n    import ui.state  # inside a function\n", "metrics is not allowed to import ui"),
    ("loaders/db.py", "from wijkmonitor import statistics\n", "loaders is not allowed to import wijkmonitor"),
    ("reports/pdf.py", "from ui import components\n", "reports is not allowed to import ui"),
    ("charts/maps.py", "import models.kaart\nimport reports.model\n", "charts is not allowed to import reports"),
    ("models/overzicht.py", "def _f():\n    import app\n", "models is not allowed to import app"),
])
def test_an_upward_import_breaks_the_contract(tree, module, line, broken):
    assert _lint(tree).returncode == 0  # the copy keeps it, like the original
    with open(tree / module, "a", encoding="utf-8") as f:
        f.write("\n\n" + line)
    r = _lint(tree)
    assert r.returncode != 0
    assert broken in r.stdout, r.stdout


def test_no_page_loads_the_computation_only_libraries():
    """Pages read what the build and the uploads computed: importing everything app.py and views/ import (a
    page's whole import tree) must not load scipy, which only computes own-measurement intervals (about 400
    modules that Streamlit's per-run bookkeeping would otherwise walk on every page load)."""
    imports = set()
    for script in [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imports |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imports |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    code = ("import importlib, sys\n"
            f"for name in {sorted(imports)!r}:\n"
            "    try:\n        importlib.import_module(name)\n    except ModuleNotFoundError:\n        pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('scipy',)}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
