"""Metrics engine: hand-computed cases (small hand-made inputs, labelled as such) and real-data checks."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from loaders.repository import load_inputs
from metrics import export, fmt, margins
from metrics.briefing import briefing
from metrics.catalog import CatalogError, load, parse
from metrics.compute import Engine, Inputs, make_set

# ---------------------------------------------------------------- hand-made inputs (unit-test data, not statistics)


def _obs(rows):
    return pd.DataFrame(rows, columns=["area_code", "year", "variable_code", "age_group", "value", "status", "source_key"])


def hand_inputs(extra=()):
    rows = [
        # buurt A: 1.200 inhabitants of whom 200 under 15 -> 1.000 persons 15+; share 20%
        ("BU00010001", 2017, "AantalInwoners", "totaal", 1200, "ok", "kwb17"),
        ("BU00010001", 2017, "k_0Tot15Jaar", "totaal", 200, "ok", "kwb17"),
        ("BU00010001", 2020, "MoeiteMetRondkomen", "18+", 20.0, "ok", "gez"),
        ("BU00010001", 2012, "MoeiteMetRondkomen", "18+", 26.0, "ok", "gez"),
        # buurt B: 3.500 inhabitants, 500 under 15 -> 3.000 persons 15+; share 40%
        ("BU00010002", 2017, "AantalInwoners", "totaal", 3500, "ok", "kwb17"),
        ("BU00010002", 2017, "k_0Tot15Jaar", "totaal", 500, "ok", "kwb17"),
        ("BU00010002", 2020, "MoeiteMetRondkomen", "18+", 40.0, "ok", "gez"),
        ("BU00010002", 2012, "MoeiteMetRondkomen", "18+", None, "geheim", "gez"),
        # the gemeente publishes its own value
        ("GM0001", 2020, "MoeiteMetRondkomen", "18+", 33.3, "ok", "gez"),
        # households with children: counts
        ("BU00010001", 2017, "HuishoudensMetKinderen", "totaal", 100, "ok", "kwb17"),
        ("BU00010001", 2017, "HuishoudensTotaal", "totaal", 500, "ok", "kwb17"),
        ("BU00010002", 2017, "HuishoudensMetKinderen", "totaal", 900, "ok", "kwb17"),
        ("BU00010002", 2017, "HuishoudensTotaal", "totaal", 1500, "ok", "kwb17"),
        # population in 2024 too, for the nearest-year rule
        ("BU00010001", 2024, "AantalInwoners", "totaal", 2000, "ok", "kwb24"),
        ("BU00010001", 2024, "k_0Tot15Jaar", "totaal", 0, "ok", "kwb24"),
        *extra,
    ]
    areas = pd.DataFrame([
        ("NL01", "Nederland", "land", None, None, 2020),
        ("GM0001", "Testgemeente", "gemeente", "NL01", "GM0001", 2020),
        ("WK000100", "Testwijk", "wijk", "GM0001", "GM0001", 2020),
        ("BU00010001", "Buurt A", "buurt", "WK000100", "GM0001", 2020),
        ("BU00010002", "Buurt B", "buurt", "WK000100", "GM0001", 2020),
    ], columns=["code", "name", "level", "parent_code", "gemeente_code", "indeling_year"])
    members = pd.DataFrame([("AB", "BU00010001"), ("AB", "BU00010002")], columns=["group_code", "area_code"])
    groups = pd.DataFrame([("AB", "A en B", "test")], columns=["group_code", "name", "description"])
    sources = pd.DataFrame([("gez", "50090NED"), ("kwb17", "83765NED"), ("kwb24", "85984NED")],
                           columns=["source_key", "table_id"])
    return Inputs(_obs(rows), areas, members, groups, sources)


@pytest.fixture
def eng():
    return Engine(hand_inputs(), load())


def test_weighted_share_uses_base_population_not_plain_average(eng):
    r = eng.value("moeite_met_rondkomen", "AB", 2020)
    assert r.value == pytest.approx((20 * 1000 + 40 * 3000) / 4000)  # 35.0, not the plain mean 30.0
    assert r.method == "afgeleid" and r.coverage == pytest.approx(1.0)
    assert r.base_population == 4000 and r.base_year == 2017
    assert "volwassenen" in r.note


def test_user_chosen_set_is_aggregated_the_same_way(eng):
    r = eng.value("moeite_met_rondkomen", make_set(["BU00010002", "BU00010001"]), 2020)
    assert r.value == pytest.approx(35.0)


def test_missing_member_lowers_coverage_and_withholds(eng):
    r = eng.value("moeite_met_rondkomen", "AB", 2012)  # B suppressed: only A (1.000 of 4.000) has a value
    assert r.value is None and r.status == "ontbreekt"
    assert "dekking 25%" in r.note


def test_suppressed_buurt_stays_missing_never_zero(eng):
    r = eng.value("moeite_met_rondkomen", "BU00010002", 2012)
    assert r.value is None and r.status == "geheim"


def test_published_value_is_preferred_over_derivation(eng):
    r = eng.value("moeite_met_rondkomen", "GM0001", 2020)
    assert r.value == 33.3 and r.method == "gepubliceerd"
    wijk = eng.value("moeite_met_rondkomen", "WK000100", 2020)  # no published wijk value: derived
    assert wijk.value == pytest.approx(35.0) and wijk.method == "afgeleid"


def test_ratio_aggregates_counts_exactly(eng):
    r = eng.value("huishoudens_met_kinderen", "AB", 2017)
    assert r.value == pytest.approx((100 + 900) / (500 + 1500) * 100)  # 50.0 (mean of 20 and 60 would be 40)
    assert eng.value("huishoudens_met_kinderen", "BU00010001", 2017).value == pytest.approx(20.0)


def test_nearest_population_year(eng):
    # 2020 is 3 years from 2017 and 4 from 2024 -> 2017; 2023 -> 2024
    assert eng.weight("BU00010001", "persons_18plus", 2020) == (1000, 2017)
    assert eng.weight("BU00010001", "persons_18plus", 2023) == (2000, 2024)


@pytest.mark.parametrize("direction,old,new,label", [
    ("lower_better", 40.0, 30.0, "verbeterd"),
    ("lower_better", 30.0, 40.0, "verslechterd"),
])
def test_direction_handling(eng, direction, old, new, label):
    m = load().get("moeite_met_rondkomen")
    assert m.direction == direction
    from metrics.compute import Result
    a = Result("X", m.id, 2020, new, "ok", "gepubliceerd", base_population=100_000)
    b = Result("X", m.id, 2012, old, "ok", "gepubliceerd", base_population=100_000)
    assert eng.change(m, a, b).label == label
    higher = load().get("ervaren_gezondheid")
    assert eng.change(higher, a, b).label == ("verslechterd" if label == "verbeterd" else "verbeterd")


def test_standard_error_model_share_by_hand():
    """RIVM model estimate without a published interval: SE = 2 · √(p(1 − p)/N) · 100."""
    rule = {"type": "model_share"}
    # p = 0,30, N = 1.000: 2 · √(0,21 / 1000) = 2 · 0,0144914 = 0,0289828 -> 2,898 pp
    assert margins.standard_error(rule, 30.0, 1000) == pytest.approx(2.89828, rel=1e-5)
    # p = 0,25: 2 · √(0,1875 / 1000) = 0,0273861 -> 2,739 pp
    assert margins.standard_error(rule, 25.0, 1000) == pytest.approx(2.73861, rel=1e-5)
    assert margins.standard_error(rule, 30.0, None) is None  # no population: no SE, never a default
    # a published interval goes first: (14 − 10) / (2 · 1,96) = 1,0204
    assert margins.interval_se(10.0, 14.0) == pytest.approx(1.020408, rel=1e-6)
    assert margins.standard_error(rule, 30.0, 1000, published=margins.interval_se(10.0, 14.0)) == \
        pytest.approx(1.020408, rel=1e-6)


def test_standard_error_register_share_counts_rounded_to_fives():
    """Pottenberg huishoudens met kinderen 355/1.270 (2017) -> 370/1.245 (2024): binomial plus rounding."""
    rule = {"type": "binomial", "rounding": 5}
    # p = 0,279528: 0,279528 · 0,720472 / 1270 = 1,58572e-4; rounding (25/12)(1 + p²)/1270² = 1,3920e-6
    se1 = margins.standard_error(rule, 355 / 1270 * 100, numerator=355, denominator=1270, factor=100)
    assert se1 == pytest.approx(1.26479, rel=1e-4)
    se2 = margins.standard_error(rule, 370 / 1245 * 100, numerator=370, denominator=1245, factor=100)
    assert se2 == pytest.approx(1.30088, rel=1e-4)
    # change +1,77 pp against 1,96 · √(1,2648² + 1,3009²) = 3,556 pp: inside the margin
    thr = margins.margin(margins.se_sum(se1, se2))
    assert thr == pytest.approx(3.55618, rel=1e-4)
    assert not margins.is_meaningful(370 / 1245 * 100 - 355 / 1270 * 100, thr)
    # a published KWB percentage of a known base, rounded to whole percents: √(p(1−p)/N + 1/12)
    pub = margins.standard_error({"type": "binomial", "rounding_pp": 1.0}, 20.0, 1000)
    assert pub == pytest.approx(math.sqrt((math.sqrt(0.16 / 1000) * 100) ** 2 + 1 / 12))


def test_standard_error_poisson_relative_and_counts_by_hand():
    # bijstand: 400 uitkeringen op 4.000 inwoners, counts rounded to fives: 1000 · √(400 + 25/12) / 4000 = 5,0130
    se = margins.standard_error({"type": "poisson", "rounding": 5}, 100.0, numerator=400, denominator=4000,
                                factor=1000)
    assert se == pytest.approx(5.01300, rel=1e-5)
    # police counts are exact: 1000 · √400 / 4000 = 5
    assert margins.standard_error({"type": "poisson", "rounding": 0}, 100.0, numerator=400, denominator=4000,
                                  factor=1000) == pytest.approx(5.0)
    # a published rate per 1.000 with N = 4.000: x = 100 · 4000 / 1000 = 400 -> 5
    assert margins.standard_error({"type": "poisson_rate"}, 100.0, 4000, factor=1000) == pytest.approx(5.0)
    # a mean without dispersion: 30 · 0,03 / (1,96 · √2) = 0,32469
    assert margins.standard_error({"type": "relative", "value": 0.03}, 30.0) == pytest.approx(0.324692, rel=1e-5)
    # a count rounded to fives: √(1000 + 25/12) = 31,6557
    assert margins.standard_error({"type": "poisson_count", "rounding": 5}, 1000.0) == pytest.approx(31.6557, rel=1e-5)


def test_combinations_by_hand():
    # a change of one area: independent editions, √(2² + 1,5²) = 2,5
    assert margins.se_sum(2.0, 1.5) == pytest.approx(2.5)
    # a buurt inside its city (N_a/N_c = 0,1): √(4 + 0,25 − 2 · 0,1 · 4) = √3,45 = 1,85742
    assert margins.se_difference(2.0, 0.5, 0.1) == pytest.approx(1.857418, rel=1e-6)
    assert margins.se_difference(2.0, 0.5) == pytest.approx(math.sqrt(4.25))  # no overlap: independent
    # difference of changes: Var(b_new − c_new) + Var(b_old − c_old) = 3,45 + 3,45 -> 2,6268
    d = margins.se_sum(margins.se_difference(2.0, 0.5, 0.1), margins.se_difference(2.0, 0.5, 0.1))
    assert d == pytest.approx(math.sqrt(6.9))
    assert margins.margin(d) == pytest.approx(1.96 * math.sqrt(6.9))
    assert margins.detectable(1.0) == pytest.approx(2.80)
    assert not margins.is_meaningful(5.0, None)  # no SE: no finding
    assert not margins.is_meaningful(1.96, 1.96) and margins.is_meaningful(1.97, 1.96)


def test_engine_change_and_compare_use_the_combined_standard_error(eng):
    from metrics.compute import Result
    m = load().get("moeite_met_rondkomen")
    a = Result("X", m.id, 2020, 25.0, "ok", "gepubliceerd", base_population=1000)
    b = Result("X", m.id, 2012, 30.0, "ok", "gepubliceerd", base_population=1000)
    ch = eng.change(m, a, b)  # −5 against 1,96 · √(2,7386² + 2,8983²) = 7,8155
    assert ch.threshold == pytest.approx(7.81546, rel=1e-5)
    assert ch.label == "binnen de marge" and not ch.meaningful and ch.favourable is None
    a.value = 22.0  # −8: SE at 22% is 2,6199 -> margin 1,96 · √(2,6199² + 2,8983²) = 7,6595
    assert eng.change(m, a, b).label == "verbeterd"
    ref = Result("GM", m.id, 2020, 15.0, "ok", "gepubliceerd", base_population=100_000)
    near = Result("B", m.id, 2020, 15.3, "ok", "gepubliceerd", base_population=100_000)  # 0,3 < 1,96 · 0,321
    far = Result("B", m.id, 2020, 25.0, "ok", "gepubliceerd", base_population=100_000)
    assert eng.compare(m, near, ref, "Maastricht").label == "niet aantoonbaar anders dan Maastricht"
    assert eng.compare(m, far, ref, "Maastricht").label == "minder gunstig dan Maastricht"
    unknown = Result("B", m.id, 2020, 40.0, "ok", "gepubliceerd")
    assert eng.compare(m, unknown, ref, "Maastricht").meaningful is False  # no population: no decision


def test_pottenberg_angst_depressie_and_vijverpark_on_one_basis(real):
    """11,8 -> 15,3 (+3,5) was 'verslechterd' by 0,04 pp under the old rule; with both estimates' standard errors
    it is inside the margin. Vijverpark (+3,9, 160 inhabitants) is decided by the same rule with its own
    population."""
    from metrics import similar
    from metrics.compute import Result
    m = load().get("risico_angst_depressie")
    s = {r.year: r for r in real.series(m, "BU09350203") if r.present}
    old, new = s[2012], s[2020]
    assert (old.value, new.value) == (pytest.approx(11.8), pytest.approx(15.3))
    n_old, n_new = old.base_population, new.base_population
    se_old = 2 * math.sqrt(0.118 * 0.882 / n_old) * 100
    se_new = 2 * math.sqrt(0.153 * 0.847 / n_new) * 100
    ch = real.change(m, new, old)
    assert ch.threshold == pytest.approx(1.96 * math.sqrt(se_old ** 2 + se_new ** 2), rel=1e-6)
    assert ch.threshold > 3.5 and ch.label == "binnen de marge"
    e = load().get("eenzaam")
    v_old = similar.national_result(e, "BU08990522", 2016, 57.0, base_population=155.0)  # 160 inwoners, 5 < 15
    v_new = similar.national_result(e, "BU08990522", 2020, 60.9, base_population=155.0)
    vch = real.change(e, v_new, v_old)
    se = [2 * math.sqrt(p * (1 - p) / 155) * 100 for p in (0.57, 0.609)]
    assert vch.threshold == pytest.approx(1.96 * math.sqrt(se[0] ** 2 + se[1] ** 2), rel=1e-6)
    assert vch.label == "binnen de marge"


def test_median_is_never_aggregated():
    e = Engine(hand_inputs([("BU00010001", 2020, "MediaanVermogenVanParticuliereHuish", "totaal", 10.0, "ok", "kwb17"),
                            ("BU00010002", 2020, "MediaanVermogenVanParticuliereHuish", "totaal", 50.0, "ok", "kwb17")]),
               load())
    r = e.value("mediaan_vermogen", "AB", 2020)
    assert r.value is None and "mediaan" in r.note


def test_catalog_is_checked():
    with pytest.raises(CatalogError):
        parse({"pillars": {"x": {}}, "dimensions": {}, "metrics": [{"id": "a", "label": "A"}]})
    cat = load()
    assert len({m.id for m in cat.metrics}) == len(cat.metrics)
    for dim in cat.dimensions:  # every dimension is listed, with or without indicator
        assert cat.dimensions[dim]["proxy_quality"]


def test_dutch_formats():
    assert fmt.number(1234.5) == "1.234,5"
    assert fmt.value(25.34, "%") == "25,3%"
    assert fmt.value(None, "%") == "geen gegevens"
    assert fmt.delta(-10.6, "%") == "−10,6 procentpunt"
    import datetime as dt
    assert fmt.date(dt.date(2026, 11, 22)) == "22 november 2026"


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real(subset_sqlite):
    return Engine(load_inputs(subset_sqlite), load())


def test_focus_group_matches_hand_computation_from_raw_files(real):
    raw_h = pd.read_csv("data/health/rivm_50090NED_gezondheid_maastricht_heerlen_nl.csv", dtype=str)
    # weights: persons 15+ of the measurement year itself (KWB 2020, 84799NED)
    raw_k = pd.read_csv("data/cbs_kwb/kwb_2020_84799NED_buurt_wijk_nl_maastricht_heerlen.csv")
    num = den = 0.0
    for code in ("BU09350403", "BU09350203"):
        v = float(raw_h[(raw_h.regio_code == code) & (raw_h.jaar == "2020") & (raw_h.leeftijd == "18+")]
                  ["MoeiteMetRondkomen_38"].iloc[0])
        k = raw_k[raw_k.Codering_3.str.strip() == code].iloc[0]
        w = k.AantalInwoners_5 - k.k_0Tot15Jaar_8
        num += v * w
        den += w
    r = real.value("moeite_met_rondkomen", "FOCUS", 2020)
    assert r.value == pytest.approx(num / den)


def test_export_has_every_metric_for_key_areas_and_years(real):
    cat = load()
    df = export.table(real, cat)
    assert list(df.columns) == export.COLUMNS
    for m in cat.available():
        for a in ("BU09350403", "BU09350203", "GM0935", "NL01"):
            sub = df[(df.metric_id == m.id) & (df.area_code == a)]
            assert set(sub["year"]) == set(real.years(m)), (m.id, a)
    # missing stays empty, never 0
    assert not ((df["value"] == 0) & df["note"].str.contains("geheim|ontbreekt")).any()
    assert df["value"].isna().any()


def test_export_neutralises_formulas(tmp_path):
    df = pd.DataFrame({"area_name": ["=cmd|' /C calc'!A0", "Nazareth", "+1", "@x"], "value": [1.0, 2.0, None, 3.0]})
    out = export.neutralise(df)
    assert out["area_name"].tolist() == ["'=cmd|' /C calc'!A0", "Nazareth", "'+1", "'@x"]
    p = tmp_path / "x.xlsx"
    export.write(df, p)
    back = pd.read_excel(p)
    assert back["area_name"].iloc[0].startswith("'=")


def test_briefing_sentence_and_order(real):
    from wording.change import card_sentence

    b = briefing(real)
    cards = b["BU09350403"]["bestaanszekerheid"]
    rond = next(c for c in cards if c.metric.id == "moeite_met_rondkomen")
    text = card_sentence(rond)
    assert text.startswith("In Nazareth: moeite met rondkomen 25,3% van de volwassenen (2020); in 2012 was dat 35,9%")
    assert "Maastricht: 15,9%" in text
    for area in b.values():
        for cs in area.values():
            tones = [c.tone for c in cs]
            assert tones == sorted(tones, key=["kracht", "neutraal", "aandacht"].index)


def test_docs_are_generated_from_the_catalog():
    from pathlib import Path

    from metrics.docs import render

    assert Path("docs/metrics.md").read_text(encoding="utf-8") == render(), \
        "docs/metrics.md is stale: run `.venv/bin/python -m wijkmonitor docs`"
    for m in load().metrics:
        assert f"### {m.label}" in render()


def test_index_and_sensitivity(real):
    from metrics.index import metric_score, pillar_index

    m = load().get("moeite_met_rondkomen")
    latest = real.latest(m, "BU09350403").value
    ref = real.value(m, "GM0935", 2012).value
    assert metric_score(real, m, "BU09350403") == pytest.approx(100 - 100 * (latest - ref) / ref)
    res = pillar_index(real, "BU09350403", "positieve_gezondheid")
    assert res.value == pytest.approx(sum(res.scores.values()) / len(res.scores))
    assert res.alternatives and res.robust in (True, False)
    assert all(load().get(k).direction != "neutral" for k in res.scores)


def test_catalog_years_match_the_data(real):
    """The years the catalog promises are exactly the years the shipped data has (per metric)."""
    for m in load().available():
        assert tuple(real.years(m)) == m.years, (m.id, real.years(m), m.years)


def test_successes_and_setbacks_beyond_margin_only(real):
    from metrics.progress import movements

    mv = movements(real, "BU09350403")
    for x in mv["successen"]:
        assert x.change.meaningful and x.change.favourable
    for x in mv["tegenvallers"]:
        assert x.change.meaningful and x.change.favourable is False
    for x in mv["binnen_marge"]:
        assert not x.change.meaningful
    from wording.change import movement_text

    eenz = next(x for x in mv["tegenvallers"] if x.metric.id == "eenzaam")
    text = movement_text(eenz, "Nazareth")
    assert "van 49,8% (2012) naar 59,4% (2020)" in text and "Maastricht in dezelfde periode" in text
    assert all("Maastricht" not in movement_text(x, "Nazareth") for x in mv["beschrijvend"] if x.metric.kind == "count")


def test_trend_line_breaks_at_gaps_and_boundary_changes(real):
    from metrics.series import trend_frame
    from charts.charts import _segments, trend_chart

    m = load().get("eenzaam")
    df = trend_frame(real, m, ["BU09350403"], breaks={"BU09350403": [2016]})
    assert df["break_before"].tolist() == [False, True, False]
    seg = _segments(df)
    assert seg["segment"].tolist() == [0, 1, 1]  # 2012 is not joined to 2016; 2016-2020 is one line
    spec = trend_chart(df, "x", "%").to_dict()
    assert "indelingswijziging" in str(spec)
    df2 = trend_frame(real, m, ["BU09350403"])
    df2.loc[1, "value"] = float("nan")  # a missing middle year splits the line too
    assert _segments(df2)["segment"].tolist() == [0, 1, 1]
