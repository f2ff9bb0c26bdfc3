"""Slides for the presentation and the briefing (wording/slides.py on metrics/slides.py and metrics/briefing.py),
the slideshow HTML (ui/present.py) and
saved decks (loaders/decks.py, migration 3) on SQLite and PostgreSQL."""
from __future__ import annotations

import dataclasses

import datetime as dt
import json
import re

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders import auth, decks, programme, repository
from loaders.db import get_engine, query
from loaders.migrations import MIGRATIONS, migrate_user_tables
from metrics import export, fmt
from metrics import slides as numbers
from metrics.briefing import FOCUS_AREAS
from metrics.catalog import load
from metrics.compute import Engine
from metrics.targets import Target
from ui import present
from wording import releases as release_words
from wording import slides
from wording.change import movement_text

TODAY = dt.date(2026, 11, 22)
NAZ, POT = FOCUS_AREAS
QUESTIONS = ["Wat willen we bereiken?", "Waar staan we?", "Waar staan we?", "Waar staan we?", "Wat gaat goed?",
             "Wat gaat minder goed?", "Wanneer zien we meer?", "Wie doen er mee?"]
YEAR = re.compile(r"^(19|20)\d\d$")
NUMBER = re.compile(r"(?<![\w,.])\d+(?:\.\d{3})*(?:,\d+)?")
DATE = re.compile(r"\b\d{1,2} (?:" + "|".join(fmt.MONTHS) + r") \d{4}\b")


@pytest.fixture(scope="module")
def engine(subset_sqlite) -> Engine:
    return Engine(repository.load_inputs(subset_sqlite), load())


@pytest.fixture(scope="module")
def meta(subset_sqlite):
    return repository.build_info(subset_sqlite), repository.sources(subset_sqlite)


def ctx_for(engine, meta, targets=(), participation=None) -> numbers.Context:
    info, src = meta
    return numbers.Context(engine, TODAY, list(targets), participation, info, src)


def target(**kw) -> Target:
    v = dict(id=7, metric_id="moeite_met_rondkomen", area_code=POT, baseline_year=2016, baseline_value=34.0,
             target_value=20.0, target_year=2030, owner="Team armoede", rationale="Minder geldzorgen")
    v.update(kw)
    return Target(**v)


def statistics_in(text: str) -> list[str]:
    """Numbers in visible slide text that are statistics: not years, not dates, not part of an indicator's
    name (a definition such as 'de 40% laagste inkomens')."""
    for label in sorted((m.label for m in load().metrics), key=len, reverse=True):
        text = re.sub(re.escape(label), "", text, flags=re.I)
    text = DATE.sub("", text.replace("CC BY 4.0", ""))
    return [n for n in NUMBER.findall(text) if not YEAR.match(n)]


def visible_text(s: slides.Slide) -> str:
    """What the audience sees on a slide apart from the big numbers (sources and the counter excluded)."""
    return " ".join([s.question, s.title, s.text, *[f"{n.label} {n.area} {n.year} {n.note}" for n in s.numbers]])


# ------------------------------------------------------------------------------------------ the default deck

def test_default_deck_follows_the_councils_questions(engine, meta):
    deck = slides.build(ctx_for(engine, meta))
    assert [s.question for s in deck.slides] == QUESTIONS
    assert deck.skipped == []
    assert [s.key for s in deck.slides] == list(slides.DEFAULT_DECK)
    titles = [s.title for s in deck.slides[1:4]]
    assert titles[0].startswith("Bestaanszekerheid") and titles[1].startswith("Positieve gezondheid")
    assert titles[2].startswith("Gelijke kansen")


def test_every_slide_of_the_default_deck_can_be_picked(engine, meta):
    """An editor's working deck starts from the default deck filtered by the picker's catalogue: a default slide
    missing there (the gelijke-kansen slide without an outcome figure) was silently dropped."""
    ctx = ctx_for(engine, meta)
    assert set(slides.DEFAULT_DECK) <= slides.known_keys(ctx)


