"""The similar-buurten profile match, the comparison tables and the Vergelijken chart builders.

The first tests use HAND-MADE test data (six fake buurten with two traits) so that the distance and the order can
be computed by hand; they test the algorithm only. The later tests use the real subset database.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

from loaders import repository
from loaders.db import query
from metrics import similar
from metrics.catalog import load
from metrics.compute import Engine
from charts import compare_charts

NAZARETH, POTTENBERG = "BU09350403", "BU09350203"


# ---------------------------------------------------------------------- hand-made data (algorithm tests only)

def hand_profile() -> pd.DataFrame:
    """HAND-MADE test data, not statistics. Traits A and B; focus BU0001 in gemeente GM0001.

    Over the six complete buurten: A = 8, 12, 12, 8, 12, 8 -> mean 10, population sd 2;
                                   B = 16, 24, 24, 24, 16, 16 -> mean 20, population sd 4.
    Distances² from the focus (8, 16), by hand:
      BU0002 (12, 24): (4/2)² + (8/4)² = 4 + 4 = 8     BU0003 (12, 24): 8 (tie with BU0002, code decides)
      BU0004 (8, 24):  0 + (8/4)² = 4                  BU0005 (12, 16): 4, but same gemeente as the focus
      BU0006 (8, 16):  0                               BU0007: trait A missing -> left out everywhere
    """
    return pd.DataFrame([
        ("BU0001", "Focus", "GM0001", 8.0, 16.0),
        ("BU0002", "Twee", "GM0002", 12.0, 24.0),
        ("BU0003", "Drie", "GM0003", 12.0, 24.0),
        ("BU0004", "Vier", "GM0002", 8.0, 24.0),
        ("BU0005", "Vijf", "GM0001", 12.0, 16.0),
        ("BU0006", None, "GM0003", 8.0, 16.0),
        ("BU0007", "Zeven", "GM0003", np.nan, 20.0),
    ], columns=["area_code", "name", "gemeente_code", "A", "B"])


HAND_VARS = [similar.ProfileVariable("A", "Kenmerk A", "%", "a"), similar.ProfileVariable("B", "Kenmerk B", "%", "b")]


def test_standardisation_by_hand():
    mean, sd = similar.standardisation(hand_profile(), ["A", "B"])
    assert mean["A"] == pytest.approx(10.0) and sd["A"] == pytest.approx(2.0)
    assert mean["B"] == pytest.approx(20.0) and sd["B"] == pytest.approx(4.0)


def test_distance_and_order_by_hand():
    res = similar.match(hand_profile(), "BU0001", ["A", "B"], n=10, method="euclidean")
    assert [m.area_code for m in res.matches] == ["BU0006", "BU0004", "BU0002", "BU0003"]
    assert [m.distance for m in res.matches] == pytest.approx([0.0, 2.0, math.sqrt(8), math.sqrt(8)])
    four = res.matches[1]
    assert four.z_diff == pytest.approx({"A": 0.0, "B": 2.0})
    assert four.contributions == pytest.approx({"A": 0.0, "B": 4.0})
    assert res.n_complete == 6 and res.n_missing == 1 and res.n_same_gemeente == 1 and res.n_candidates == 4
    assert res.excluded_gemeenten == ("GM0001",)
    assert res.mean == pytest.approx({"A": 10.0, "B": 20.0}) and res.sd == pytest.approx({"A": 2.0, "B": 4.0})


def test_same_gemeente_and_missing_are_excluded():
    res = similar.match(hand_profile(), "BU0001", ["A", "B"], n=10, method="euclidean")
    codes = {m.area_code for m in res.matches}
    assert "BU0005" not in codes  # same gemeente as the focus buurt, although as close as BU0004
    assert "BU0007" not in codes  # missing trait A: never filled in
    assert "BU0001" not in codes  # the focus buurt itself
    # Excluding another gemeente instead lets BU0005 in (tie with BU0004 at d = 2, code decides).
    res2 = similar.match(hand_profile(), "BU0001", ["A", "B"], n=10, exclude_gemeenten=["GM0003"], method="euclidean")
    assert [m.area_code for m in res2.matches] == ["BU0004", "BU0005", "BU0002"]


def test_top_n_and_contributions_sum_to_distance_squared():
    res = similar.match(hand_profile(), "BU0001", ["A", "B"], n=2, method="euclidean")
    assert [m.area_code for m in res.matches] == ["BU0006", "BU0004"]
    full = similar.match(hand_profile(), "BU0001", ["A", "B"], n=10, method="euclidean")
    for m in full.matches:
        assert sum(m.contributions.values()) == pytest.approx(m.distance ** 2)
    expl = similar.explanation(full, HAND_VARS)
    assert len(expl) == 4 * 2
    for code, g in expl.groupby("area_code"):
        assert g["bijdrage"].sum() == pytest.approx(g["afstand"].iloc[0] ** 2)
        if g["afstand"].iloc[0] > 0:
            assert g["aandeel"].sum() == pytest.approx(1.0)
    row = expl[(expl.area_code == "BU0002") & (expl.variable == "A")].iloc[0]
    assert (row.focus_waarde, row.waarde, row.verschil, row.verschil_sd) == pytest.approx((8.0, 12.0, 4.0, 2.0))


def test_why_sentence_names_close_traits_and_largest_difference():
    res = similar.match(hand_profile(), "BU0001", ["A", "B"], n=10, method="euclidean")
    s = similar.why(res.matches[1], res, HAND_VARS, "Focus")
    assert s == "Vrijwel gelijk aan Focus in kenmerk a; grootste verschil in kenmerk b: 24,0% tegen 16,0% (100% van de afstand)."
    same = similar.why(res.matches[0], res, HAND_VARS, "Focus")
    assert same.startswith("Vrijwel gelijk aan Focus in alle 2 kenmerken")
    table = similar.match_table(res, HAND_VARS, "Focus", {"GM0002": "Tweestad"})
    assert list(table["Buurtcode"]) == ["BU0001", "BU0006", "BU0004", "BU0002", "BU0003"]
    assert table.iloc[1]["Buurt"] == "buurt BU0006"  # no name in the data: the code, never an invented name
    assert table.iloc[2]["Gemeente"] == "Tweestad" and table.iloc[2]["Kenmerk B"] == "24,0%"
    assert table.iloc[2]["Afstand"] == "2,00"


def test_mahalanobis_distance_by_hand():
    """Over the six complete buurten Var(A) = 4, Var(B) = 16, Cov(A, B) = (8 + 8 + 8 − 8 − 8 + 8) / 6 = 8/3, so
    S⁻¹ = 9/512 · [[16, −8/3], [−8/3, 4]] = [[0,28125, −0,046875], [−0,046875, 0,0703125]].
    BU0004 (0, +8): d² = 64 · 0,0703125 = 4,5.  BU0002 (+4, +8): d² = 16 · 0,28125 − 2 · 32 · 0,046875 +
    64 · 0,0703125 = 4,5 − 3 + 4,5 = 6; contributions A: 4 · (1,125 − 0,375) = 3, B: 8 · (−0,1875 + 0,5625) = 3.
    The correlated pair (A, B) no longer counts its shared part twice: BU0002 moves from 2,83 to 2,45."""
    res = similar.match(hand_profile(), "BU0001", ["A", "B"], n=10)
    by = {m.area_code: m for m in res.matches}
    assert [m.area_code for m in res.matches] == ["BU0006", "BU0004", "BU0002", "BU0003"]
    assert by["BU0004"].distance == pytest.approx(math.sqrt(4.5))
    assert by["BU0002"].distance == pytest.approx(math.sqrt(6.0))
    assert by["BU0002"].contributions == pytest.approx({"A": 3.0, "B": 3.0})
    assert by["BU0004"].contributions == pytest.approx({"A": 0.0, "B": 4.5})
    for m in res.matches:
        assert sum(m.contributions.values()) == pytest.approx(m.distance ** 2)


def test_programme_buurten_are_left_out_of_the_donor_pool():
    """Buurten of another national area programme (config [nplv]) are no donors; HAND-MADE profile values."""
    prof = hand_profile()
    prof.loc[prof.area_code == "BU0006", "area_code"] = "BU03637600"  # Buurt 3, Slotermeer-Noordoost (Nieuw-West)
    res = similar.match(prof, "BU0001", ["A", "B"], n=10)
    assert "BU03637600" not in {m.area_code for m in res.matches} and res.n_programme == 1
    assert similar.programme_buurt("BU03637600") and not similar.programme_buurt("BU09350403")
    # BU03630300 was a buurt of Stadsdeel Nieuw-West in the 2014 indeling; in 2020 (the pool's) it is the
    # Spiegelbuurt of Grachtengordel-Zuid, Amsterdam-Centrum: a donor like any other
    assert not similar.programme_buurt("BU03630300")
    # every Heerlen-Noord wijk of the dashboard's own group is in the list
    from loaders.codes import HEERLEN_NOORD_WIJKEN
    assert all(similar.programme_buurt(f"BU0917{w}01") for w in HEERLEN_NOORD_WIJKEN)


def test_focus_without_complete_profile_is_refused():
    prof = hand_profile()
    prof.loc[prof.area_code == "BU0001", "B"] = np.nan
    with pytest.raises(similar.ProfileUnavailable):
        similar.match(prof, "BU0001", ["A", "B"])
    with pytest.raises(similar.ProfileUnavailable):
        similar.match(hand_profile(), "BU9999", ["A", "B"])


def test_movement_years():
    assert similar.movement_years([2012, 2016, 2020], 2016) == (2016, 2020)
    assert similar.movement_years([2012, 2016, 2020], 2012) == (2012, 2020)
    assert similar.movement_years([2016, 2020], 2012) == (2016, 2020)
    assert similar.movement_years([2020], 2016) is None


def test_spread_by_hand():
    df = pd.DataFrame({"waarde": [1.0, 2.0, None, 3.0, 4.0, 5.0]})  # HAND-MADE
    sp = similar.spread(df)
    assert (sp.n, sp.n_with_value, sp.low, sp.q1, sp.median, sp.q3, sp.high) == (6, 5, 1.0, 2.0, 3.0, 4.0, 5.0)


def test_profile_variables_come_from_the_catalog():
    pvs = similar.profile_variables(load())
    assert [p.code for p in pvs] == ["MoeiteMetRondkomen", "ErvarenGezondheidGoedZeerGoed", "Eenzaam",
                                     "HoogRisicoOpAngstOfDepressie", "Overgewicht", "Roker"]
    assert similar.profile_age_group(load()) == "18+"
    with pytest.raises(ValueError):
        similar.profile_variables(load(), ["inwoners"])  # not a national 50090NED share


# ---------------------------------------------------------------------- the real subset database

@pytest.fixture(scope="module")
def engine(subset_sqlite):
    return Engine(repository.load_inputs(subset_sqlite), load())


def _profile(url, year=2016):
    pvs = similar.profile_variables(load())
    return repository.buurt_profile([p.code for p in pvs], "18+", year, url=url), pvs


def test_buurt_profile_is_wide_and_keeps_missing(built_db):
    prof, pvs = _profile(built_db)
    assert list(prof.columns) == ["area_code", "name", "gemeente_code", *[p.code for p in pvs]]
    assert prof["area_code"].is_unique
    assert set(prof["gemeente_code"]) == {"GM0935", "GM0917"}
    row = prof.set_index("area_code").loc[NAZARETH]
    db = query("SELECT value FROM observation_rows WHERE area_code = :a AND variable_code = 'Eenzaam' AND year = 2016 "
               "AND age_group = '18+'", {"a": NAZARETH}, url=built_db)
    assert row["Eenzaam"] == pytest.approx(db["value"].iloc[0])
    nulls = query("SELECT COUNT(DISTINCT o.area_code) AS n FROM observation_rows o JOIN areas a ON a.code = o.area_code "
                  "WHERE a.level = 'buurt' AND o.year = 2016 AND o.age_group = '18+' AND o.value IS NULL "
                  "AND o.variable_code = 'Roker'", url=built_db)
    assert prof["Roker"].isna().sum() == nulls["n"].iloc[0]  # suppressed stays NaN, never 0


def test_nazareth_matches_exclude_maastricht(subset_sqlite):
    prof, pvs = _profile(subset_sqlite)
    res = similar.match(prof, NAZARETH, [p.code for p in pvs], n=10, year=2016)
    assert len(res.matches) == 10
    assert res.excluded_gemeenten == ("GM0935",)
    assert all(m.gemeente_code == "GM0917" for m in res.matches)  # the subset holds Maastricht and Heerlen only
    assert all(not m.area_code.startswith("BU0935") for m in res.matches)
    dists = [m.distance for m in res.matches]
    assert dists == sorted(dists)
    assert all(not similar.programme_buurt(m.area_code) for m in res.matches)  # no Heerlen-Noord donors
    # Recompute the nearest distance independently from the raw table (Mahalanobis).
    v = [p.code for p in pvs]
    comp = prof.dropna(subset=v)
    inv = np.linalg.inv(np.cov(comp[v].to_numpy(float), rowvar=False, ddof=0))
    f = comp[comp.area_code == NAZARETH][v].to_numpy(float)[0]
    first = res.matches[0].area_code
    d = comp[comp.area_code == first][v].to_numpy(float)[0] - f
    assert math.sqrt(d @ inv @ d) == pytest.approx(dists[0])


def test_movement_on_real_data(subset_sqlite, engine):
    prof, pvs = _profile(subset_sqlite)
    res = similar.match(prof, NAZARETH, [p.code for p in pvs], n=5, year=2016)
    m = load().get("moeite_met_rondkomen")
    series = repository.buurt_series(m.variable, m.age_group, [x.area_code for x in res.matches], url=subset_sqlite)
    names = {x.area_code: x.area_code for x in res.matches}
    mv = similar.movement(engine, m, NAZARETH, res, series, names, 2016, 2020)
    assert list(mv.drop_duplicates("area_code")["area_code"]) == [NAZARETH, *[x.area_code for x in res.matches]]
    focus = mv[mv.area_code == NAZARETH].set_index("jaar")
    ch = engine.change(m, engine.value(m, NAZARETH, 2020), engine.value(m, NAZARETH, 2016))
    assert focus["verandering"].iloc[0] == pytest.approx(ch.diff) and focus["oordeel"].iloc[0] == ch.label
    one = res.matches[0].area_code
    got = mv[(mv.area_code == one)].set_index("jaar")["waarde"]
    raw = series[series.area_code == one].set_index("year")["value"]
    for y in (2012, 2016, 2020):
        assert got[y] == pytest.approx(raw[y])
    # A Heerlen buurt is known to the engine: its change and margin are the engine's, with its population.
    ch1 = engine.change(m, engine.value(m, one, 2020), engine.value(m, one, 2016))
    assert mv[mv.area_code == one]["marge"].iloc[0] == pytest.approx(ch1.threshold)
    assert mv[mv.area_code == one]["oordeel"].iloc[0] == ch1.label
    summary = similar.movement_summary(mv)
    assert sum(summary.values()) == 5
    assert set(summary) <= {"verbeterd", "verslechterd", "binnen de marge", "geen vergelijking mogelijk"}
    table = similar.movement_table(mv, m.unit, 2016, 2020)
    assert table.iloc[0]["Buurt"] == "Nazareth (focusbuurt)" and list(table.columns[1:4]) == ["2012", "2016", "2020"]


def test_movement_of_a_buurt_unknown_to_the_engine(subset_sqlite, engine):
    """A buurt outside Maastricht/Heerlen (HAND-MADE code and values) is decided on the same basis as the focus
    buurt: its own base population (KWB 2020) in the same standard-error rule; without one, no decision."""
    from metrics import margins
    prof, pvs = _profile(subset_sqlite)
    res = similar.match(prof, NAZARETH, [p.code for p in pvs], n=1, year=2016)
    res.matches[0].area_code = "BU99990001"
    res.matches[0].population = {"persons_18plus": 500.0}
    series = pd.DataFrame({"area_code": ["BU99990001"] * 3, "year": [2012, 2016, 2020],
                           "value": [30.0, 28.0, None], "status": ["ok", "ok", "geheim"]})
    m = load().get("moeite_met_rondkomen")
    mv = similar.movement(engine, m, NAZARETH, res, series, {}, 2012, 2016)
    row = mv[mv.area_code == "BU99990001"].set_index("jaar")
    se = [2 * math.sqrt(p * (1 - p) / 500) * 100 for p in (0.30, 0.28)]  # 4,0988 and 4,0159
    assert row.loc[2016, "marge"] == pytest.approx(1.96 * math.sqrt(se[0] ** 2 + se[1] ** 2))
    assert row.loc[2016, "verandering"] == pytest.approx(-2.0) and row.loc[2016, "oordeel"] == "binnen de marge"
    res.matches[0].population = {}
    unknown = similar.movement(engine, m, NAZARETH, res, series, {}, 2012, 2016)
    assert unknown[unknown.area_code == "BU99990001"]["oordeel"].iloc[0] == margins.NO_SE_LABEL
    assert row.loc[2020, "waarde"] is None or pd.isna(row.loc[2020, "waarde"])  # suppressed stays missing
    assert row.loc[2020, "status"] == "geheim"
    mv2 = similar.movement(engine, m, NAZARETH, res, series, {}, 2016, 2020)
    assert mv2[mv2.area_code == "BU99990001"]["oordeel"].iloc[0] == "geen vergelijking mogelijk"


def test_distribution_is_alphabetical_and_keeps_missing(engine):
    m = load().get("ernstig_eenzaam_65plus")  # 2 Maastricht buurten suppressed in 2020
    dist = similar.distribution(engine, m, "GM0935", 2020, highlight=(NAZARETH, POTTENBERG))
    assert len(dist) == 44
    assert list(dist["buurt"]) == sorted(dist["buurt"], key=str.lower)
    missing = dist[dist["waarde"].isna()]
    assert len(missing) == 2 and (missing["status"] != "ok").all()
    assert dist[dist.focus]["area_code"].tolist() == sorted([NAZARETH, POTTENBERG], key=lambda c: engine.name(c).lower())
    table = similar.distribution_table(dist, m)
    assert table[table["Buurtcode"].isin(missing["area_code"])][m.label].str.startswith("geen gegevens").all()
    sp = similar.spread(dist)
    assert sp.n == 44 and sp.n_with_value == 42


def test_reference_comparisons_use_the_engine(engine):
    m = load().get("moeite_met_rondkomen")
    cmp = similar.reference_comparisons(engine, m, NAZARETH)
    assert set(cmp["area_code"]) == {"GM0917", "HEERLEN_NOORD", "GM0935", "NL01"}
    for _, r in cmp.iterrows():
        want = engine.compare(m, engine.value(m, NAZARETH, r.jaar), engine.value(m, r.area_code, r.jaar),
                              ref_name=engine.name(r.area_code))
        assert r.oordeel == want.label and r.verschil == pytest.approx(want.diff)
    assert all(lbl.split(" ")[0] in {"niet", "gunstiger", "minder"} for lbl in cmp["oordeel"])
    ref = similar.reference_frame(engine, m, NAZARETH)
    hn = ref[ref.area_code == "HEERLEN_NOORD"]
    assert (hn["methode"] == "afgeleid").all()  # derived by the engine with weights, not published
    table = similar.reference_table(ref, cmp, m, "Nazareth")
    assert list(table["Jaar"]) == ["2012", "2016", "2020"]
    assert table.iloc[-1]["Nazareth"] == "25,3%"  # 50090NED 2020, Nazareth 18+ (see test_loaders)


# ---------------------------------------------------------------------- chart builders (spec only)

def _datasets(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_distribution_chart_spec(engine):
    m = load().get("ernstig_eenzaam_65plus")
    dist = similar.distribution(engine, m, "GM0935", 2020, highlight=(NAZARETH, POTTENBERG))
    spec = compare_charts.distribution_chart(dist, m.label, m.unit, NAZARETH,
                                             rules=[("Maastricht", "GM0935", 10.0), ("Nederland", "NL01", None)]).to_dict()
    rows = _datasets(spec)
    dots = [r for r in rows if "buurt" in r]
    assert len(dots) == 42  # suppressed buurten are not drawn (never as 0)
    assert {r["buurt"] for r in dots if r["is_focus"]} == {"Nazareth", "Pottenberg"}
    dots_layer = next(l for l in spec["layer"] if l["mark"]["type"] == "circle")
    colour = dots_layer["encoding"]["color"]["scale"]
    assert colour["domain"][0] == "Nazareth" and colour["range"][0] == "#0072B2"
    assert [r["gebied"] for r in rows if "gebied" in r] == ["Maastricht: 10,0%"]  # a missing reference: no rule
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_reference_chart_breaks_lines_at_gaps():
    df = pd.DataFrame({"area_code": ["A"] * 3 + ["B"] * 3, "gebied": ["Aa"] * 3 + ["Bb"] * 3,
                       "jaar": [2012, 2016, 2020] * 2, "waarde": [1.0, None, 3.0, 2.0, 2.5, 3.0],
                       "status": "ok", "methode": "", "bron": "50090NED", "toelichting": ""})  # HAND-MADE
    spec = compare_charts.reference_chart(df, "X", "%", "A").to_dict()
    rows = _datasets(spec)
    a_lines = {r["lijn"] for r in rows if r["area_code"] == "A"}
    assert len(a_lines) == 2  # 2012 and 2020 of A are not joined across the missing 2016
    assert len({r["lijn"] for r in rows if r["area_code"] == "B"}) == 1
    assert all(r["waarde"] is not None for r in rows)


def test_profile_and_movement_chart_specs(subset_sqlite, engine):
    prof, pvs = _profile(subset_sqlite)
    res = similar.match(prof, NAZARETH, [p.code for p in pvs], n=10, year=2016)
    expl = similar.explanation(res, pvs)
    spec = compare_charts.profile_chart(expl, res.focus_values, res.mean, res.sd,
                                        [(p.code, p.label, p.unit) for p in pvs], NAZARETH, "Nazareth").to_dict()
    assert len(spec["vconcat"]) == 6
    assert [v["title"]["text"] for v in spec["vconcat"]] == [f"{p.label} (%)" for p in pvs]
    assert any(r.get("buurt") == "Nazareth" for r in _datasets(spec))
    m = load().get("moeite_met_rondkomen")
    series = repository.buurt_series(m.variable, m.age_group, [x.area_code for x in res.matches], url=subset_sqlite)
    mv = similar.movement(engine, m, NAZARETH, res, series, {NAZARETH: "Nazareth"}, 2016, 2020)
    nl = similar.reference_frame(engine, m, NAZARETH, refs=("NL01",))
    spec = compare_charts.movement_chart(mv, m.label, m.unit, NAZARETH, refs=nl[nl.area_code == "NL01"]).to_dict()
    last = spec["layer"][-1]
    focus_rows = spec["datasets"][last["data"]["name"]]
    assert {r["area_code"] for r in focus_rows} == {NAZARETH}  # the focus buurt is drawn last, on top
    assert "Focusbuurt: Nazareth" in spec["layer"][0]["encoding"]["color"]["scale"]["domain"]


# ---------------------------------------------------------------------- placebo test of the group decision

@functools.lru_cache(maxsize=1)
def _national_profiles() -> dict[int, pd.DataFrame]:
    """Every buurt of the country, 18+, per year, from the shipped 50090NED file (real data), columns renamed to the
    catalog's variable codes."""
    raw = pd.read_parquet("data/health/rivm_50090NED_gezondheid_all_regions_nl.parquet")
    raw = raw[(raw["soort_regio"].str.strip() == "Buurt") & (raw["leeftijd"].str.strip() == "18+")]
    from loaders.sources import HEALTH_COLUMNS, statline_key
    raw = raw.rename(columns={c: statline_key(c) for c in HEALTH_COLUMNS})
    for c in (statline_key(c) for c in HEALTH_COLUMNS):
        raw[c] = pd.to_numeric(raw[c].astype("string").str.strip(), errors="coerce")  # '.' = suppressed: NaN
    raw = raw.assign(area_code=raw["regio_code"].str.strip(), name=raw["regio_naam_2014"],
                     gemeente_code="GM" + raw["regio_code"].str.strip().str[2:6])
    return {int(y): g.reset_index(drop=True) for y, g in raw.groupby("jaar")}


