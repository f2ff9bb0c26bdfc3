"""Boundary changes: detected from registers, geometries and documented herindelingen; never silently joined."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders import boundaries, refresh
from loaders.db import query
from tests.cbs_fixtures import DERIVE, WANTED, cbs_helpers

helpers = cbs_helpers()
RecordedCbs = helpers.server_module().RecordedCbs
NAZARETH, POTTENBERG = "BU09350403", "BU09350203"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    url = helpers.copy_db(request, tmp_path)
    boundaries.refresh_changes(url)
    return url


def _k20():
    return helpers.kwb_csv("kwb_2020_wijkbuurtkaart_84799NED_gemeente_socioeconomic_nl.csv").set_index("GM_CODE")


# ------------------------------------------------------------------ real herindelingen in the shipped data

def test_merge_is_linked_and_converted_with_real_figures(db):
    ch = boundaries.changes(db, "GM1979")
    links = ch[ch["kind"] == "samenvoeging"]
    assert sorted(links["from_code"]) == ["GM0003", "GM0010", "GM0024"]
    assert (links["weight"] == 1.0).all() and (links["to_year"] == 2021).all()
    assert boundaries.changes(db, "GM0003")["kind"].tolist() == ["samenvoeging"]  # not 'opgeheven'

    k20 = _k20()
    k19 = helpers.kwb_csv("kwb_2019_gemeente_population_subset.csv").set_index("unique_id")
    k24 = helpers.kwb_csv("kwb_2024_85984NED_gemeente_wijk_basic_nl.csv").set_index("regio_code")
    parts = ["GM0003", "GM0010", "GM0024"]
    s = boundaries.convert_series(db, "GM1979", "AantalInwoners").set_index("year")
    assert s.loc[2020, "method"] == "omgerekend"
    assert s.loc[2020, "value"] == pytest.approx(sum(float(k20.loc[g, "AANT_INW"]) for g in parts))
    assert s.loc[2019, "value"] == pytest.approx(sum(float(k19.loc[g, "population"]) for g in parts))
    assert s.loc[2024, "method"] == "gepubliceerd"
    assert s.loc[2024, "value"] == float(k24.loc["GM1979", "AantalInwoners_5"])
    assert "GM0003 × 1,000" in s.loc[2020, "note"]
    # a household share: weighted by the households of each old gemeente
    s = boundaries.convert_series(db, "GM1979", "HuishOnderOfRondSociaalMinimum").set_index("year")
    hh = [float(k20.loc[g, "AANTAL_HH"]) for g in parts]
    pct = [float(k20.loc[g, "HuishOnderOfRondSociaalMinimum_79"]) for g in parts]
    assert s.loc[2020, "value"] == pytest.approx(sum(h * p for h, p in zip(hh, pct)) / sum(hh))
    # a median cannot be combined: marked, no value
    s = boundaries.convert_series(db, "GM1979", "MediaanVermogenVanParticuliereHuish").set_index("year")
    assert s.loc[2020, "method"] == "niet vergelijkbaar" and s.loc[2020, "value"] is None


def test_split_uses_documented_area_weights(db):
    ch = boundaries.changes(db, "GM0788")
    parts = ch[(ch["kind"] == "splitsing") & (ch["from_code"] == "GM0788")].set_index("to_code")
    assert sorted(parts.index) == ["GM0757", "GM0824", "GM0855", "GM0865"]
    assert parts["weight"].sum() == pytest.approx(1.0)
    assert parts.loc["GM0855", "weight_basis"] == "oppervlakte van wijk WK078804 (indeling 2014)"
    assert (parts["weight"] > 0.05).all()
    k20 = _k20()
    w = float(parts.loc["GM0855", "weight"])
    s = boundaries.convert_series(db, "GM0855", "AantalInwoners").set_index("year")  # Tilburg got Biezenmortel
    expected = float(k20.loc["GM0855", "AANT_INW"]) + w * float(k20.loc["GM0788", "AANT_INW"])
    assert s.loc[2020, "value"] == pytest.approx(expected)
    assert s.loc[2020, "method"] == "omgerekend" and "GM0788" in s.loc[2020, "note"]


def test_breaks_mark_where_a_trend_must_not_be_joined(db):
    purmerend = boundaries.series_breaks(db, "GM0439")  # absorbed Beemster in 2022
    assert {(b["year"], b["kind"]) for b in purmerend} >= {(2022, "grens"), (2022, "samenvoeging")}
    weesp = boundaries.series_breaks(db, "GM0457")
    assert [(b["year"], b["kind"]) for b in weesp] == [(2023, "samenvoeging")]
    assert boundaries.series_breaks(db, "GM0935") == []
    from loaders import repository

    assert repository.series_breaks("GM0439", url=db) == purmerend
    assert boundaries.series_breaks(db, NAZARETH) == []
    assert boundaries.series_breaks(db, POTTENBERG) == []


def test_geometry_comparison_at_the_precision_of_the_data(db):
    g = query("SELECT area_code, indeling_year, geojson FROM geometries WHERE area_code IN (:a, :b)",
              {"a": NAZARETH, "b": POTTENBERG}, url=db)
    geo = {(r.area_code, r.indeling_year): r.geojson for r in g.itertuples()}
    assert boundaries.geometry_changed(geo[(NAZARETH, 2014)], geo[(NAZARETH, 2020)])[0] is False
    assert boundaries.geometry_changed(geo[(POTTENBERG, 2014)], geo[(POTTENBERG, 2020)])[0] is False
    changed, moved = boundaries.geometry_changed(geo[(NAZARETH, 2014)], geo[(POTTENBERG, 2020)])
    assert changed and moved > 0.5  # two different buurten (a reused code) are never taken for one
    grens = boundaries.changes(db).query("kind == 'grens' and level == 'buurt'")
    assert len(grens) <= 2 and NAZARETH not in set(grens["from_code"])


# ------------------------------------------------------------------ scenarios on the recorded 2024 response

def _refresh_2024(db, tmp_path, edit):
    root = helpers.copy_fixtures(tmp_path)
    d = root / "opendata.cbs.nl/ODataFeed/odata/85984NED"
    edit(d)
    server = RecordedCbs(root=root).start()
    try:
        return refresh.run(db, tables=["85984NED"], endpoints=server.endpoints(), cache_dir=tmp_path / "cache", derive=DERIVE, wanted=WANTED)
    finally:
        server.stop()


def _recode(d: Path, old: str, new: str, name: str | None = None) -> None:
    """Scenario: CBS publishes the (real) 2024 figures of `old` under code `new` (and optionally a new name)."""
    def rows(data):
        for r in data["value"]:
            if r["Codering_3"] == old:
                r["Codering_3"], r["WijkenEnBuurten"] = new, new.ljust(10)

    def dim(data):
        for e in data["value"]:
            if e["Key"].strip() == old:
                e["Key"], e["DetailRegionCode"] = new.ljust(10), new
                if name:
                    e["Title"] = name
    helpers.edit_json(d / "TypedDataSet.json", rows)
    helpers.edit_json(d / "WijkenEnBuurten.json", dim)


def test_renamed_buurt_is_a_name_change_not_a_break(db, tmp_path):
    new_name = "Pottenberg (hernoemd, testscenario)"

    def edit(d):
        helpers.edit_json(d / "WijkenEnBuurten.json", lambda data: [e.update(Title=new_name) for e in data["value"]
                                                                    if e["Key"].strip() == POTTENBERG])
    _refresh_2024(db, tmp_path, edit)
    ch = boundaries.changes(db, POTTENBERG)
    assert ch[["kind", "from_year", "to_year"]].values.tolist() == [["naam", 2020, 2024]]
    assert "'Pottenberg'" in ch["note"].iloc[0] and new_name in ch["note"].iloc[0]
    versions = query("SELECT indeling_year, name FROM area_versions WHERE code = :c AND source_key = '85984NED-odata'",
                     {"c": POTTENBERG}, url=db)
    assert versions.values.tolist() == [[2024, new_name]]
    # areas.name follows the newest indeling year: the 2025 extract in data/ still says 'Pottenberg'
    assert query("SELECT name, indeling_year FROM areas WHERE code = :c", {"c": POTTENBERG},
                 url=db).values.tolist() == [["Pottenberg", 2025]]
    assert boundaries.series_breaks(db, POTTENBERG) == []
    s = boundaries.convert_series(db, POTTENBERG, "AantalInwoners")
    assert set(s["method"]) == {"gepubliceerd"} and {2017, 2024} <= set(s["year"])


def test_code_change_is_linked_explicitly(db, tmp_path):
    new = "BU09350299"
    _refresh_2024(db, tmp_path, lambda d: _recode(d, POTTENBERG, new))
    ch = boundaries.changes(db, new)
    assert ch[["kind", "from_code", "to_code", "from_year", "to_year"]].values.tolist() == \
        [["code", POTTENBERG, new, 2020, 2024]]
    assert [b["kind"] for b in boundaries.series_breaks(db, new)] == ["code"]
    assert [b["kind"] for b in boundaries.series_breaks(db, POTTENBERG)] == ["code"]
    # the refreshed 2024 table replaces the shipped copy: no 2024 figures left under the old code
    assert helpers.obs(db, POTTENBERG, "AantalInwoners", 2024).empty
    k17 = helpers.kwb_csv("kwb_2017_83765NED_buurt_subset_maastricht_heerlen.csv").set_index("WijkenEnBuurten")
    s = boundaries.convert_series(db, new, "AantalInwoners").set_index("year")
    assert s.loc[2017, "method"] == "omgerekend" and s.loc[2017, "value"] == float(k17.loc[POTTENBERG, "AantalInwoners_5"])
    assert s.loc[2024, "method"] == "gepubliceerd" and s.loc[2024, "value"] == 2330.0


def test_code_and_name_change_is_a_break_not_a_join(db, tmp_path):
    new = "BU09350299"
    _refresh_2024(db, tmp_path, lambda d: _recode(d, POTTENBERG, new, "Andere buurt (testscenario)"))
    kinds = {(r.kind, r.from_code, r.to_code) for r in boundaries.changes(db).itertuples()}
    assert ("opgeheven", POTTENBERG, "") in kinds and ("nieuw", "", new) in kinds
    assert not any(k[0] == "code" for k in kinds)
    s = boundaries.convert_series(db, new, "AantalInwoners")
    assert s["year"].tolist() == [2024] and s["method"].tolist() == ["gepubliceerd"]
    assert [b["kind"] for b in boundaries.series_breaks(db, new)] == ["nieuw"]


def test_detection_only_trusts_complete_registers(db):
    """The 2017 and 2025 extracts leave out small buurten: that must not read as buurten disappearing."""
    ch = boundaries.changes(db)
    assert ch.query("level == 'buurt' and kind in ('opgeheven', 'nieuw')").empty
    assert "83765NED-buurt" not in boundaries.COMPLETE_SOURCES and "86165NED-buurt" not in boundaries.COMPLETE_SOURCES
    regs = json.dumps(sorted(ch["evidence"].unique().tolist()))
    assert "2025" not in regs