def test_at_most_three_numbers_and_no_extra_statistics(engine, meta):
    t = [target()]
    part = pd.DataFrame([{"buurt_code": NAZ, "maand": "2025-09", "leeftijdsgroep": "totaal", "dialoogsessies": 3,
                          "bewoners_bereikt": 45, "meemakers": 6, "activiteiten": 2}])
    ctx = ctx_for(engine, meta, t, part)
    deck = slides.build(ctx, [k for k, _ in slides.catalogue(ctx)])
    assert deck.skipped == []
    for s in deck.slides:
        assert len(s.numbers) <= 3, s.key
        assert statistics_in(visible_text(s)) == [], (s.key, visible_text(s))
        for n in s.numbers:
            assert n.value and n.label
            assert n.source, (s.key, n)
            if n.kind in ("meting", "doel") and n.raw is not None:
                assert YEAR.match(n.year), (s.key, n)
        assert s.notes.strip()
    with pytest.raises(ValueError, match="meer dan 3"):
        slides.Slide("x", "q", "t", tuple(deck.slides[1].numbers) * 2, "", "")


def test_measured_numbers_equal_the_metrics_export(engine, meta):
    """Every statistic on a slide is the metrics export's value for that area, metric and year."""
    ctx = ctx_for(engine, meta, [target()])
    deck = slides.build(ctx, ["titel", *slides.DEFAULT_DECK, "indicator:inwoners", "indicator:bijstand_per_1000"])
    measured = [n for s in deck.slides for n in s.numbers if n.kind == "meting" and n.raw is not None]
    assert len(measured) >= 15
    areas = sorted({n.area_code for n in measured})
    metrics = [engine.catalog.get(m) for m in sorted({n.metric_id for n in measured})]
    table = export.rows(engine, areas, metrics).set_index(["area_code", "metric_id", "year"])
    for n in measured:
        row = table.loc[(n.area_code, n.metric_id, int(n.year))]
        assert fmt.value(row["value"], row["unit"]) == n.value, n
        assert n.raw == pytest.approx(row["value"])
        assert all(t in row["source"] for t in re.findall(r"\d{5}NED", n.source)), (n.source, row["source"])


def test_pillar_slide_numbers_and_sentence(engine, meta):
    s = slides.build(ctx_for(engine, meta), ["pijler:bestaanszekerheid"]).slides[0]
    assert [n.label for n in s.numbers] == ["Nazareth", "Pottenberg", "Maastricht"]
    assert {n.year for n in s.numbers} == {"2020"}
    assert s.chart is not None and s.chart.kind == "trend" and s.chart.areas == (NAZ, POT, "GM0935")
    assert "Nazareth" in s.text and "Pottenberg" in s.text and "Maastricht" in s.text
    assert "Moeite met rondkomen" in s.notes or "moeite met rondkomen" in s.notes
    assert "RIVM" in s.source_line and "CC BY 4.0" in s.source_line
    # the chart's text alternative carries every measurement
    for n in s.numbers:
        assert n.value in s.chart.alt


# ------------------------------------------------------------------------------------------ honesty when empty

def test_no_targets_shows_the_proposals_marked_as_proposals(engine, meta):
    """Issues 14 and 22: without targets, slide 1 carries one message a council member reads from the back of the
    room: the proposals by indicator and rule, at most three lines and three numbers (the target years), no
    figures; every proposal with baseline, target and first measurable edition is in the notes (and on Doelen)."""
    s = slides.build(ctx_for(engine, meta), ["doelen"]).slides
    assert [x.title for x in s] == ["Voorstellen voor doelen"]
    x = s[0]
    assert x.numbers == () and "nog geen doelen" in x.text.lower() and "voorstel — niet vastgesteld" in x.text
    assert 1 <= len(x.bullets) <= 3
    visible = " ".join([x.question, x.title, x.text, *x.bullets])
    assert len(re.findall(r"\d+(?:[.,]\d+)*", visible)) <= 3, visible
    assert "%" not in visible and "basis" not in visible
    assert x.bullets[0] == "Moeite met rondkomen: gat halveren in 2035"
    assert all(any(w in b for w in ("gat halveren", "gat dichten", "sterkte vasthouden", "zie de pagina Doelen"))
               for b in x.bullets)
    assert all(p_ in x.notes for p_ in ("gat halveren", "gat dichten"))  # every proposal is in the notes
    assert "25,3%" in x.notes and "20,6%" in x.notes  # Nazareth's baseline and 2035 target: in the notes only
    assert "voorstel — niet vastgesteld" in x.source_line
    assert "Gat dichten" in x.notes and "Gat halveren" in x.notes  # every proposal and rule in the notes


