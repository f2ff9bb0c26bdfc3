"""The wording layer (wording/): one sentence engine for change with the city beside it, neutral indicators
never judged, release wording from one function, the one-page briefing (exactly one page, numbers equal to the
metrics export), the Dutch CSV, and the message for a mistyped link."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from loaders import repository
from metrics import export, fmt, margins
from metrics import slides as numbers
from metrics.briefing import FOCUS_AREAS, MAASTRICHT, CityChange, briefing, card, city_change, lead_metric
from metrics.catalog import load
from metrics.compute import Comparison, Engine
from metrics.progress import movements
from metrics.releases import Release
from wording import change, onepage, releases, slides
from wording.export import HEADERS, dutch_csv

NAZ, POT = FOCUS_AREAS
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request) -> str:
    """The subset database on each backend (PostgreSQL skipped unless WIJKMONITOR_TEST_PG_URL is set)."""
    return request.getfixturevalue("subset_sqlite" if request.param == "sqlite" else "subset_pg")


@pytest.fixture(scope="module")
def engine(db) -> Engine:
    return Engine(repository.load_inputs(db), load())


@pytest.fixture(scope="module")
def ctx(engine, db) -> numbers.Context:
    return numbers.Context(engine, TODAY, [], None, repository.build_info(db), repository.sources(db))


def _metric(direction="lower_better"):
    return dataclasses.replace(load().get("eenzaam"), direction=direction)


# ------------------------------------------------------------------------------------------ sentence engine

def test_not_demonstrably_different_from_the_city_says_so():
    m = _metric()
    own = Comparison(9.6, 5.0, True, "verslechterd", False)
    city = CityChange(change=Comparison(10.6, 2.0, True, "verslechterd", False), gap=-1.0, threshold=5.0,
                      with_city=True)
    words = change.change_phrase(m, "Nazareth", 2012, own, city, name=True)
    assert words == "Nazareth: verslechterd sinds 2012, niet aantoonbaar anders dan Maastricht"
    assert not re.search(r"\d+,\d", words)  # words only: the big numbers are the only statistics on a slide
    full = change.change_phrase(m, "Nazareth", 2012, own, city, numbers=True)
    assert full.startswith("Nazareth: verslechterd sinds 2012, niet aantoonbaar anders dan Maastricht")
    assert "+9,6 procentpunt" in full and "Maastricht +10,6 procentpunt" in full
    # Maastricht's own change inside its margin: never "beweegt mee met Maastricht: verslechterd"
    flat_city = CityChange(change=Comparison(1.0, 2.0, False, "binnen de marge"), gap=8.6, threshold=9.0,
                           with_city=True)
    words = change.change_phrase(m, "Nazareth", 2012, own, flat_city)
    assert words == "verslechterd sinds 2012, niet aantoonbaar anders dan Maastricht"
    assert "beweegt mee" not in words


def test_beyond_the_city_names_the_city_beside_it():
    m = _metric()
    own = Comparison(-12.0, 5.0, True, "verbeterd", True)
    same = CityChange(change=Comparison(-3.0, 2.0, True, "verbeterd", True), gap=-9.0, threshold=5.0,
                      with_city=False)
    assert change.change_phrase(m, "Nazareth", 2012, own, same) == "verbeterd sinds 2012, sterker dan Maastricht"
    flat = CityChange(change=Comparison(0.5, 2.0, False, "binnen de marge"), gap=-12.5, threshold=5.0,
                      with_city=False)
    assert change.change_phrase(m, "Nazareth", 2012, own, flat) == "verbeterd sinds 2012; Maastricht binnen de marge"
    inside = Comparison(1.0, 5.0, False, "binnen de marge")
    assert change.change_phrase(m, "Nazareth", 2012, inside, same) == "sinds 2012 binnen de marge"


def test_city_change_follows_the_margin_rule(engine):
    """with_city is exactly 'the difference of the two changes lies within the metric's margin'."""
    seen = set()
    for a in FOCUS_AREAS:
        for m in engine.catalog.available():
            s = [r for r in engine.series(m, a) if r.present]
            if len(s) < 2 or m.kind == "count":
                continue
            cc = city_change(engine, m, a, s[0], s[-1])
            if cc.with_city is None:
                continue
            old, new = engine.value(m, MAASTRICHT, s[0].year), engine.value(m, MAASTRICHT, s[-1].year)
            gap = (s[-1].value - s[0].value) - (new.value - old.value)
            assert cc.gap == pytest.approx(gap)
            # by hand: Var(b_new − c_new) + Var(b_old − c_old), Cov(buurt, city) = (N_b / N_c) · SE_b²
            def var(b, c):
                ov = (b.base_population / c.base_population if b.base_population and c.base_population
                      else b.denominator / c.denominator)
                return b.se ** 2 + c.se ** 2 - 2 * ov * b.se ** 2
            assert cc.threshold == pytest.approx(1.96 * math.sqrt(var(s[-1], new) + var(s[0], old)), rel=1e-6)
            assert cc.with_city is (not margins.is_meaningful(gap, cc.threshold))
            seen.add(cc.with_city)
    assert seen == {True, False}  # the shipped data has both cases


