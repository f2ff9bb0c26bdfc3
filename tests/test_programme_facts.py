"""Programme facts come from one place: no area or gemeente code in product code outside config/programme.toml.

Every string constant of the product modules (docstrings and comments aside) is scanned for a CBS area code
(BU…, WK…, GM… with digits, NL0…). The one exception is :mod:`loaders.codes`, which names the codes that are
facts of the CBS file format (``NL_CODE``, ``NL_CODE_STATLINE``); the CBS herindelingen are data
(data/herindelingen.toml).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("loaders", "metrics", "wording", "models", "charts", "ui", "reports", "wijkmonitor", "views")
FORMAT_CONSTANTS = {ROOT / "loaders" / "codes.py"}
CODE = re.compile(r"(?<![A-Za-z0-9])(?:(?:BU|WK|GM)\d{4}[0-9A-Z]*|NL0\d)")


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def code_literals(source: str) -> list[tuple[int, str]]:
    """(line, code) for every area code in a string constant of ``source``."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [(node.lineno, m.group(0)) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            for m in CODE.finditer(node.value)]


def product_files() -> list[Path]:
    files = [ROOT / "app.py", *(p for pkg in PRODUCT for p in sorted((ROOT / pkg).rglob("*.py")))]
    return [f for f in files if f not in FORMAT_CONSTANTS]


@pytest.mark.parametrize("source, found", [
    ('X = "BU09350403"\n', ["BU09350403"]),
    ('def f(c):\n    """BU09350403 in a docstring is prose."""\n    return c.startswith("BU0935")\n', ["BU0935"]),
    ("q = f\"startswith(x,'{'NL00' if p else p}')\"\n", ["NL00"]),
    ('GEMEENTEN = ("GM0935", "GM0917")  # Maastricht, Heerlen\n', ["GM0935", "GM0917"]),
    ('LEVEL = {"NL": "land", "GM": "gemeente", "BU": "buurt"}\nfrom x import MAASTRICHT\n', []),
])
def test_the_scanner_finds_code_literals(source, found):
    assert [c for _, c in code_literals(source)] == found


def test_no_area_code_literal_in_product_code():
    hits = [f"{f.relative_to(ROOT)}:{line}: {code}" for f in product_files()
            for line, code in code_literals(f.read_text(encoding="utf-8"))]
    assert len(product_files()) > 80
    assert hits == [], "area codes belong in config/programme.toml (loaders.config):\n" + "\n".join(hits)
