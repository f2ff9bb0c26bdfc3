"""Issue 22: what the council reads must be true and crisp — the release calendar, the headline date, the target
card, slide 1, units said once, Gelijke kansen's headline, the sentinel rule and the Data page's text.

Loader tests use the recorded CBS responses of tests/fixtures/cbs (built from data/). The one 50120NED response
below is MADE UP for the code path (its values are invented and are never shipped): it has the recorded OData v3
shape (UntypedDataSet, Marges MW00000 / MOG0095 / MBG0095) so that the refresh's handling of the published 95%
bounds is tested without a network.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from loaders import refresh, repository
from loaders.db import query
from loaders.errors import LoadError
from metrics import docs, releases
from metrics.catalog import load
from metrics.slides import Context
from metrics.store import engine as stored_engine
from metrics.targets import Target
from models.doelen import calendar_model, target_card
from tests.cbs_fixtures import DERIVE, WANTED, cbs_helpers
from wording import onepage, slides
from wording.cards import card_text

helpers = cbs_helpers()
RecordedCbs = helpers.server_module().RecordedCbs
NAZARETH, POTTENBERG = "BU09350403", "BU09350203"
SENTINEL = -99999999999


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return helpers.copy_db(request, tmp_path)


# ---------------------------------------------------------------------------------------------- 1. 50120NED bounds

# MADE UP for the code path (not a statistic): value, lower and upper bound of 'moeite met rondkomen', 18+, 2022.
MADE_UP_2022 = {"NL01": ("    17.0", "    16.8", "    17.2"), "GM0935": ("    20.0", "    19.1", "    20.9"),
                NAZARETH: ("    30.0", "    24.0", "    36.0"), POTTENBERG: ("    31.0", "    25.5", "    36.5")}
MARGES = (("MW00000", 0), ("MOG0095", 1), ("MBG0095", 2))


def made_up_50120(root):
    """A 50120NED table next to the recorded 50090NED one: its metadata (dimensions, topics) copied, title and
    periods of 50120NED, and UntypedDataSet rows for 2022 with the three Marges members (MADE-UP values)."""
    base = root / "dataderden.cbs.nl/ODataFeed/odata"
    src, dst = base / "50090NED", base / "50120NED"
    shutil.copytree(src, dst)
    for p in dst.glob("*.json"):
        p.write_text(p.read_text(encoding="utf-8").replace("50090NED", "50120NED"), encoding="utf-8")

    def infos(data):
        data["value"][0].update(Title="Gezondheid per wijk en buurt; 2012/2016/2020/2022 (indeling 2022)",
                                ShortTitle="Gezondheid per wijk en buurt; 2012/2016/2020/2022 (indeling 2022)",
                                Period="2012, 2016, 2020, 2022")
    helpers.edit_json(dst / "TableInfos.json", infos)
    helpers.edit_json(dst / "Perioden.json", lambda d: d["value"].append(
        {"Key": "2022JJ00", "Title": "2022", "Description": None, "Status": "Definitief"}))
    old = json.loads((src / "UntypedDataSet.json").read_text(encoding="utf-8"))["value"]
    proto = {r["Codering_3"]: r for r in old if r["Leeftijd"] == "20300"}
    rows = []
    for code, triple in MADE_UP_2022.items():
        for key, i in MARGES:
            r = {k: proto[code][k] for k in ("Leeftijd", "WijkenEnBuurten", "Gemeentenaam_1", "SoortRegio_2",
                                              "Codering_3")}
            rows.append({"ID": len(rows), **r, "Marges": key, "Perioden": "2022JJ00",
                         "MoeiteMetRondkomen_38": triple[i]})
    helpers.edit_json(dst / "UntypedDataSet.json", lambda d: d.__setitem__("value", rows))


def test_refresh_of_50120NED_loads_the_published_bounds(db, tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    made_up_50120(root)
    server = RecordedCbs(root=root).start()
    try:
        refresh.run(db, tables=["50120NED"], derive=DERIVE, endpoints=server.endpoints(), cache_dir=tmp_path / "cache",
                    wanted=WANTED)
    finally:
        server.stop()
    got = query("SELECT area_code, year, age_group, lower, upper FROM observation_margins "
                "WHERE source_key LIKE '50120NED%' AND variable_code = 'MoeiteMetRondkomen' ORDER BY area_code",
                url=db)
    assert sorted(got["area_code"]) == sorted(MADE_UP_2022)
    assert set(got["year"]) == {2022} and set(got["age_group"]) == {"18+"}
    naz = got[got["area_code"] == NAZARETH].iloc[0]
    assert (naz["lower"], naz["upper"]) == (24.0, 36.0)
    val = helpers.obs(db, NAZARETH, "MoeiteMetRondkomen", 2022, age="18+", source_like="50120NED%")
    assert val["value"].tolist() == [30.0]  # the value row (MW00000) is the observation, not a bound


# ---------------------------------------------------------------------------------------------- 7. sentinels (OData)

def test_odata_v3_sentinel_is_an_error_and_changes_nothing(db, tmp_path):
    """A TypedDataSet figure of -99999999999 is not 'geheim' (the typed set marks suppression with null)."""
    root = helpers.copy_fixtures(tmp_path)
    path = root / "opendata.cbs.nl/ODataFeed/odata/83765NED/TypedDataSet.json"

    def mutate(data):
        data["value"][3]["AantalInwoners_5"] = SENTINEL
    helpers.edit_json(path, mutate)
    server = RecordedCbs(root=root).start()
    before = helpers.snapshot(db)
    try:
        with pytest.raises(LoadError) as err:
            refresh.run(db, tables=["83765NED"], derive=DERIVE, endpoints=server.endpoints(), cache_dir=tmp_path / "cache",
                        wanted=WANTED)
    finally:
        server.stop()
    assert err.value.file == "83765NED/TypedDataSet" and err.value.row == 4 and err.value.column == "AantalInwoners_5"
    assert "-99999999999" in str(err.value) and "geheim" in str(err.value)
    assert helpers.snapshot(db) == before


def test_odata4_sentinel_is_an_error_and_changes_nothing(db, tmp_path):
    from tests.test_recorded_cbs import V4

    root = tmp_path / "v4"
    shutil.copytree(V4, root)
    path = root / "odata4.cbs.nl/CBS/83765NED/Observations.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    row = next(i for i, r in enumerate(data["value"]) if isinstance(r.get("Value"), (int, float)))
    data["value"][row]["Value"] = SENTINEL
    path.write_text(json.dumps(data), encoding="utf-8")
    srv = RecordedCbs(root=root).start()
    before = helpers.snapshot(db)
    try:
        with pytest.raises(LoadError) as err:
            refresh.run(db, tables=["83765NED"], derive=DERIVE, endpoints=srv.endpoints(), cache_dir=tmp_path / "c", odata=4,
                        wanted=WANTED)
    finally:
        srv.stop()
    # the measure's code names the column (as for every value check of an Observations answer), the row its line
    assert err.value.file == "83765NED/Observations" and err.value.column == data["value"][row]["Measure"]
    assert err.value.row == row + 1 and "-99999999999" in str(err.value)
    assert helpers.snapshot(db) == before


# ---------------------------------------------------------------------------------------------- pages and wording

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def eng(subset_sqlite):
    return stored_engine(subset_sqlite)


@pytest.fixture(scope="module")
def ctx(eng, subset_sqlite):
    return Context(eng, TODAY, [], None, repository.build_info(subset_sqlite), repository.sources(subset_sqlite))


def test_calendar_lists_the_published_editions_that_are_not_loaded(eng):
    """1: the 2022 health edition (50120NED, with bounds) and the KWB jaargangen 2021-2023 are published and not
    loaded; the Doelen calendar says so instead of 'editie 2024 al verwacht' / 'nothing newer exists'."""
    cal = calendar_model(eng, load(), eng.latest_period_by_source(), TODAY).table.set_index("Bron")
    health = cal.loc["Gezondheid per wijk en buurt (RIVM/CBS/GGD'en)"]
    assert health["Volgende cijfers (schatting van de datum)"] == (
        "meting 2022: gepubliceerd, nog niet geladen (50120NED, met betrouwbaarheidsintervallen)")
    assert health["Gepubliceerd, nog niet geladen"] == "2022 (50120NED)"
    kwb = cal.loc["Kerncijfers wijken en buurten (CBS)"]
    assert kwb["Gepubliceerd, nog niet geladen"] == ("2018 (84286NED), 2021 (85039NED), 2022 (85318NED), "
                                                     "2023 (85618NED)")  # after the first loaded jaargang (2017)


def test_edition_states_follow_the_database():
    """An edition is 'geladen' once its table is in the database, 'deels' when loaded without figures it brings."""
    loaded = {"50090NED": 2020, "84799NED": 2020, "85984NED": 2024}
    states = {s.edition.period: s.state for s in releases.edition_states("50090NED", loaded, TODAY)}
    assert states == {2012: "geladen", 2016: "geladen", 2020: "geladen", 2022: "gepubliceerd", 2024: "verwacht"}
    states = {s.edition.period: s.state for s in
              releases.edition_states("50090NED", {**loaded, "50120NED": 2022}, TODAY)}
    assert states[2022] == "geladen"
    part = releases.edition_states("84799NED", {**loaded, "85039NED": 2021}, TODAY, after=2020,
                                   has_figure=lambda mid, year: mid == "inkomen_per_inwoner")
    assert [(s.edition.table, s.state, s.missing) for s in part][:3] == [
        ("85039NED", "deels", ("nettoarbeidsparticipatie", "jeugdzorg")),
        ("85318NED", "gepubliceerd", ()), ("85618NED", "gepubliceerd", ())]
    # the next edition of a target's source: published 2022 means the status can change now
    r = releases.release("50090NED", 2020, TODAY)
    assert (r.next_period, r.published, r.overdue, r.next_table) == (2022, True, True, "50120NED")


def test_target_card_with_the_baseline_as_latest_measurement(eng):
    """3: a target whose baseline is the latest measurement shows that measurement (it is the baseline)."""
    rec = {"id": 1, "metric_id": "moeite_met_rondkomen", "area_code": NAZARETH, "baseline_year": 2020,
           "baseline_value": 25.3, "target_value": 20.0, "target_year": 2030, "owner": "Team armoede",
           "rationale": "Minder geldzorgen"}
    card = target_card(eng, load(), rec, None, TODAY)
    assert card.figures == (("Basis 2020", "25,3%"), ("Laatste meting 2020 (de basis)", "25,3%"),
                            ("Doel 2030", "20,0%"))
    assert "geen gegevens" not in str(card.figures)
    # the 2022 edition is published (50120NED) but not loaded: the card says so, not "should have appeared"
    assert card.status == "geen nieuwe gegevens"
    assert card.explanation == "De meting van 2022 is gepubliceerd (50120NED), maar nog niet in de database geladen."
    assert card.caption.endswith("Eerstvolgende meting: 2022: gepubliceerd, nog niet geladen (50120NED, "
                                 "met betrouwbaarheidsintervallen)")
    # the one-page briefing and the slides' target list say the same
    t = Target.from_row(rec)
    ctx = Context(eng, TODAY, [t], None, {}, None)
    assert slides.target_cards(ctx)[0].latest == "25,3% (2020, de basis)"


UNIT_WORDS = ("per 1.000 inwoners", "x 1.000 euro", "euro", "procent")


def _repeats(text: str) -> list[str]:
    low = text.lower()
    return [u for u in UNIT_WORDS if low.count(u) > 1]


def test_no_card_or_one_pager_line_repeats_its_unit(eng, ctx):
    """5: title, value with year, one comparison sentence, source — the unit once. Every card of every metric with a
    figure for the focus buurten (not only today's headline metrics) and every line of the one-page briefing."""
    from metrics.briefing import card

    checked = 0
    for m in eng.catalog.available():
        for a in (NAZARETH, POTTENBERG):
            c = card(eng, m, a)
            if c.latest is None:
                continue
            t = card_text(c)
            text = " ".join([t.title, t.value, t.year, t.sentence])
            assert not _repeats(text), text
            assert t.title.lower() not in t.sentence.lower(), t.sentence  # the title is not said again
            assert t.sentence.count(".") <= 1 or t.sentence.endswith("."), t.sentence
            checked += 1
    assert checked >= 30
    bij = card_text(card(eng, eng.catalog.get("bijstand_per_1000"), NAZARETH))
    assert (bij.title, bij.value, bij.year) == ("Bijstandsuitkeringen per 1.000 inwoners", "79,4", "2020")
    deck = slides.build(ctx, ["pijler:bestaanszekerheid", "indicator:bijstand_per_1000"])
    for line in (ln for sl in deck.slides for ln in sl.notes.split("\n")):  # presenter notes too
        assert not _repeats(line), line
    doc = onepage.build(ctx)
    lines = [f"{h.label} {h.value} ({h.year}): {h.change}; Maastricht {h.maastricht}, Nederland {h.nederland}"
             for b in doc.blocks for h in b.headlines]
    lines += [p for b in doc.blocks for p in (*b.strengths, *b.attention)]
    assert lines
    for line in lines:
        assert not _repeats(line), line


def test_data_page_text_has_no_developer_note():
    """8: the file path and the command belong in docs/metrics.md, not on the Data en methode page."""
    intro, parts = docs.sections()
    page = intro + " ".join(t + body for t, body in parts)
    for dev in ("metrics/catalog.yaml", "python -m", "de pagina Data en methode toont"):
        assert dev not in page, dev
    assert docs.GENERATED_NOTE in docs.render() and "python -m wijkmonitor docs" in docs.render()
    assert docs.render().endswith(docs.page_text())