def test_placebo_random_buurten_without_programme_raise_at_most_5_percent_false_alarms():
    """Random buurten without any programme, matched on their 2016 profile (Mahalanobis, 20 buurten, NPLV buurten
    and the own gemeente left out), and their change 2016 → 2020 on the six profile indicators tested against
    their group's changes as the target card does (rank test p <= 0,05 and beyond 1,96 · the buurt's own SE,
    from its KWB 2020 adults): at most 5% 'buiten de spreiding'. The former min–max band of 10 buurten flags far
    more (under exchangeability 2/11 ≈ 18%), so the test can fail."""
    from metrics import margins
    from metrics import proposals as pr

    cat = load()
    pvs = similar.profile_variables(cat)
    v = [p.code for p in pvs]
    prof = _national_profiles()
    p16, p20 = prof[2016], prof[2020].set_index("area_code")
    base = p16.set_index("area_code")
    kwb = pd.concat([pd.read_csv(f"data/cbs_kwb/{f}", dtype={"Codering_3": str}) for f in
                     ("kwb_2020_84799NED_buurt_population_nl.csv", "kwb_2020_84799NED_buurt_wijk_nl_maastricht_heerlen.csv")])
    adults = dict(zip(kwb["Codering_3"].str.strip(), kwb["AantalInwoners_5"] - kwb["k_0Tot15Jaar_8"]))
    rng = np.random.default_rng(20251)
    pool = p16.dropna(subset=v)
    pool = pool[~pool["area_code"].map(similar.programme_buurt) & (pool["gemeente_code"] != "GM0935")
                & pool["area_code"].isin(p20.dropna(subset=v).index) & pool["area_code"].map(adults).gt(0)]
    placebo = rng.choice(pool["area_code"].to_numpy(), size=110, replace=False)
    rule = {"type": "model_share"}
    new_flags = old_flags = tests = 0
    for code in placebo:
        res = similar.match(p16, code, v, n=30, year=2016)
        group = [m.area_code for m in res.matches if m.area_code in p20.index][:20]
        n = adults[code]
        for var in v:
            a, z = base.at[code, var], p20.at[code, var]
            changes = [c for c in (p20.at[g, var] - base.at[g, var] for g in group) if not pd.isna(c)]
            if pd.isna(z - a) or len(changes) < 20:
                continue
            tests += 1
            se = margins.se_sum(margins.standard_error(rule, a, n), margins.standard_error(rule, z, n))
            gc = pr.group_comparison(cat.get(pvs[v.index(var)].metric_id), "placebo", {2016: a, 2020: z},
                                     {g: {2016: 0.0, 2020: c} for g, c in zip(range(len(changes)), changes)},
                                     2016, 2020, se)
            new_flags += gc.inside is False
            ten = changes[:10]
            old_flags += not (min(ten) - 1e-9 <= z - a <= max(ten) + 1e-9)
    print(f"placebo: {new_flags}/{tests} flagged by the rank test, {old_flags}/{tests} by the min-max band")
    assert tests >= 600
    assert new_flags / tests <= 0.05, (new_flags, tests)
    assert old_flags / tests > 0.10, (old_flags, tests)  # the old band's false alarms, for contrast


