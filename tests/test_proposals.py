"""Target proposals (metrics/proposals.py) on hand-made numbers and a hand-made engine: each rule, milestones on the
release calendar's years, measurability against the margin, and the frozen comparison group."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from loaders import programme as loader_programme
from metrics import proposals as pr
from metrics import similar
from metrics.catalog import load
from metrics.compute import Engine
from tests.test_metrics import hand_inputs

TODAY = dt.date(2026, 12, 1)
CAT = load()
MOEITE = CAT.get("moeite_met_rondkomen")          # lower_better, model_share, 50090NED every 4 years
ERVAREN = CAT.get("ervaren_gezondheid")           # higher_better
PROG = pr.Programme("test", start_year=2025, end_year=2045, halving_year=2035, milestone_min_interval_years=4,
                    comparison_group_size=3)
EDITIONS_4Y = [(2024, dt.date(2026, 6, 1)), (2028, dt.date(2030, 6, 1)), (2032, dt.date(2034, 6, 1)),
               (2036, dt.date(2038, 6, 1)), (2040, dt.date(2042, 6, 1)), (2044, dt.date(2046, 6, 1)),
               (2048, dt.date(2050, 6, 1))]


def const(thr: float):
    return lambda new, old: thr


def make(rule, base=30.0, ref=20.0, thr=2.0, m=MOEITE, editions=EDITIONS_4Y):
    return pr.make(rule, m, "BU1", "Buurt 1", 2020, base, ref, editions, const(thr), PROG)


# ------------------------------------------------------------------------------------------ the rules

def test_programme_years_come_from_one_config_file():
    p = pr.programme()
    assert (p.start_year, p.halving_year, p.end_year) == (2025, 2035, 2045)
    assert "2035" in pr.rule_text("gat_halveren") and "2045" in pr.rule_text("gat_dichten")


def test_gat_halveren_half_the_gap_by_2035_on_a_straight_path():
    p = make("gat_halveren")
    assert (p.target_year, p.target_value) == (2035, pytest.approx(25.0))
    # straight line 2020 (30) -> 2035 (25): 1/3 point per year
    # the 2024 edition was measured before the programme start (2025): never a milestone or a check
    assert [(c.year, round(c.value, 4)) for c in p.milestones] == [(2028, round(30 - 8 / 3, 4)), (2032, 26.0)]
    # checks run to the first edition at or after the target year, which asks for the target itself
    assert [c.year for c in p.checks] == [2028, 2032, 2036]
    assert p.checks[-1].value == pytest.approx(25.0)
    assert p.label == "voorstel — niet vastgesteld" and "voorstel" in p.summary(TODAY).lower()
    assert "gat halveren" in p.summary(TODAY)


def test_gat_dichten_reaches_the_reference_by_2045():
    p = make("gat_dichten")
    assert (p.target_year, p.target_value) == (2045, pytest.approx(20.0))
    assert [c.year for c in p.milestones] == [2028, 2032, 2036, 2040, 2044]
    assert p.milestones[0].value == pytest.approx(30 - 10 * 8 / 25)
    assert p.checks[-1].year == 2048 and p.checks[-1].value == pytest.approx(20.0)


def test_higher_is_better_gap_goes_up():
    p = make("gat_halveren", base=60.0, ref=70.0, m=ERVAREN)
    assert p.target_value == pytest.approx(65.0) and p.checks[0].required_change > 0


def test_measurable_from_the_first_edition_beyond_the_margin():
    p = make("gat_halveren", thr=2.0)  # asks 2,67 / 4,0 / 5,0 points (2024 is before the start)
    assert p.measurable_from.year == 2028
    assert p.measurable_text(TODAY).startswith("met 80% kans zichtbaar vanaf de editie van 2028")
    assert "verwacht rond juni 2030" in p.measurable_text(TODAY)
    # an edition expected before 'today' is said to be due, not 'expected'
    assert "moeten verschijnen" in make("gat_halveren", thr=1.0).measurable_text(dt.date(2031, 1, 1))
    assert make("gat_halveren", thr=2.7).measurable_from.year == 2032  # 2,67 < 2,7: not yet in 2028


def test_change_inside_the_margin_is_niet_meetbaar():
    p = make("gat_halveren", base=30.0, ref=26.0, thr=3.0)  # asks at most 2 points, margin 3
    assert p.measurable_from is None and not p.measurable
    txt = p.measurable_text(TODAY)
    assert txt.startswith("niet meetbaar op buurtniveau met deze gegevens")
    assert "2,0 procentpunt" in txt and "3,0 procentpunt" in txt and "80% kans" in txt
    # power rule: a change of exactly (1,96 + 0,84) · SE is seen with 80% probability, so it counts
    assert make("gat_dichten", base=30.0, ref=27.0, thr=3.0).measurable_from.year == 2048
    assert make("gat_dichten", base=30.0, ref=27.0, thr=3.01).measurable_from is None


def test_a_strength_gets_vasthouden_from_the_engine():
    eng = Engine(hand_inputs(), CAT)
    # buurt A: 20,0% vs the gemeente 33,3% (lower is better): a strength
    props_a = pr.for_metric(eng, MOEITE, "BU00010001", TODAY, ref="GM0001")
    assert [p.rule for p in props_a] == ["vasthouden"]
    a = props_a[0]
    assert (a.baseline_year, a.baseline_value, a.ref_value) == (2020, 20.0, 33.3)
    assert a.target_value == 20.0 and a.target_year == 2045 and a.milestones == ()
    # the allowed worsening: seen with 80% probability, (1,96 + 0,84) · √2 · SE, SE = 2 · √(0,2 · 0,8 / 1000) · 100
    se_a = 2 * math.sqrt(0.2 * 0.8 / 1000) * 100
    assert se_a == pytest.approx(2.52982, rel=1e-5)
    assert a.baseline_threshold == pytest.approx(2.8 * math.sqrt(2) * se_a)
    assert a.measurable_text(TODAY).startswith("te volgen vanaf de editie van 2028")
    assert "sterkte vasthouden" in a.summary(TODAY)
    # buurt B: 40,0% vs 33,3%, beyond the margin of the difference: the two gap rules
    props_b = pr.for_metric(eng, MOEITE, "BU00010002", TODAY, ref="GM0001")
    assert [p.rule for p in props_b] == ["gat_halveren", "gat_dichten"]
    half = props_b[0]
    assert half.target_value == pytest.approx(40 + (33.3 - 40) / 2)
    # first check: the 2028 edition, path value 40 + (36,65 − 40) · 8/15; 3.000 adults on both sides
    v = 40 + (36.65 - 40) * 8 / 15
    se_v, se_0 = (2 * math.sqrt(p * (1 - p) / 3000) * 100 for p in (v / 100, 0.40))
    assert half.checks[0].year == 2028 and half.checks[0].value == pytest.approx(v)
    assert half.checks[0].threshold == pytest.approx((1.96 + 0.84) * math.sqrt(se_v ** 2 + se_0 ** 2))


def test_milestones_fall_on_the_release_calendar():
    # 50090NED: the listed editions (2022 published in 50120NED, by the list's check date; 2024 expected), then
    # every 4 years, published 18 months after December of the measurement year (metrics/releases.yaml)
    eds = pr.edition_years("50090NED", 2020, 2035, TODAY)
    assert eds == [(2022, dt.date(2026, 12, 1)), (2024, dt.date(2026, 6, 1)), (2028, dt.date(2030, 6, 1)),
                   (2032, dt.date(2034, 6, 1)), (2036, dt.date(2038, 6, 1))]
    # annual KWB: every edition is checked, milestones at least four years apart
    kwb = pr.edition_years("83765NED", 2017, 2035, TODAY)
    assert [y for y, _ in kwb] == list(range(2018, 2036))
    p = pr.make("gat_halveren", CAT.get("huishoudens_sociaal_minimum"), "BU1", "Buurt 1", 2017, 17.0, 10.0, kwb,
                const(1.0), PROG)
    # an income figure of KWB jaargang t is about year t − 2: the first edition after the 2025 start is 2028
    # (income 2026); never 'meetbaar vanaf 2023'
    assert [c.year for c in p.milestones] == [2028, 2032]
    assert [c.year for c in p.checks] == list(range(2028, 2036))  # measurability looks at every edition
    assert p.checks[0].value == pytest.approx(17.0 - 3.5 * 9 / 18)  # the path in income year 2026
    assert p.measurable_from.year == 2028


def test_open_proposals_leave_out_decided_ones_and_metrics_with_a_target():
    eng = Engine(hand_inputs(), CAT)
    allp = pr.proposals(eng, TODAY, areas=("BU00010002",), ref="GM0001")
    keys = {p.key for p in allp}
    assert "gat_halveren:moeite_met_rondkomen:BU00010002:2020" in keys
    left = pr.proposals(eng, TODAY, areas=("BU00010002",), ref="GM0001",
                        decided={"gat_halveren:moeite_met_rondkomen:BU00010002:2020"})
    assert {p.rule for p in left if p.metric.id == "moeite_met_rondkomen"} == {"gat_dichten"}
    taken = pd.DataFrame({"metric_id": ["moeite_met_rondkomen"], "area_code": ["BU00010002"]})
    assert not [p for p in pr.proposals(eng, TODAY, areas=("BU00010002",), ref="GM0001", targets=taken)
                if p.metric.id == "moeite_met_rondkomen"]
    # only metrics with a direction
    assert all(p.metric.direction != "neutral" for p in allp)
    t = pr.table(allp, TODAY)
    assert set(t["status"]) == {"voorstel — niet vastgesteld"} and t["regel_uitleg"].str.len().min() > 20


def test_adopted_values_are_a_valid_target_and_follow_an_edited_target():
    p = make("gat_halveren")
    v = p.target_values("Team armoede")
    assert v["target_value"] == pytest.approx(25.0) and v["target_year"] == 2035
    assert [m["year"] for m in v["milestones"]] == [2028, 2032]
    assert "gat halveren" in v["rationale"] and "Gat halveren" in v["rationale"]
    ok = loader_programme.validate_target(v, {MOEITE.id}, {"BU1"})
    assert ok["baseline_value"] == 30.0
    edited = p.target_values("Team armoede", target_value=24.0, target_year=2030)
    assert [m["year"] for m in edited["milestones"]] == [2028]  # only milestones before the new target year
    assert edited["milestones"][0]["value"] == pytest.approx(30 - 6 * 8 / 10)
    assert "aangepast" in edited["rationale"]


# ------------------------------------------------------------------------------------------ comparison group

def test_difference_of_changes_inside_the_spread():
    focus = {2016: 35.0, 2020: 24.4}  # -10,6
    group = {"B1": {2016: 30.0, 2020: 18.0}, "B2": {2016: 28.0, 2020: 20.0}, "B3": {2016: 25.0, 2020: 21.0},
             "B4": {2016: 33.0, 2020: 25.0}, "B5": {2016: 31.0, 2020: None}}
    gc = pr.group_comparison(MOEITE, "Nazareth", focus, group, 2016, 2020)
    assert gc.focus_change == pytest.approx(-10.6)
    assert gc.group_median == pytest.approx(statistics_median([-12.0, -8.0, -4.0, -8.0]))
    assert (gc.low, gc.high) == (pytest.approx(-12.0), pytest.approx(-4.0))
    assert gc.n == 4 and gc.n_missing == 1 and gc.inside is True
    assert gc.difference == pytest.approx(-10.6 - gc.group_median)
    # rank test: median −8; |−10,6 + 8| = 2,6 is reached by 2 of 4 (|−12 + 8| = 4, |−4 + 8| = 4): p = 3/5
    assert gc.p_value == pytest.approx(3 / 5)
    s = gc.sentence
    assert "Nazareth: −10,6 procentpunt; vergelijkbare buurten: −8,0" in s
    assert "spreiding −12,0 tot −4,0" in s and "binnen de spreiding" in s
    assert "kleinste tot grootste" in s and "1 van de 5" in s


def statistics_median(xs):
    return float(np.median(xs))


def test_difference_of_changes_outside_the_spread_says_which_side():
    # 20 buurten with changes −1,0 … +0,9: a focus change of −6 lies beyond all of them, p = 1/21 <= 0,05
    group = {f"B{i}": {2020: 30.0, 2024: 30.0 + (i - 10) / 10} for i in range(20)}
    better = pr.group_comparison(MOEITE, "Nazareth", {2020: 30.0, 2024: 24.0}, group, 2020, 2024)
    assert better.p_value == pytest.approx(1 / 21)
    assert better.inside is False and "buiten de spreiding" in better.sentence and "gunstiger" in better.sentence
    worse = pr.group_comparison(ERVAREN, "Nazareth", {2020: 60.0, 2024: 55.0}, group, 2020, 2024)
    assert worse.inside is False and "minder gunstig" in worse.sentence
    # with two buurten even the most extreme change has p = 1/3: never 'buiten de spreiding' (min–max would be)
    two = {"B1": {2020: 30.0, 2024: 29.0}, "B2": {2020: 30.0, 2024: 31.0}}
    small = pr.group_comparison(MOEITE, "Nazareth", {2020: 30.0, 2024: 24.0}, two, 2020, 2024)
    assert small.p_value == pytest.approx(1 / 3) and small.inside is True


def test_no_measurement_after_the_baseline_or_no_group_values_says_so():
    gc = pr.group_comparison(MOEITE, "Nazareth", {2020: 25.3}, {"B1": {2020: 20.0}}, 2020, 2020)
    assert gc.focus_change is None and "Nog geen meting na 2020" in gc.sentence
    gc = pr.group_comparison(MOEITE, "Nazareth", {2016: 30.0, 2020: 25.0}, {"B1": {}}, 2016, 2020)
    assert gc.group_median is None and "geen vergelijking mogelijk" in gc.sentence


def test_frozen_group_is_the_profile_match_in_the_baseline_year():
    rng = np.random.default_rng(1)
    variables = ["V1", "V2"]
    prof = pd.DataFrame({
        "area_code": [f"BU{9000 + i:08d}" for i in range(30)] + ["BU00010002"],
        "name": [f"B{i}" for i in range(30)] + ["Buurt B"],
        "gemeente_code": ["GM9999"] * 30 + ["GM0001"],
        "V1": list(rng.normal(0, 1, 30)) + [0.0], "V2": list(rng.normal(0, 1, 30)) + [0.0],
    })
    assert pr.profile_year(2020, [2012, 2016, 2020]) == 2020 and pr.profile_year(2017, [2012, 2016, 2020]) == 2016
    g = pr.frozen_group(prof, "BU00010002", variables, 2016, n=3)
    res = similar.match(prof, "BU00010002", variables, n=3, year=2016)
    assert g["codes"] == [m.area_code for m in res.matches] and len(g["codes"]) == 3
    assert g["profile_year"] == 2016 and g["variables"] == variables
    # the values of the group come from the national series for buurten the engine does not know
    eng = Engine(hand_inputs(), CAT)
    nat = pd.DataFrame({"area_code": [g["codes"][0]] * 2, "year": [2016, 2020], "value": [30.0, 27.0]})
    vals = pr.group_values(eng, MOEITE, g["codes"] + ["BU00010001"], nat)
    assert vals[g["codes"][0]] == {2016: 30.0, 2020: 27.0} and vals[g["codes"][1]] == {}
    assert vals["BU00010001"][2020] == 20.0  # a buurt the engine knows: from the engine


# ------------------------------------------------------------------------------------------ export and docs

def test_export_carries_the_proposals_labelled_as_such(tmp_path):
    from metrics import export

    eng = Engine(hand_inputs(), CAT)
    props = pr.table(pr.proposals(eng, TODAY, areas=("BU00010002",), ref="GM0001"), TODAY)
    df = export.rows(eng, ["BU00010002"], [MOEITE])
    export.write(df, tmp_path / "x.csv", proposals=props)
    side = (tmp_path / "x-voorstellen.csv").read_text(encoding="utf-8-sig")
    assert side.count("voorstel — niet vastgesteld") == len(props) and "Gat halveren: in 2035" in side
    export.write(df, tmp_path / "x.xlsx", proposals=props)
    sheets = pd.read_excel(tmp_path / "x.xlsx", sheet_name=None)
    assert export.PROPOSALS_SHEET[:31] in sheets
    assert set(sheets[export.PROPOSALS_SHEET[:31]]["status"]) == {"voorstel — niet vastgesteld"}


def test_docs_describe_the_rules_and_the_measurability_test():
    from metrics import docs

    text = docs.render()
    assert "## Doelvoorstellen en meetbaarheid" in text and "Meetbaarheidstoets" in text
    for r in pr.RULES:
        assert pr.rule_text(r).split(": ", 1)[1] in text
    assert pr.NOT_MEASURABLE in text and pr.SPREAD_LABEL in text


def test_pillars_with_only_neutral_headline_metrics_get_no_proposals():
    from metrics import briefing

    eng = Engine(hand_inputs(), CAT)
    # the catalog's only Overzicht metric for gelijke kansen (huishoudens met kinderen) has no direction
    assert pr.pillars_without_proposals(eng) == ["gelijke_kansen"]
    assert all(m.direction == "neutral" for m in briefing.headline_metrics(eng, "gelijke_kansen"))
    assert not [p for p in pr.proposals(eng, TODAY, areas=("BU00010002",), ref="GM0001")
                if p.metric.pillar == "gelijke_kansen"]


def test_documentation_sections_keep_every_line():
    """The Data page shows the documentation per section: together the sections are the whole text."""
    from metrics import docs

    intro, parts = docs.sections()
    assert [t for t, _ in parts][:4] == ["Rekenregels", "Methode: onzekerheid en 'echt' verschil",
                                         "Doelvoorstellen en meetbaarheid", "Positieve Gezondheid: zes dimensies"]
    rebuilt = "\n\n".join([intro] + [f"## {t}\n\n{body}" for t, body in parts])
    strip = [line for line in docs.page_text().split("\n") if line.strip()]
    assert [line for line in rebuilt.split("\n") if line.strip()] == strip


def test_nazareth_gat_halveren_measurability_at_80_percent_power_by_hand(subset_sqlite):
    """Nazareth, moeite met rondkomen, gat halveren: basis 25,3 (2020), Maastricht 15,9, target 20,6 in 2035.
    The 2024 edition lies before the programme start; from 2028 on the path asks −2,51, −3,76, −4,70 points against
    (1,96 + 0,84) · √(SE(path)² + SE(basis)²) with SE = 2 · √(p(1 − p)/N) · 100 and Nazareth's adults N."""
    from loaders.repository import load_inputs

    eng = Engine(load_inputs(subset_sqlite), CAT)
    props = {p.rule: p for p in pr.for_metric(eng, MOEITE, "BU09350403", TODAY)}
    p = props["gat_halveren"]
    assert (p.baseline_year, p.baseline_value, p.ref_value) == (2020, 25.3, 15.9)
    assert p.target_year == 2035 and p.target_value == pytest.approx(20.6)
    n = eng.value(MOEITE, "BU09350403", 2020).base_population
    assert [c.year for c in p.checks] == [2028, 2032, 2036]
    se0 = 2 * math.sqrt(0.253 * 0.747 / n) * 100
    for c, frac in zip(p.checks, (8 / 15, 12 / 15, 1.0)):
        v = 25.3 + (20.6 - 25.3) * frac
        sev = 2 * math.sqrt(v / 100 * (1 - v / 100) / n) * 100
        assert c.value == pytest.approx(v)
        assert c.threshold == pytest.approx(2.8 * math.sqrt(sev ** 2 + se0 ** 2), rel=1e-9)
        assert abs(c.required_change) < c.threshold  # a coin flip at best: not 'meetbaar'
    assert p.measurable_from is None and p.measurable_text(TODAY).startswith(pr.NOT_MEASURABLE)
    # gat dichten asks −7,52 in 2040, the first edition with |Δ| >= 2,8 · SE_change
    d = props["gat_dichten"]
    first = d.measurable_from
    assert first.year == 2040 and abs(first.required_change) >= first.threshold
    assert all(abs(c.required_change) < c.threshold for c in d.checks if c.year < 2040)
    assert d.measurable_short == "met 80% kans zichtbaar vanaf de editie van 2040"
