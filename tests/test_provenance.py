"""Shipped data is documented and self-contained: data/PROVENANCE.md has one row per shipped file naming its
publisher, table, year(s), licence and how it is loaded, and the rows agree with the loaders' source registry."""
from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from loaders import sources

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DATA_SUFFIXES = {".csv", ".parquet", ".json", ".geojson", ".topojson", ".toml"}
PUBLISHERS = ("CBS", "RIVM", "Kadaster", "Politie")


def provenance_rows() -> list[dict[str, str]]:
    """The table under '## How the app uses them', as dicts keyed by its header."""
    text = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    section = text.split("## How the app uses them", 1)[1].split("\n## ", 1)[0]
    lines = [ln.strip() for ln in section.splitlines() if ln.strip().startswith("|")]
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    header, body = cells[0], [c for c in cells[1:] if not set("".join(c)) <= set("-: ")]
    assert header == ["file", "publisher, table", "year(s)", "loaded as (source_key)", "licence"], header
    assert all(len(c) == len(header) for c in body), "a row with a missing or extra cell"
    return [dict(zip(header, c)) for c in body]


def shipped() -> list[str]:
    return sorted(str(f.relative_to(DATA)) for f in DATA.rglob("*") if f.is_file() and f.suffix in DATA_SUFFIXES)


def registry() -> dict[str, list[sources.Source]]:
    """Shipped file -> the sources the loaders read from it."""
    out: dict[str, list[sources.Source]] = {}
    for src in [sources.HEALTH_NATIONAL, sources.HEALTH_SUBSET, *sources.KWB, *sources.GEO]:
        out.setdefault(src.path, []).append(src)
    return out


def row_for(path: str) -> dict[str, str]:
    rows = [r for r in provenance_rows()
            if any(fnmatch.fnmatch(path, pat.strip()) for pat in r["file"].split(","))]
    assert len(rows) == 1, f"{path}: described in {len(rows)} rows of data/PROVENANCE.md"
    return rows[0]


def test_licence_and_attribution_are_stated():
    text = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "Bron: CBS, RIVM" in text


def test_every_row_describes_a_shipped_file():
    files = shipped()
    for r in provenance_rows():
        for pat in r["file"].split(","):
            assert fnmatch.filter(files, pat.strip()), f"PROVENANCE.md names {pat.strip()!r}, which is not shipped"


@pytest.mark.parametrize("path", shipped())
def test_every_shipped_file_is_described(path):
    row = row_for(path)
    who = row["publisher, table"]
    assert any(p in who for p in PUBLISHERS), f"{path}: no publisher in {who!r}"
    assert re.search(r"\b(19|20)\d\d\b", row["year(s)"]), f"{path}: no year in {row['year(s)']!r}"
    assert "CC BY" in row["licence"], f"{path}: no licence"
    loaded = registry().get(path, [])
    read = bool(loaded) or any(Path(path).name in f.read_text(encoding="utf-8") for f in (ROOT / "loaders").glob("*.py"))
    says_not_loaded = row["loaded as (source_key)"].startswith("not loaded")
    assert says_not_loaded != read, (f"{path}: PROVENANCE.md says {'not ' if says_not_loaded else ''}loaded, "
                                     f"the loaders {'read' if read else 'do not read'} it")
    for src in loaded:  # what the database says about it agrees with the document
        assert f"`{src.key}`" in row["loaded as (source_key)"], f"{path}: source key {src.key} not named"
        assert row["licence"] == sources.LICENCE, f"{path}: licence {row['licence']!r} != {sources.LICENCE!r}"
        assert any(p in who for p in PUBLISHERS if p in src.publisher), f"{path}: publisher {src.publisher!r}"
        table = src.table_id if re.fullmatch(r"\d{5}NED", src.table_id) else src.table_id.split(" (")[0]
        assert table in who, f"{path}: table {table!r} not named in {who!r}"
        for year in re.findall(r"\d{4}", src.period):
            assert year in row["year(s)"], f"{path}: year {year} of {src.key} not in {row['year(s)']!r}"


def test_app_never_reads_shared_folder():
    for f in ROOT.rglob("*.py"):
        if ".venv" in f.parts or "tests" in f.parts:
            continue
        src = f.read_text(encoding="utf-8")
        assert "../shared" not in src and "shared/data" not in src, f