def test_slides_five_and_six_say_not_demonstrably_different(engine, ctx):
    """Eenzaamheid in Nazareth rose about as much as in Maastricht: the slide never says only 'verslechterd'."""
    good, bad = slides.build(ctx, ["goed", "minder_goed"]).slides
    for s in (good, bad):
        for n in s.numbers:
            mv = next(x for a in FOCUS_AREAS for x in movements(engine, a)["successen"] + movements(engine, a)[
                "tegenvallers"] if x.metric.id == n.metric_id and x.area == n.area_code)
            if mv.city.with_city:
                assert n.note.endswith("niet aantoonbaar anders dan Maastricht"), n.note  # the tile names the buurt
            else:
                assert "Maastricht" in n.note, n.note
    eenz = next(n for n in bad.numbers if n.metric_id == "eenzaam" and n.area_code == NAZ)
    assert (eenz.area, eenz.note) == ("Nazareth", "verslechterd sinds 2012, niet aantoonbaar anders dan Maastricht")
    assert "Nazareth — Eenzaamheid" in bad.notes and "niet aantoonbaar anders dan Maastricht" in bad.notes


def test_neutral_indicators_are_never_judged(engine, ctx):
    neutral = [m for m in engine.catalog.available() if m.direction == "neutral"]
    assert any(m.strength for m in neutral)  # mantelzorg, huishoudens met kinderen: flagged as strengths
    for a in FOCUS_AREAS:
        for m in neutral:
            c = card(engine, m, a)
            assert c.tone == "neutraal", (m.id, a)
            assert change.TONE_LABEL[c.tone] not in ("Wat goed gaat", "Aandachtspunt")
            assert not re.search(r"verbeterd|verslechterd", change.card_sentence(c)), change.card_sentence(c)
    for row in slides.overview(ctx):
        if engine.catalog.get(row.metric_id).direction == "neutral":
            assert "gaat goed" not in row.tone and "aandachtspunt" not in row.tone, row
    doc = onepage.build(ctx)
    for b in doc.blocks:
        for point in (*b.strengths, *b.attention):
            assert not any(re.match(re.escape(m.label) + r" (€ )?[\d.,]+%? \(\d{4}\):", point) for m in neutral), point


def test_every_pillar_leads_with_a_directional_indicator(engine, ctx):
    """A pillar leads with a directional outcome indicator, or says honestly that it has none per buurt (issue 22:
    Gelijke kansen; a health behaviour is not promoted to its headline)."""
    m = lead_metric(engine, "gelijke_kansen")
    s = slides.build(ctx, ["pijler:gelijke_kansen"]).slides[0]
    assert m is None and s.numbers == () and s.title == "Gelijke kansen: nog geen uitkomstcijfer per buurt"
    assert "85039NED" in s.notes and "gepubliceerd, nog niet geladen" in s.notes
    for p in ("bestaanszekerheid", "positieve_gezondheid"):
        m = lead_metric(engine, p)
        assert m is not None and m.direction != "neutral", p
        assert any(engine.latest(m, a) for a in FOCUS_AREAS)
        s = slides.build(ctx, [f"pijler:{p}"]).slides[0]
        assert s.numbers[0].metric_id == m.id
    for a, pillars in briefing(engine).items():
        for p, cards in pillars.items():
            assert p == "gelijke_kansen" and cards == [] or any(c.metric.direction != "neutral" for c in cards), (a, p)


