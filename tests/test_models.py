"""Page models: pure functions, tested without Streamlit on the subset database's metric store."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from loaders import repository
from metrics import proposals, similar
from metrics.catalog import load
from metrics.participation import register_totals
from metrics.store import engine as stored_engine
from models.buurtprofiel import buurt_options, profile_model
from models.doelen import OWNER, proposal_decision
from models.kaart import maastricht_model, maastricht_options
from models.overzicht import overzicht_model
from models.participation import participation_model, reach_line
from models.successen import successen_model
from models.trends import trends_model
from models.vergelijken import distribution_section, reference_section, similar_section

NAZARETH, POTTENBERG = "BU09350403", "BU09350203"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def eng(subset_sqlite):
    return stored_engine(subset_sqlite)


def _register(rows):
    return pd.DataFrame(rows, columns=["buurt_code", "maand", "leeftijdsgroep", "dialoogsessies", "bewoners_bereikt",
                                       "meemakers", "activiteiten"])


def test_age_group_rows_only_are_summed_not_shown_as_small():
    """The register holds age-group rows only: Overzicht and Wie doen er mee? both count 80, not '<10'."""
    reg = _register([(NAZARETH, "2026-09", "0-17", 1, 30, 2, 1), (NAZARETH, "2026-09", "18-64", 1, 40, 3, 1),
                     (NAZARETH, "2026-09", "65+", 1, 10, 1, 1)])
    tot = register_totals(reg)
    assert tot["bewoners_bereikt"].tolist() == [80]


def test_a_month_with_a_total_row_is_not_counted_twice():
    reg = _register([(NAZARETH, "2026-09", "totaal", 2, 50, 4, 2), (NAZARETH, "2026-09", "18-64", 1, 40, 3, 1),
                     (NAZARETH, "2026-10", "18-64", 1, 12, 3, 1), (NAZARETH, "2026-10", "65+", 1, 3, 0, 0)])
    tot = register_totals(reg).set_index("maand")
    assert tot.loc["2026-09", "bewoners_bereikt"] == 50 and tot.loc["2026-10", "bewoners_bereikt"] == 15


def test_overzicht_and_participatie_say_the_same(eng):
    reg = _register([(NAZARETH, "2026-09", "18-64", 1, 70, 2, 1), (NAZARETH, "2026-09", "65+", 1, 10, 1, 1),
                     (POTTENBERG, "2026-09", "totaal", 1, 6, 0, 1)])
    ov = overzicht_model(eng, load(), {"built_at": "2026-12-01T02:00:00+00:00"}, pd.DataFrame(), reg, TODAY)
    assert "Nazareth: 80 contacten met bewoners" in ov.participation_text
    assert "Pottenberg: <10 contacten met bewoners" in ov.participation_text
    pm = participation_model(eng, reg)
    shown = pm.totals.set_index("Buurt")["Contacten met bewoners"]
    assert shown["Nazareth"] == 80 and shown["Pottenberg"] == "<10"
    assert reach_line(eng, pd.DataFrame()) is None


def test_contacts_per_100_of_the_age_groups_own_population(eng):
    """Monthly registrations are contacts (a resident who comes twice counts twice): no '% van de inwoners'. An age
    group's rate is of that age group's population (65+: CBS k_65JaarOfOuder); 0-17 and 18-64 have no exact CBS
    band, so no rate rather than one of the whole buurt."""
    from metrics.participation import RATE, summarise
    from models.participation import population

    reg = _register([(NAZARETH, "2026-09", "65+", 1, 30, 1, 1), (NAZARETH, "2026-10", "65+", 1, 30, 1, 1),
                     (NAZARETH, "2026-09", "18-64", 1, 40, 1, 1)])
    pop = population(eng, [NAZARETH])
    old = eng.latest("aandeel_65plus", NAZARETH).numerator
    assert pop[(NAZARETH, "65+")] == old and pop[NAZARETH] == eng.latest("inwoners", NAZARETH).value
    by_age = summarise(reg, pop, ["buurt_code", "leeftijdsgroep"]).set_index("leeftijdsgroep")
    assert by_age.loc["65+", RATE] == pytest.approx(60 / old * 100)  # two months of 30: 60 contacts
    assert pd.isna(by_age.loc["18-64", RATE])
    pm = participation_model(eng, reg)
    assert "Bereikt (% van de inwoners)" not in pm.totals.columns
    assert "Contacten per 100 inwoners" in pm.totals.columns


def test_overzicht_model_cards_and_date(eng):
    ov = overzicht_model(eng, load(), {"built_at": "2026-12-01T02:00:00+00:00"}, pd.DataFrame(), pd.DataFrame(), TODAY)
    # issue 22: the headline says what the figures are from (newest period per source); the build date is a detail
    assert [h.label for h in ov.headlines] == ["Inwoners Nazareth", "Inwoners Pottenberg", "Cijfers uit"]
    assert ov.headlines[-1].value == "2020–2025"
    assert ov.data_period == ("Nieuwste cijfers per bron: Kerncijfers per buurt 2025; Misdrijven per buurt 2024; "
                              "Gezondheid per buurt 2020. Database opgebouwd op 1 december 2026.")
    assert [b.pillar for b in ov.pillars] == ["bestaanszekerheid", "positieve_gezondheid", "gelijke_kansen"]
    for b in ov.pillars:
        assert [name for name, _ in b.cards] == ["Nazareth", "Pottenberg"]
    # Gelijke kansen has no outcome figure per buurt: no cards, an honest sentence naming the refresh that brings one
    gk = ov.pillars[2]
    assert all(cards == () for _, cards in gk.cards)
    assert gk.no_outcome.startswith("Nog geen uitkomstcijfer per buurt voor gelijke kansen")
    assert "2021 (85039NED), 2022 (85318NED) en 2023 (85618NED), gepubliceerd, nog niet geladen" in gk.no_outcome
    assert not any(c.metric.id in ("huishoudens_met_kinderen", "jeugd_0_15", "jongeren_15_25", "actief_naar_school_werk")
                   for b in ov.pillars for _, cs in b.cards for c in cs)
    assert "geen doelen" in ov.targets_text and "50090NED" in ov.sources


def test_trends_model(eng):
    cat = load()
    m = cat.get("moeite_met_rondkomen")
    tm = trends_model(eng, cat, m.pillar, m, ["GM0935", "NL01"], {})
    assert list(tm.table["Gebied"]) == ["Nazareth", "Pottenberg", "Maastricht", "Nederland"]
    assert tm.table.loc[0, "2020"] == "25,3%" and tm.baseline == 2012
    assert "metingen" in tm.summary and tm.small


def test_kaart_model_is_alphabetical_not_a_ranking(eng, subset_sqlite):
    cat = load()
    geo = repository.geometries(2020, "GM0935", url=subset_sqlite)
    codes, metrics = maastricht_options(eng, cat, geo)
    m = cat.get("moeite_met_rondkomen")
    assert m in metrics and len(codes) == 44
    mm = maastricht_model(eng, m, 2020, codes, "CBS")
    assert list(mm.table["Buurt"]) == sorted(mm.table["Buurt"], key=str.lower)
    assert "44" in mm.summary and mm.sources >= {"50090NED"}


def test_profile_model(eng):
    cat = load()
    assert buurt_options(eng)[0].startswith("BU0935")
    pm = profile_model(eng, cat, NAZARETH)
    assert pm.name == "Nazareth" and len(pm.sections) == len(cat.pillars)
    assert any(s.dimensions is not None for s in pm.sections)


def test_successen_model_matches_the_movements(eng):
    from metrics.progress import movements

    sm = successen_model(eng, load())
    mv = movements(eng, NAZARETH)
    assert sm.areas[0].name == "Nazareth"
    assert len(sm.areas[0].successes) == len(mv["successen"])
    assert len(sm.areas[0].setbacks) == len(mv["tegenvallers"])


def test_vergelijken_sections(eng, subset_sqlite):
    cat = load()
    m = cat.get("moeite_met_rondkomen")
    d = distribution_section(eng, m, NAZARETH, 2020)
    assert d.has_values and "Nazareth" in d.sentence
    r = reference_section(eng, m, NAZARETH)
    assert r.has_values
    s = similar_section(eng, cat, NAZARETH, 2016, m,
                        lambda codes: repository.buurt_series(m.variable, m.age_group, list(codes), url=subset_sqlite),
                        repository.gemeente_names(url=subset_sqlite))
    # the subset holds only Maastricht and Heerlen: the stored match finds Heerlen buurten or says why not
    assert s.result is not None or s.error.startswith("Geen vergelijking mogelijk")


def _profile_with(area: str, codes: tuple[str, ...], n: int = 30) -> pd.DataFrame:
    """A national buurt profile: ``n`` other buurten (other gemeente) around the focus buurt ``area``."""
    import numpy as np

    rng = np.random.default_rng(7)
    return pd.DataFrame({"area_code": [f"BU{9000 + i:08d}" for i in range(n)] + [area],
                         "name": [f"B{i}" for i in range(n)] + ["Focus"],
                         "gemeente_code": ["GM9999"] * n + ["GM0935"],
                         **{c: list(rng.normal(20, 5, n)) + [20.0] for c in codes}})


def test_proposal_decision_adopts_with_the_group_frozen_in_the_profile_year_or_rejects(eng):
    cat = load()
    profile_years = eng.years(cat.get(similar.PROFILE_METRICS[0]))
    # a baseline between two profile years: the group is matched on the profile year before it
    p = next(p for p in proposals.proposals(eng, TODAY) if p.baseline_year not in profile_years)
    pvars = tuple(v.code for v in similar.profile_variables(cat))
    pyear = proposals.profile_year(p.baseline_year, profile_years)
    assert pyear is not None and pyear < p.baseline_year
    asked = []

    def profile(codes, age, year):
        asked.append((codes, age, year))
        return _profile_with(p.area, codes)

    d = proposal_decision("adopt", p, eng, cat, profile, target_value=p.target_value + 1, target_year=p.target_year + 1)
    assert asked == [(pvars, similar.profile_age_group(cat), pyear)]
    assert d.action == "adopt" and d.decision == p.decision_values() and d.reason == ""
    assert d.values["target_value"] == p.target_value + 1 and d.values["target_year"] == p.target_year + 1
    assert d.values["owner"] == OWNER and "aangepast" in d.values["rationale"]
    assert d.group["profile_year"] == pyear and d.group["variables"] == list(pvars)
    assert len(d.group["codes"]) == proposals.programme().comparison_group_size and p.area not in d.group["codes"]
    assert d.message == f"Voorstel overgenomen als doel: {p.metric.label} — {p.area_name}."

    def unavailable(codes, age, year):
        raise similar.ProfileUnavailable(f"het profiel van {year} is onvolledig")

    d = proposal_decision("adopt", p, eng, cat, unavailable, owner="Wijkteam")
    assert d.group is None and d.values["owner"] == "Wijkteam" and d.values["target_value"] == p.target_value
    assert d.message.endswith(f". Geen vergelijkingsgroep: het profiel van {pyear} is onvolledig.")

    d = proposal_decision("reject", p, eng, cat, unavailable, reason="Past niet bij het uitvoeringsplan")
    assert (d.action, d.values, d.group, d.reason) == ("reject", None, None, "Past niet bij het uitvoeringsplan")
    assert d.decision == p.decision_values() and d.message == f"Voorstel afgewezen: {p.metric.label} — {p.area_name}."