# ---------------------------------------------------------------------- the NPLV list of config [nplv]

# The 20 stedelijke focusgebieden, as listed on p. 4 of "Creativiteit, lef en een lange adem" (BZK, 2023).
NPLV_AREAS = ("Amsterdam Nieuw-West", "Amsterdam Zuidoost", "Arnhem Oost", "Breda Noord", "Delft West",
              "Den Haag Zuidwest", "Dordrecht West", "Eindhoven Woensel-Zuid", "Groningen Noord", "Heerlen Noord",
              "Leeuwarden Oost", "Lelystad Oost", "Nieuwegein Centrale-As", "Roosendaal Ring", "Rotterdam Zuid",
              "Schiedam Nieuwland en Oost", "Tilburg Noordwest", "Utrecht Overvecht", "Vlaardingen West",
              "Zaandam Oost")


def _wijken_2020() -> pd.DataFrame:
    """Every CBS wijk of indeling 2020 with its KWB 2020 name and inwoners (real data, data/PROVENANCE.md)."""
    df = pd.read_csv("data/cbs_kwb/kwb_2020_84799NED_wijk_names_nl.csv", dtype=str)
    return pd.DataFrame({"code": df["Codering_3"].str.strip(), "name": df["regio"].str.strip(),
                         "inwoners": pd.to_numeric(df["AantalInwoners_5"])}).set_index("code")