# ------------------------------------------------------------------------------------------ release wording

def _release(next_release):
    return Release("50090NED", "Gezondheid per wijk en buurt", 4, 12, "", "", 2020, 2024, next_release)


def test_release_dates_past_and_future():
    assert releases.expected(dt.date(2025, 4, 1), TODAY) == "al verwacht, nog niet geladen"
    assert releases.expected(TODAY, TODAY) == "al verwacht, nog niet geladen"
    assert releases.expected(dt.date(2027, 6, 1), TODAY) == "verwacht rond juni 2027"
    assert releases.release_phrase(_release(dt.date(2025, 12, 1)), TODAY) == \
        "meting 2024: al verwacht, nog niet geladen"
    assert releases.release_phrase(_release(dt.date(2027, 1, 1)), dt.date(2026, 1, 1)) == \
        "meting 2024: verwacht rond januari 2027"
    assert releases.ESTIMATE == "schatting van de datum"


def test_calendar_slide_never_shows_a_past_date_as_next(ctx):
    s = slides.build(ctx, ["kalender"]).slides[0]
    for n in s.numbers:
        assert n.value in (releases.OVERDUE, releases.PUBLISHED_SHORT) or n.value.startswith("verwacht rond "), n.value
        if n.value.startswith("verwacht rond "):
            month, year = n.value.removeprefix("verwacht rond ").split()
            assert dt.date(int(year), fmt.MONTHS.index(month) + 1, 28) > TODAY
    assert "schatting van de datum" in s.text and "de data zijn schattingen" not in s.text.lower()


# ------------------------------------------------------------------------------------------ one page

