"""Shipped data is documented and self-contained."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_file_has_provenance():
    text = (ROOT / "data" / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "Bron: CBS, RIVM" in text
    for f in (ROOT / "data").rglob("*"):
        if f.is_file() and f.suffix in {".csv", ".parquet", ".json", ".geojson", ".topojson"}:
            assert f.name in text or re.search(re.escape(f.parent.name) + r"/cbs_buurt_2014_\*", text), f.name


def test_app_never_reads_shared_folder():
    for f in ROOT.rglob("*.py"):
        if ".venv" in f.parts or "tests" in f.parts:
            continue
        src = f.read_text(encoding="utf-8")
        assert "../shared" not in src and "shared/data" not in src, f