def test_nplv_list_holds_all_20_focus_areas():
    from loaders.config import nplv_areas, nplv_missing, nplv_wijken

    assert sorted(a.name for a in nplv_areas()) == sorted(NPLV_AREAS)
    assert nplv_missing() == ()
    assert all(a.wijken for a in nplv_areas())
    assert len(set(nplv_wijken())) == len(nplv_wijken()) == sum(len(a.wijken) for a in nplv_areas())
    from loaders.codes import HEERLEN_NOORD_WIJKEN
    heerlen = next(a for a in nplv_areas() if a.name == "Heerlen Noord")
    assert set(heerlen.wijken) == {f"WK0917{w}" for w in HEERLEN_NOORD_WIJKEN}


def test_nplv_codes_are_wijken_of_the_donor_pools_indeling():
    """The exclusion compares the buurt code's wijk part with the configured codes, so the codes must be of the
    indeling of the pool's data (50090NED, indeling 2020): each must hold buurten with a complete profile in every
    baseline year of the shipped national file, or it silently excludes nothing."""
    from loaders import sources
    from loaders.config import nplv_indeling, nplv_wijken

    assert nplv_indeling() == sources.HEALTH_NATIONAL.indeling_year == 2020
    v = [p.code for p in similar.profile_variables(load())]
    prof = _national_profiles()
    for year in similar.BASELINE_YEARS:
        pool = prof[year].dropna(subset=v)
        counts = ("WK" + pool["area_code"].str[2:8]).value_counts()
        assert [w for w in nplv_wijken() if counts.get(w, 0) == 0] == [], year
        excluded = pool["area_code"].map(similar.programme_buurt)
        assert excluded.sum() == sum(counts.get(w, 0) for w in nplv_wijken())