def test_no_targets_and_no_open_proposals_says_so_without_numbers(engine, meta):
    from metrics import proposals

    keys = frozenset(p.key for p in proposals.proposals(engine, TODAY))
    ctx = dataclasses.replace(ctx_for(engine, meta), proposal_decisions=keys)
    s = slides.build(ctx, ["doelen"]).slides
    assert len(s) == 1 and s[0].numbers == ()
    assert "nog geen doelen" in s[0].text.lower()


def test_no_participation_says_so_without_numbers(engine, meta):
    for part in (None, pd.DataFrame(columns=["buurt_code", "maand", "leeftijdsgroep", "dialoogsessies",
                                             "bewoners_bereikt", "meemakers", "activiteiten"])):
        s = slides.build(ctx_for(engine, meta, participation=part), ["participatie"]).slides[0]
        assert s.numbers == () and "nog geen deelnamecijfers" in s.text.lower()


def test_participation_suppresses_small_counts(engine, meta):
    part = pd.DataFrame([
        {"buurt_code": NAZ, "maand": "2025-09", "leeftijdsgroep": "totaal", "dialoogsessies": 2,
         "bewoners_bereikt": 45, "meemakers": 4, "activiteiten": 3},
        {"buurt_code": NAZ, "maand": "2025-10", "leeftijdsgroep": "totaal", "dialoogsessies": 1,
         "bewoners_bereikt": 20, "meemakers": 3, "activiteiten": 1},
        {"buurt_code": NAZ, "maand": "2025-10", "leeftijdsgroep": "65+", "dialoogsessies": 1,
         "bewoners_bereikt": 12, "meemakers": 1, "activiteiten": 1},  # part of the totaal row: not added again
        {"buurt_code": POT, "maand": "2025-10", "leeftijdsgroep": "totaal", "dialoogsessies": 1,
         "bewoners_bereikt": 8, "meemakers": 2, "activiteiten": 1},
        {"buurt_code": "BU09350000", "maand": "2025-10", "leeftijdsgroep": "totaal", "dialoogsessies": 9,
         "bewoners_bereikt": 900, "meemakers": 90, "activiteiten": 9},  # not a focus buurt
    ])
    s = slides.build(ctx_for(engine, meta, participation=part), ["participatie"]).slides[0]
    vals = {(n.area, n.label): n.value for n in s.numbers}
    assert vals[("Nazareth", "Bewoners bereikt")] == "65"
    assert vals[("Pottenberg", "Bewoners bereikt")] == "<10"
    assert vals[("beide buurten", "Meemakers")] == "<10"  # 4 + 3 + 2 = 9
    assert all(n.year == "september 2025 – oktober 2025" for n in s.numbers)
    assert "bewoners bereikt 8" not in s.notes and "bewoners bereikt <10" in s.notes


# ------------------------------------------------------------------------------------------ targets

def test_target_slide(engine, meta):
    t = target()
    s = slides.build(ctx_for(engine, meta, [t]), ["doelen"]).slides
    assert len(s) == 1 and s[0].key == "doel:7"
    base, latest, goal = s[0].numbers
    assert (base.value, base.year) == ("34,0%", "2016")
    assert latest.year == "2020"
    assert latest.value == fmt.value(engine.value("moeite_met_rondkomen", POT, 2020).value, "%")
    assert (goal.value, goal.year) == ("20,0%", "2030")
    assert s[0].text.startswith("Status: ")
    assert s[0].chart.trajectory == ((2016, 34.0), (2030, 20.0))
    assert "Team armoede" in s[0].notes
    # one slide per target; a deleted target in a saved deck is skipped and reported
    two = slides.build(ctx_for(engine, meta, [t, target(id=8, area_code=NAZ)]), ["doelen", "doel:99"])
    assert [x.key for x in two.slides] == ["doel:7", "doel:8"] and two.skipped == ["doel:99"]


def test_unknown_keys_are_skipped(engine, meta):
    deck = slides.build(ctx_for(engine, meta), ["goed", "indicator:bestaat_niet", "pijler:nergens", "x"])
    assert [s.key for s in deck.slides] == ["goed"]
    assert deck.skipped == ["indicator:bestaat_niet", "pijler:nergens", "x"]


