"""The briefing from the command line reads the metric store the pages read, and an outage is an error.

- ``python -m wijkmonitor briefing --onepage`` (a real subprocess) writes a one-page PowerPoint that shows, for
  every focus buurt and pillar, the number of the page model (wording.onepage on the stored engine
  the pages use) and that number is the full export's value for the same metric, area and year;
- with the database unreachable the command exits non-zero with a Dutch message and writes no file (it used to
  write a briefing "without targets").
"""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import pytest
from pptx import Presentation

from conftest import ROOT
from loaders import programme, repository
from metrics import export, fmt
from metrics import slides as numbers
from metrics.catalog import load
from metrics.store import StoredEngine
from wording import onepage

TODAY = dt.date(2026, 11, 22)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wijkmonitor", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def _slide_texts(pptx: bytes) -> list[str]:
    prs = Presentation(io.BytesIO(pptx))
    assert len(prs.slides) == 1
    return [sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame]


def test_onepage_briefing_from_the_cli_shows_the_page_numbers(subset_sqlite, tmp_path):
    out = tmp_path / "een-pagina.pptx"
    r = _cli("briefing", "--onepage", "--out", str(out), "--url", subset_sqlite, "--datum", TODAY.isoformat())
    assert r.returncode == 0, r.stderr
    texts = _slide_texts(out.read_bytes())

    # the page model, on the engine the pages read (the metric store)
    eng = StoredEngine(repository.load_store(subset_sqlite), load())
    doc = onepage.build(numbers.context(eng, TODAY, programme.list_targets(subset_sqlite),
                                        programme.list_participation(subset_sqlite),
                                        repository.build_info(subset_sqlite), repository.sources(subset_sqlite)))
    heads = [h for b in doc.blocks for h in b.headlines]
    assert len(heads) >= 4
    table = export.rows(eng, sorted({h.area_code for h in heads}),
                        [eng.catalog.get(m) for m in sorted({h.metric_id for h in heads})])
    table = table.set_index(["area_code", "metric_id", "year"])
    for h in heads:
        first = f"{h.pillar} · {h.label}: {h.value} ({h.year})\n"
        box = next((t for t in texts if t.startswith(first)), None)
        assert box is not None, (first, texts)
        assert f"Maastricht {h.maastricht}" in box and f"Nederland {h.nederland}" in box, box
        row = table.loc[(h.area_code, h.metric_id, int(h.year))]
        assert fmt.value(row["value"], row["unit"]) == h.value


@pytest.mark.parametrize("command", [["briefing", "--onepage"], ["briefing"], ["export"]])
def test_an_outage_is_an_error_not_an_empty_briefing(command, tmp_path):
    out = tmp_path / ("x.xlsx" if command == ["export"] else "x.pdf")
    # nothing listens on port 9 (discard) of the loopback: connection refused at once
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none"
    r = _cli(*command, "--out", str(out), "--url", url)
    assert r.returncode != 0
    assert "FOUT" in r.stderr and "niet bereikbaar" in r.stderr and "niet gemaakt" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