def test_one_page_pdf_is_one_page_with_the_export_numbers(engine, ctx, output_dir):
    from reports import onepage as writer

    doc, pdf, pptx = writer.make(ctx)
    out = output_dir / "onepage"
    out.mkdir(exist_ok=True)
    (out / "briefing-een-pagina.pdf").write_bytes(pdf)
    (out / "briefing-een-pagina.pptx").write_bytes(pptx)
    info = subprocess.run(["pdfinfo", str(out / "briefing-een-pagina.pdf")], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info, re.M), info
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(out / "briefing-een-pagina.pdf"),
                    str(out / "briefing-een-pagina")], check=True)
    assert (out / "briefing-een-pagina-1.png").stat().st_size > 20_000
    text = subprocess.run(["pdftotext", "-layout", str(out / "briefing-een-pagina.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    raw_text = subprocess.run(["pdftotext", str(out / "briefing-een-pagina.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
    heads = [h for b in doc.blocks for h in b.headlines]
    assert len(heads) == 4  # two pillars with an outcome per buurt × two buurten (gelijke kansen: none yet)
    table = export.rows(engine, [*FOCUS_AREAS, MAASTRICHT, "NL01"],
                        [engine.catalog.get(i) for i in sorted({h.metric_id for h in heads})]).set_index(["area_code", "metric_id",
                                                                                      "year"])
    for h in heads:
        row = table.loc[(h.area_code, h.metric_id, int(h.year))]
        assert h.value == fmt.value(row["value"], row["unit"]) and h.raw == pytest.approx(row["value"])
        assert re.search(re.escape(h.value) + r"\s+\(" + h.year + r"\)", raw_text), h  # the cell "25,3% (2020)"
        assert h.maastricht in flat and h.nederland in flat
        for ref, shown in (("GM0935", h.maastricht), ("NL01", h.nederland)):
            v = table.loc[(ref, h.metric_id, int(h.year))]["value"]
            assert shown == fmt.value(v if pd.notna(v) else None, row["unit"])
    for word in ("Nazareth", "Pottenberg", "Wat goed gaat", "Aandachtspunten", "Doelen", "Volgende cijfers",
                 fmt.date(TODAY), "CC BY 4.0", "50090NED"):
        assert word in flat, word
    assert flat.index("Wat goed gaat") < flat.index("Aandachtspunten")
    for broken in ("Pottenbe ", "Maastrich ", "Nederlan "):
        assert broken not in text


def test_one_page_pptx_is_one_slide_inside_the_slide(ctx):
    from pptx import Presentation

    from reports import onepage as writer

    doc = onepage.build(ctx)
    prs = Presentation(io.BytesIO(writer.to_pptx(doc)))
    assert len(prs.slides) == 1
    sl = prs.slides[0]
    for sh in sl.shapes:
        assert sh.left >= 0 and sh.top >= 0
        assert sh.left + sh.width <= prs.slide_width and sh.top + sh.height <= prs.slide_height, sh.name
    text = "\n".join(sh.text_frame.text for sh in sl.shapes if sh.has_text_frame)
    for b in doc.blocks:
        for h in b.headlines:
            assert f"{h.value} ({h.year})" in text


def test_command_line_onepage(db, tmp_path):
    import sys

    for ext in ("pdf", "pptx"):
        out = tmp_path / f"b.{ext}"
        r = subprocess.run([sys.executable, "-m", "wijkmonitor", "briefing", "--onepage", "--url", db,
                            "--datum", "2026-12-01", "--out", str(out)], capture_output=True, text=True,
                           cwd=Path(__file__).resolve().parent.parent)
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 10_000


# ------------------------------------------------------------------------------------------ Dutch CSV

def test_dutch_csv_opens_with_semicolon_and_decimal_comma(engine):
    df = export.rows(engine, [NAZ, "FOCUS", MAASTRICHT], [engine.catalog.get("moeite_met_rondkomen"),
                                                           engine.catalog.get("inkomen_per_inwoner"),
                                                           engine.catalog.get("inwoners")])
    raw = dutch_csv(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back.columns) == [HEADERS[c] for c in export.COLUMNS]
    xl = pd.read_excel(io.BytesIO(export.to_excel_bytes(df)))  # Excel unchanged: full precision
    assert list(xl.columns) == export.COLUMNS
    for (_, a), (_, b) in zip(back.iterrows(), xl.iterrows()):
        d = fmt.decimals_for(b["unit"])
        if pd.isna(b["value"]):
            assert pd.isna(a["waarde"])  # missing stays missing, never 0
        else:
            assert a["waarde"] == pytest.approx(round(b["value"], d))
            assert len(str(a["waarde"]).split(".")[-1]) <= max(d, 1)
    focus = back[(back["gebiedscode"] == "FOCUS") & (back["indicator_id"] == "moeite_met_rondkomen")]
    assert focus["waarde"].notna().any() and all(v == round(v, 1) for v in focus["waarde"].dropna())
    tech = pd.read_csv(io.BytesIO(export.to_csv_bytes(df, "technisch")), encoding="utf-8-sig")
    assert list(tech.columns) == export.COLUMNS
    assert tech["value"].fillna(-1).tolist() == pytest.approx(df["value"].fillna(-1).tolist())


def test_euro_values_in_whole_euros():
    assert fmt.value(17.7, "x 1.000 euro") == "€ 17.700"
    assert fmt.delta(-1.2, "x 1.000 euro") == "−€ 1.200"


# ------------------------------------------------------------------------------------------ mistyped links

@pytest.mark.parametrize("page, param, value, message", [
    ("views/buurtprofiel.py", "buurt", "BU99999999", "De buurt 'BU99999999' bestaat niet; u ziet Nazareth"),
    ("views/buurtprofiel.py", "buurt", "Pottenberg", "De buurt 'Pottenberg' bestaat niet; u ziet Nazareth"),
    ("views/trends.py", "indicator", "geen_indicator", "De indicator 'geen\\_indicator' bestaat niet; u ziet "),
    ("views/presentatie.py", "presentatie", "999", "De presentatie '999' bestaat niet; u ziet Standaard"),
])
def test_mistyped_link_says_so_and_the_url_is_corrected(subset_sqlite, monkeypatch, page, param, value, message):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", subset_sqlite)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / page), default_timeout=120)
    at.query_params[param] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(message) for w in warnings), warnings
    assert at.query_params[param] != [value] and at.query_params[param] != value
    # a correct link says nothing
    at2 = AppTest.from_file(str(Path(__file__).resolve().parent.parent / page), default_timeout=120).run()
    assert not any("bestaat niet" in w.value for w in at2.warning)