def test_nplv_codes_carry_their_indeling_2020_names():
    """Each configured code has, in KWB 2020 (indeling 2020), the name the config gives it; the 2014 names of the
    shipped 50090NED file would mislead for re-coded wijken (Amsterdam's stadsdelen of 2014)."""
    from loaders.config import nplv_areas

    names = _wijken_2020()["name"]
    wrong = [(a.name, code, name, names.get(code)) for a in nplv_areas() for code, name in a.wijken.items()
             if names.get(code) != name]
    assert wrong == []
    raw = pd.read_parquet("data/health/rivm_50090NED_gezondheid_all_regions_nl.parquet",
                          columns=["regio_code", "regio_naam_2014"])
    n2014 = dict(zip(raw["regio_code"].str.strip(), raw["regio_naam_2014"].astype("string").str.strip()))
    assert n2014["WK036303"] == "Stadsdeel Nieuw-West" and names["WK036303"] == "Grachtengordel-Zuid"


def test_nplv_areas_are_as_large_as_the_document_says():
    """KWB 2020 inwoners of each area's wijken against the document's count (rounded, a year or two later): at
    least 85%; at most 125% unless the config says why the area is deliberately wider. A code of another indeling
    (e.g. WK036303, Nieuw-West in 2014, 5.430 inwoners in 2020 against 161.000) fails this."""
    from loaders.config import nplv_areas

    inw = _wijken_2020()["inwoners"]
    for a in nplv_areas():
        total = sum(inw[c] for c in a.wijken)
        assert total >= 0.85 * a.inwoners, (a.name, total, a.inwoners)
        if not a.wider:
            assert total <= 1.25 * a.inwoners, (a.name, total, a.inwoners)