def test_movements_are_beyond_the_margin_and_not_ranked(engine, meta):
    """Successes/setbacks beyond the margin, picked in catalogue order (headline metrics first), not by size."""
    from metrics.progress import movements

    ctx = ctx_for(engine, meta)
    good, bad = slides.build(ctx, ["goed", "minder_goed"]).slides
    ids = [m.id for m in engine.catalog.metrics]
    for s, which, want in ((good, "successen", True), (bad, "tegenvallers", False)):
        pool = [mv for a in FOCUS_AREAS for mv in movements(engine, a)[which]]
        assert pool, which  # the shipped data has both
        for mv in pool:
            assert mv.change.meaningful and mv.change.favourable is want
        pool.sort(key=lambda mv: (not (mv.metric.headline or mv.metric.strength),
                                  slides.PILLAR_ORDER.index(mv.metric.pillar), ids.index(mv.metric.id),
                                  FOCUS_AREAS.index(mv.area)))
        assert [(n.metric_id, n.area_code) for n in s.numbers] == [(mv.metric.id, mv.area) for mv in pool[:3]]
        assert [n.value for n in s.numbers] == [fmt.value(mv.latest.value, mv.metric.unit) for mv in pool[:3]]
        for mv in pool:  # every movement, with its figures, is in the presenter notes
            assert movement_text(mv, engine.name(mv.area)) in s.notes


def test_calendar_and_sources(engine, meta):
    cal, src = slides.build(ctx_for(engine, meta), ["kalender", "bronnen"]).slides
    assert 1 <= len(cal.numbers) <= 3
    for n in cal.numbers:  # the one release wording: past dates are "al verwacht, nog niet geladen"
        assert n.value in (release_words.OVERDUE, release_words.PUBLISHED_SHORT) or re.fullmatch(
            r"verwacht rond (" + "|".join(fmt.MONTHS) + r") \d{4}", n.value), n.value
    assert "schatting van de datum" in cal.source_line and "schatting van de datum" in cal.text
    assert "de data zijn schattingen" not in cal.text.lower()
    assert "CC BY 4.0" in src.text
    tables = set(meta[1]["table_id"])
    for b in src.bullets:
        assert b.split(" ")[0] in tables


def test_overview_rows_are_the_briefing_cards(engine, meta):
    from metrics.briefing import briefing

    ctx = ctx_for(engine, meta)
    rows = slides.overview(ctx)
    cards = briefing(engine)
    for r in rows:
        for area, shown in r.values[:2]:
            c = next(c for c in cards[area][r.pillar] if c.metric.id == r.metric_id)
            assert shown.startswith(fmt.value(c.latest.value if c.latest else None, c.metric.unit))


# ------------------------------------------------------------------------------------------ slideshow HTML

def test_slideshow_html(engine, meta):
    deck = slides.build(ctx_for(engine, meta))
    html = present.slideshow_html(deck, {1: "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='5'></svg>"})
    n = len(deck.slides)
    assert html.count("<section class='slide") == n
    assert f"1 / {n}" in html and f"{n} / {n}" in html
    assert html.count(" hidden>") == n - 1
    assert "data:image/svg+xml;base64," in html and "alt='Lijngrafiek" in html
    for key in ("ArrowRight", "ArrowLeft", "PageDown", "PageUp", "Home", "End", "requestFullscreen"):
        assert key in html
    for s in deck.slides:
        for num in s.numbers:
            assert f">{num.value}<" in html.replace("&lt;", "<")


def test_slideshow_html_escapes_text(engine, meta):
    evil = "<img src=x onerror=alert(1)></script>"
    deck = slides.build(ctx_for(engine, meta, [target(owner=evil, rationale=evil)]), ["doelen"])
    html = present.slideshow_html(deck, title=evil)
    assert "<img src=x" not in html
    notes = re.search(r"<script type='application/json' id='notes-data'>(.*?)</script>", html, re.S).group(1)
    assert evil in json.loads(notes)[0]


# ------------------------------------------------------------------------------------------ saved decks

@pytest.fixture
def editor():
    ed = auth.login_with_password("pm", "correct horse battery", {"pm": auth.hash_password("correct horse battery")})
    assert ed is not None
    return ed


@pytest.fixture
def db(empty_db):
    with get_engine(empty_db).begin() as conn:
        migrate_user_tables(conn)
    return empty_db


KNOWN = set(slides.DEFAULT_DECK) | {"titel", "bronnen"}


def test_deck_create_update_conflict_delete_and_log(db, editor):
    did = decks.create_deck(db, editor, "  Raad   december ", ["titel", "goed", "kalender"], KNOWN)
    d = decks.get_deck(db, did)
    assert d["name"] == "Raad december" and d["slides"] == ["titel", "goed", "kalender"] and d["version"] == 1
    v2 = decks.update_deck(db, editor, did, 1, "Raad december", ["kalender", "goed"], KNOWN)
    assert v2 == 2 and decks.get_deck(db, did)["slides"] == ["kalender", "goed"]
    with pytest.raises(programme.ConflictError, match="intussen gewijzigd"):
        decks.update_deck(db, editor, did, 1, "Raad december", ["goed"], KNOWN)
    assert decks.get_deck(db, did)["slides"] == ["kalender", "goed"]
    with pytest.raises(ValueError, match="al een presentatie"):
        decks.create_deck(db, editor, "raad DECEMBER", ["goed"], KNOWN)
    listed = decks.list_decks(db)
    assert list(listed["name"]) == ["Raad december"] and listed.iloc[0]["slides"] == ["kalender", "goed"]
    decks.delete_deck(db, editor, did, 2)
    assert decks.list_decks(db).empty and decks.get_deck(db, did) is None
    log = programme.list_changes(db)
    assert list(log["action"]) == ["delete", "update", "create"] and set(log["table_name"]) == {"decks"}
    upd = log[log["action"] == "update"].iloc[0]
    assert json.loads(upd["old_value"])["slides"] == ["titel", "goed", "kalender"]
    assert json.loads(upd["new_value"])["slides"] == ["kalender", "goed"]


@pytest.mark.parametrize("name, keys, msg", [
    ("", ["goed"], "naam"),
    ("x", [], "minstens één dia"),
    ("x", ["goed", "doel:12345"], "Onbekende dia"),
    ("x", ["goed", "goed"], "twee keer"),
    ("x" * 200, ["goed"], "te lang"),
])
def test_deck_validation(db, editor, name, keys, msg):
    with pytest.raises(ValueError, match=msg):
        decks.create_deck(db, editor, name, keys, KNOWN)
    assert decks.list_decks(db).empty


@pytest.mark.parametrize("who", [None, "pm", auth.Editor(name="forged", method="wachtwoord")])
def test_anonymous_or_forged_editor_cannot_save_decks(db, who):
    with pytest.raises(auth.PermissionDenied):
        decks.create_deck(db, who, "x", ["goed"], KNOWN)
    assert decks.list_decks(db).empty


def test_migration_3_adds_decks_and_keeps_targets(empty_db, editor):
    with get_engine(empty_db).begin() as conn:
        assert migrate_user_tables(conn, up_to=2) == [1, 2]
        assert "decks" not in sa.inspect(conn).get_table_names(schema="programma")
    programme.create_target(empty_db, editor, {
        "metric_id": "moeite_met_rondkomen", "area_code": POT, "baseline_year": 2020, "baseline_value": 26.0,
        "target_value": 20.0, "target_year": 2030, "owner": "x", "rationale": "y", "action_link": None,
        "milestones": None}, {"moeite_met_rondkomen"}, {POT})
    with get_engine(empty_db).begin() as conn:
        assert migrate_user_tables(conn, up_to=3) == [3]
        assert migrate_user_tables(conn) == [v for v, _, _ in MIGRATIONS if v > 3]
        assert migrate_user_tables(conn) == []
        assert "decks" in sa.inspect(conn).get_table_names(schema="programma")
    assert len(programme.list_targets(empty_db)) == 1
    assert query("SELECT MAX(version) AS v FROM programma.schema_migrations", url=empty_db)["v"].iloc[0] == max(v for v, _, _ in MIGRATIONS)
    decks.create_deck(empty_db, editor, "na migratie", ["goed"], KNOWN)
    assert len(decks.list_decks(empty_db)) == 1
