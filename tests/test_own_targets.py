"""Targets and target proposals on own indicators (eigen metingen) on the Doelen page: adopting and rejecting a
proposal, setting a target by hand, the status and the 80%-power measurability by hand-computed numbers from the
stored intervals, the next measurement in 'Wanneer zien we vooruitgang?', intern indicators hidden from
visitors, and backup → restore keeping the own targets (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import zipfile

import pytest
import sqlalchemy as sa

from loaders import auth, programme as loader_programme, repository
from loaders.db import get_engine, transaction
from loaders.migrations import own_proposal_decisions, own_targets
from metrics import own_targets as ot
from metrics.store import engine as stored_engine
from models import doelen_own, own as own_model
from wijkmonitor import backup, own, programme, statistics

from conftest import ROOT, fresh_url
from own_made_up import TODAY, defs, editor, load

NAZ, POT, GM = "BU09350403", "BU09350203", "GM0935"
Z = 1.96  # the margin of a difference (metrics.margins)
ZI = 1.959963984540054  # the 95% interval's z (metrics.intervals: the normal quantile)

DEFS = defs("invloed_op_buurt", "schuldhulp_aanmeldingen", "vertrouwen_intern", intern=("vertrouwen_intern",))

# Made-up test uploads (never shipped).
PEILING = ("gebiedscode;periode;aandeel;n\n"
           f"{NAZ};2024;30,0;600\n{NAZ};2025;31,0;600\n{NAZ};2026;33,0;600\n"
           f"{POT};2025;39,0;210\n{GM};2025;40,0;2000\n")
K2 = f"gebiedscode;periode;teller;noemer\n{NAZ};2025-K2;40;1250\n{POT};2025-K2;30;1245\n{GM};2025-K2;900;60000\n"
K3 = f"gebiedscode;periode;teller;noemer\n{NAZ};2025-K3;12;1250\n{POT};2025-K3;7;1245\n{GM};2025-K3;880;60000\n"
INTERN = f"gebiedscode;periode;aandeel;n\n{NAZ};2025;50,0;300\n{GM};2025;55,0;1500\n"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request, tmp_path_factory):
    """A built database (no national file) with three made-up own indicators and their uploads."""
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    url = fresh_url(request.param, tmp_path_factory.mktemp("owntargets"))
    statistics.build(url, national=False)
    load(url, DEFS, [("invloed_op_buurt", PEILING), ("schuldhulp_aanmeldingen", K2), ("schuldhulp_aanmeldingen", K3),
                     ("vertrouwen_intern", INTERN)])
    return url


def _state(url, include_intern=True):
    inds, figs = own.stored(url, include_intern=include_intern)
    return {i.id: i for i in inds}, figs


def _stored(figs, ind, area, periode):
    r = ot.figure_at(ot.rows(figs, ind.id, ind.version, area), periode)
    assert r is not None
    return r


def _se(row) -> float:
    return (row["upper"] - row["lower"]) / (2 * ZI)


def _wilson(pct: float, n: int) -> tuple[float, float]:
    """By hand (not metrics.intervals): the Wilson score interval."""
    p, z2 = pct / 100, ZI * ZI
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = ZI / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (centre - half) * 100, (centre + half) * 100


def _target(url, ed, eng, ind, area, bp, tv, tp, **extra):
    return programme.create_own_target(url, ed, eng, {
        "indicator_id": ind.id, "indicator_version": ind.version, "area_code": area, "baseline_period": bp,
        "baseline_value": -999.0,  # ignored: the stored figure is the baseline
        "target_value": tv, "target_period": tp, "owner": "Team test", "rationale": "test", **extra})


def _card(url, target_id, today=TODAY, include_intern=True):
    inds, figs = _state(url, include_intern)
    rows = loader_programme.list_own_targets(url)
    rec = next(r for r in rows.to_dict("records") if int(r["id"]) == target_id)
    return doelen_own.own_target_card(inds[rec["indicator_id"]], rec, figs, stored_engine(url).name, today)


# ------------------------------------------------------------------------------------------ pure period rules

def test_periods_follow_the_frequentie():
    assert ot.next_period("2025") == "2026" and ot.next_period("2025-K4") == "2026-K1"
    assert ot.next_period("2025-K3") == "2025-K4"
    assert ot.periods_after("2025-K3", "2026-K2") == ["2025-K4", "2026-K1", "2026-K2"]
    assert ot.period_end("2025-K1") == dt.date(2025, 3, 31) and ot.period_end("2025") == dt.date(2025, 12, 31)
    # the path is linear in time: halfway between 2025-K2 and 2026-K4 (6 quarters) is 2026-K1
    assert ot.path_value([("2025-K2", 32.0), ("2026-K4", 5.0)], "2026-K1") == pytest.approx(18.5)
    # one period to deliver: 2025-K3 is the newest; 2025-K4's figures are due once 2026-K1 has ended
    assert not ot.overdue("2025-K3", dt.date(2026, 3, 31)) and ot.overdue("2025-K3", dt.date(2026, 4, 1))


# ------------------------------------------------------------------------------------------ proposals

def test_proposals_follow_the_rules_against_the_stored_maastricht_figure(loaded):
    inds, figs = _state(loaded)
    ind = inds["invloed_op_buurt"]
    naz = _stored(figs, ind, NAZ, "2025")
    lo, hi = _wilson(31.0, 600)
    assert (naz["lower"], naz["upper"]) == (pytest.approx(lo), pytest.approx(hi))  # the stored interval
    props = {p.rule: p for p in ot.proposals_for(ind, figs, NAZ)}
    # 31% against Maastricht's 40%: a real gap (SE_d with the buurt's 600 of 2.000 as overlap), so the gap rules
    se_a, se_m = _se(naz), _se(_stored(figs, ind, GM, "2025"))
    se_d = math.sqrt(se_a ** 2 + se_m ** 2 - 2 * (600 / 2000) * se_a ** 2)
    assert 9.0 > Z * se_d
    assert set(props) == {"gat_halveren", "gat_dichten"}
    half, close = props["gat_halveren"], props["gat_dichten"]
    assert (half.baseline_period, half.target_period, half.target_value) == ("2025", "2035", pytest.approx(35.5))
    assert (close.target_period, close.target_value) == ("2045", pytest.approx(40.0))
    assert half.key == "gat_halveren:eigen:invloed_op_buurt@1:BU09350403:2025"
    # measurability by hand: (1,96 + 0,84) · √2 · SE of the baseline's interval
    thr = (1.96 + 0.84) * math.sqrt(2) * se_a
    assert thr == pytest.approx(7.457, abs=0.01)
    assert half.baseline_threshold == pytest.approx(thr)
    first = next(y for y in range(2026, 2046) if 9.0 * (y - 2025) / 20 >= thr)
    assert first == 2042 and close.measurable_from.periode == "2042"
    assert not half.measurable  # 4,5 procentpunt asked, 7,5 needed
    words = doelen_own.proposal_measurable_text(close, "percentage")
    assert words == "met 80% kans zichtbaar vanaf periode 2042"
    assert "niet meetbaar op buurtniveau" in doelen_own.proposal_measurable_text(half, "percentage")
    assert "7,5 procentpunt" in doelen_own.proposal_measurable_text(half, "percentage")
    # milestones on measured years at least 4 years apart, on the straight path
    assert [m.periode for m in half.milestones] == ["2026", "2030", "2034"]
    assert half.milestones[1].value == pytest.approx(31 + 4.5 * 5 / 10)
    # Pottenberg's 39% is inside the margin of Maastricht's 40%: hold the strength
    assert [p.rule for p in ot.proposals_for(ind, figs, POT)] == ["vasthouden"]
    # a quarterly indicator: target in the fourth quarter of the rule's year; Pottenberg's withheld 2025-K3 is never
    # a baseline
    sch = inds["schuldhulp_aanmeldingen"]
    pot = ot.proposals_for(sch, figs, POT)
    assert pot and all(p.baseline_period == "2025-K2" for p in pot)
    assert {p.target_period for p in pot} <= {"2035-K4", "2045-K4"}


def test_no_proposal_without_a_maastricht_figure():
    ind = own_model.OwnIndicator("x", 1, "X", "bestaanszekerheid", None, "steekproef", "percentage", "hoger_beter",
                                 "d", "b", "openbaar", "jaar")
    import pandas as pd
    figs = pd.DataFrame([{"indicator_id": "x", "version": 1, "area_code": NAZ, "periode": "2025", "sort_key": 20255,
                          "value": 30.0, "lower": 26.0, "upper": 34.0, "shown": "", "base": 500}])
    assert ot.proposals_for(ind, figs, NAZ) == []
    assert "er is (nog) geen cijfer voor Maastricht" in doelen_own.without_reference_text([ind], figs)


def test_an_editor_adopts_a_proposal_on_an_own_indicator(loaded):
    ed, eng = editor(), stored_engine(loaded)
    inds, figs = _state(loaded)
    ind = inds["invloed_op_buurt"]
    props = doelen_own.open_own_proposals(inds.values(), figs, loader_programme.list_own_proposal_decisions(loaded),
                                          loader_programme.list_own_targets(loaded))
    close = next(p for p in props if p.area == NAZ and p.rule == "gat_dichten")
    d = doelen_own.own_proposal_decision("adopt", close, ind, eng.name(NAZ))
    assert d.message == "Voorstel overgenomen als doel: Ik heb invloed op wat er in mijn buurt gebeurt — Nazareth."
    with pytest.raises(auth.PermissionDenied):
        programme.decide_own_proposal(loaded, None, eng, d)
    tid = programme.decide_own_proposal(loaded, ed, eng, d)
    rows = loader_programme.list_own_targets(loaded)
    rec = next(r for r in rows.to_dict("records") if int(r["id"]) == tid)
    assert (rec["indicator_id"], rec["indicator_version"], rec["area_code"], rec["baseline_period"],
            rec["target_period"]) == ("invloed_op_buurt", 1, NAZ, "2025", "2045")
    assert rec["baseline_value"] == pytest.approx(31.0) and rec["target_value"] == pytest.approx(40.0)
    assert "Gat dichten" in rec["rationale"] and "Bewonerspeiling" in rec["rationale"]
    assert [m["periode"] for m in json.loads(rec["milestones"])] == ["2026", "2030", "2034", "2038", "2042"]
    dec = loader_programme.list_own_proposal_decisions(loaded)
    assert list(dec["decision"]) == ["overgenomen"] and int(dec["target_id"].iloc[0]) == tid
    # the pair has a target: no more proposals for Nazareth on this indicator; a second decision is refused
    after = doelen_own.open_own_proposals(inds.values(), figs, dec, rows)
    assert not [p for p in after if p.area == NAZ and p.indicator_id == ind.id]
    with pytest.raises(loader_programme.ConflictError):
        programme.decide_own_proposal(loaded, ed, eng, d)
    log = loader_programme.list_changes(loaded)
    assert {"own_targets", "own_proposal_decisions"} <= set(log["table_name"])
    # its card: 31% → 33% in 2026 is inside the margin and the path asks only 0,45 then: too early, never progress
    card = _card(loaded, tid)
    assert card.status == "te vroeg om te zeggen"
    assert card.figures == (("Basis 2025", "31,0%"), ("Laatste meting 2026", "33,0%"), ("Doel 2045", "40,0%"))
    se26 = _se(_stored(figs, ind, NAZ, "2026"))
    margin = Z * math.sqrt(se26 ** 2 + _se(_stored(figs, ind, NAZ, "2025")) ** 2)
    assert 2.0 < margin
    assert card.change == f"Verandering 2025–2026: +2,0 procentpunt; marge ± {own_model.value_text(margin, 'percentage').rstrip('%')}."
    assert card.measurable == "Met 80% kans zichtbaar vanaf periode 2042."
    assert "Volgende meting: 2027 (per jaar, bron Bewonerspeiling Veerkrachtige Wijken)" in card.caption
    # the same margin as the store's own change rule: a target with the first period (2024) as its baseline
    t24 = ot.OwnTarget(None, ind.id, ind.version, NAZ, "2024", 30.0, 40.0, "2045")
    s24 = ot.status(t24, ind.version, ind.richting, ot.rows(figs, ind.id, ind.version, NAZ), TODAY)
    stored26 = _stored(figs, ind, NAZ, "2026")
    assert stored26["ref_periode"] == "2024"
    assert (s24.change, s24.threshold) == (pytest.approx(stored26["diff"]), pytest.approx(stored26["threshold"]))
    assert card.provenance.startswith("Eigen meting — bron: Bewonerspeiling Veerkrachtige Wijken, periode 2026")


def test_an_editor_rejects_a_proposal(loaded):
    ed, eng = editor(), stored_engine(loaded)
    inds, figs = _state(loaded)
    props = doelen_own.open_own_proposals(inds.values(), figs, loader_programme.list_own_proposal_decisions(loaded),
                                          loader_programme.list_own_targets(loaded))
    hold = next(p for p in props if p.area == POT and p.indicator_id == "invloed_op_buurt")
    assert hold.rule == "vasthouden"
    d = doelen_own.own_proposal_decision("reject", hold, inds["invloed_op_buurt"], "Pottenberg", reason="te vroeg")
    programme.decide_own_proposal(loaded, ed, eng, d)
    dec = loader_programme.list_own_proposal_decisions(loaded)
    row = dec[dec["proposal_key"] == hold.key].iloc[0]
    assert row["decision"] == "afgewezen" and row["reason"] == "te vroeg"
    assert row["target_id"] is None or math.isnan(row["target_id"])
    again = doelen_own.open_own_proposals(inds.values(), figs, dec, loader_programme.list_own_targets(loaded))
    assert hold.key not in {p.key for p in again}


# ------------------------------------------------------------------------------------------ the page

def test_the_doelen_page_shows_own_targets_proposals_and_the_calendar(loaded, monkeypatch):
    if not loaded.startswith("sqlite"):
        pytest.skip("the page is run once, on SQLite")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", loaded)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    texts = {}
    for tab in ("Doelen", "Voorstellen", "Wanneer zien we vooruitgang?"):
        at = AppTest.from_file(str(ROOT / "views" / "doelen.py"), default_timeout=180)
        at.query_params["onderdeel"] = tab
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        texts[tab] = "\n".join([*(m.value for m in at.markdown), *(h.value for h in at.header),
                                *(h.value for h in at.subheader), *(c.value for c in at.caption)])
        if tab == "Wanneer zien we vooruitgang?":
            texts[tab] += "\n" + at.table[0].value.to_string()
    doelen = texts["Doelen"]
    assert "Doelen op eigen metingen" in doelen
    assert "Ik heb invloed op wat er in mijn buurt gebeurt — Nazareth" in doelen
    assert "Met 80% kans zichtbaar vanaf periode 2042." in doelen
    assert "Eigen meting — bron: Bewonerspeiling Veerkrachtige Wijken" in doelen
    assert "Vertrouwen in de wijkteams (intern)" not in doelen  # anonymous
    voorstellen = texts["Voorstellen"]
    assert "Voorstellen op eigen metingen" in voorstellen
    assert "Aanmeldingen schuldhulpverlening — Nazareth" in voorstellen  # open: no target on it yet
    assert "voorstel — niet vastgesteld" in voorstellen
    cal = texts["Wanneer zien we vooruitgang?"]
    assert "volgende meting: 2027 (per jaar, bron Bewonerspeiling Veerkrachtige Wijken)" in cal
    # a signed-in editor: the form for a new own target, and one click adopts an own proposal
    from ui.auth import SESSION_KEY

    at = AppTest.from_file(str(ROOT / "views" / "doelen.py"), default_timeout=180)
    at.query_params["onderdeel"] = "Doelen"
    at.session_state[SESSION_KEY] = editor()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Nieuw doel op een eigen meting" in [h.value for h in at.header]
    at.query_params["onderdeel"] = "Voorstellen"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    adopt = [b for b in at.button if (b.key or "").startswith("own_adopt_")]
    assert adopt, [b.key for b in at.button]
    key = adopt[0].key.removeprefix("own_adopt_")
    adopt[0].click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert key in set(loader_programme.list_own_proposal_decisions(loaded)["proposal_key"])


# ------------------------------------------------------------------------------------------ targets set by hand

def test_status_of_targets_set_by_hand(loaded):
    ed, eng = editor(), stored_engine(loaded)
    inds, figs = _state(loaded)
    peil, sch = inds["invloed_op_buurt"], inds["schuldhulp_aanmeldingen"]
    # reached but inside the margin (31 → 33, target 32): never "gehaald"
    t1 = _target(loaded, ed, eng, peil, NAZ, "2025", 32.0, "2030")
    assert _card(loaded, t1).status == "te vroeg om te zeggen"
    # the path asks 38% in 2026 (31 → 45 in 2027): 33% is behind, even though it went up
    t2 = _target(loaded, ed, eng, peil, NAZ, "2025", 45.0, "2027")
    c2 = _card(loaded, t2)
    assert c2.status == "achter op schema"
    assert c2.explanation == "2026: binnen de marge. Het doelpad verwacht hier 38,0%."
    # quarterly, lower is better: 32,0 → 9,6 per 1.000 (40 → 12 of 1.250) is a real drop
    k2, k3 = _stored(figs, sch, NAZ, "2025-K2"), _stored(figs, sch, NAZ, "2025-K3")
    assert (k2["value"], k3["value"]) == (pytest.approx(32.0), pytest.approx(9.6))
    assert 32.0 - 9.6 > Z * math.sqrt(_se(k2) ** 2 + _se(k3) ** 2)
    t3 = _target(loaded, ed, eng, sch, NAZ, "2025-K2", 5.0, "2026-K4")  # the path expects 27,5 in 2025-K3
    c3 = _card(loaded, t3)
    assert c3.status == "op koers" and c3.explanation == "2025-K3: duidelijke vooruitgang, op of voor het doelpad."
    t4 = _target(loaded, ed, eng, sch, NAZ, "2025-K2", 10.0, "2026-K4")
    assert _card(loaded, t4).status == "gehaald"
    # measurability by hand: first quarter after 2025 where the asked change reaches 2,80 · √2 · SE(2025-K2)
    thr = (1.96 + 0.84) * math.sqrt(2) * _se(k2)
    asked = {p: 27.0 * (ot.index(p) - ot.index("2025-K2")) / 6 for p in ("2026-K1", "2026-K2", "2026-K3", "2026-K4")}
    first = next(p for p, a in asked.items() if a >= thr)
    assert first == "2026-K3"
    assert c3.measurable == f"Met 80% kans zichtbaar vanaf periode {first}."
    assert c3.figures[0] == ("Basis 2025-K2", "32,0 per 1.000") and c3.figures[2] == ("Doel 2026-K4", "5,0 per 1.000")
    # no figure after the baseline yet: too early, with the next period from the frequentie
    t5 = _target(loaded, ed, eng, peil, POT, "2025", 42.0, "2035")
    c5 = _card(loaded, t5)
    assert c5.status == "te vroeg om te zeggen" and "de volgende meting gaat over 2026" in c5.explanation
    # … and once 2026 and 2027 have ended without an upload: no new data
    assert _card(loaded, t5, today=dt.date(2028, 1, 5)).status == "geen nieuwe gegevens"
    # the baseline value is the stored figure, never the one a form sent
    rec = loader_programme.list_own_targets(loaded).set_index("id").loc[t5]
    assert rec["baseline_value"] == pytest.approx(39.0)


def test_a_withheld_or_missing_figure_is_no_baseline_and_periods_follow_the_frequentie(loaded):
    ed, eng = editor(), stored_engine(loaded)
    inds, _ = _state(loaded)
    sch, peil = inds["schuldhulp_aanmeldingen"], inds["invloed_op_buurt"]
    with pytest.raises(ValueError, match="geen getoond cijfer"):
        _target(loaded, ed, eng, sch, POT, "2025-K3", 5.0, "2026-K4")  # 7 aanmeldingen: '<10'
    with pytest.raises(ValueError, match="per kwartaal"):
        _target(loaded, ed, eng, sch, NAZ, "2025-K2", 5.0, "2030")
    with pytest.raises(ValueError, match="na de basisperiode"):
        _target(loaded, ed, eng, peil, NAZ, "2025", 40.0, "2024")
    with pytest.raises(auth.PermissionDenied):
        _target(loaded, None, eng, peil, NAZ, "2025", 40.0, "2030")


def test_an_edit_is_locked_by_version(loaded):
    ed, eng = editor(), stored_engine(loaded)
    inds, _ = _state(loaded)
    tid = _target(loaded, ed, eng, inds["invloed_op_buurt"], NAZ, "2025", 36.0, "2035")
    rec = loader_programme.list_own_targets(loaded).set_index("id").loc[tid].to_dict()
    vals = {k: rec[k] for k in programme.OWN_TARGET_FIELDS}
    assert programme.update_own_target(loaded, ed, eng, tid, 1, {**vals, "target_value": 37.0}) == 2
    with pytest.raises(loader_programme.ConflictError):
        programme.update_own_target(loaded, ed, eng, tid, 1, {**vals, "target_value": 38.0})


def test_intern_indicators_and_their_targets_stay_with_editors(loaded):
    ed, eng = editor(), stored_engine(loaded)
    inds, figs = _state(loaded)
    tid = _target(loaded, ed, eng, inds["vertrouwen_intern"], NAZ, "2025", 60.0, "2030")
    shown = _target(loaded, ed, eng, inds["invloed_op_buurt"], NAZ, "2025", 41.0, "2031")  # a public one beside it
    rows = loader_programme.list_own_targets(loaded)
    public, pfigs = _state(loaded, include_intern=False)
    assert "vertrouwen_intern" not in public
    cards = doelen_own.own_target_cards(public.values(), rows, pfigs, eng.name, TODAY)
    assert shown in {c.target.id for c in cards} and tid not in {c.target.id for c in cards}
    assert tid in {c.target.id for c in doelen_own.own_target_cards(inds.values(), rows, figs, eng.name, TODAY)}
    props = doelen_own.open_own_proposals(public.values(), pfigs, loader_programme.list_own_proposal_decisions(loaded),
                                          rows)
    assert all(p.indicator_id != "vertrouwen_intern" for p in props)


def test_a_redefined_indicator_reports_its_target_as_not_comparable():
    ind = own_model.OwnIndicator("x", 2, "X", "bestaanszekerheid", None, "steekproef", "percentage", "hoger_beter",
                                 "d", "b", "openbaar", "jaar")
    t = ot.OwnTarget(1, "x", 1, NAZ, "2025", 30.0, 40.0, "2030")
    s = ot.status(t, ind.version, ind.richting, [], TODAY)
    assert s.status == "geen nieuwe gegevens" and "gewijzigd (nu versie 2)" in s.explanation


# ------------------------------------------------------------------------------------------ calendar

def test_the_calendar_gives_own_indicators_their_next_measurement(loaded):
    inds, figs = _state(loaded, include_intern=False)
    rows = {r["Bron"]: r for r in doelen_own.own_calendar_rows(inds.values(), figs, dt.date(2026, 2, 1))}
    sch = rows["Eigen meting: Aanmeldingen schuldhulpverlening"]
    assert sch["Laatste periode in de data"] == "2025-K3" and sch["Hoe vaak"] == "per kwartaal"
    assert sch["Volgende cijfers (schatting van de datum)"] == \
        "volgende meting: 2025-K4 (per kwartaal, bron Gemeente Maastricht, schuldhulpverlening)"
    peil = rows["Eigen meting: Ik heb invloed op wat er in mijn buurt gebeurt"]
    assert peil["Volgende cijfers (schatting van de datum)"] == \
        "volgende meting: 2027 (per jaar, bron Bewonerspeiling Veerkrachtige Wijken)"
    assert "Eigen meting: Vertrouwen in de wijkteams (intern)" not in rows  # intern: editors only
    late = {r["Bron"]: r for r in doelen_own.own_calendar_rows(inds.values(), figs, TODAY)}
    assert "had er al moeten zijn" in late["Eigen meting: Aanmeldingen schuldhulpverlening"][
        "Volgende cijfers (schatting van de datum)"]
    # beside the CBS sources in one table
    from models.doelen import calendar_model

    eng = stored_engine(loaded)
    cal = doelen_own.with_own(calendar_model(eng, eng.catalog, eng.latest_period_by_source(), TODAY),
                              list(inds.values()), figs, TODAY)
    assert cal.table["Bron"].str.startswith("Eigen meting: ").sum() == 2
    assert (~cal.table["Bron"].str.startswith("Eigen meting: ")).sum() >= 3
    assert cal.notes[-1] == doelen_own.CALENDAR_NOTE


# ------------------------------------------------------------------------------------------ backup

def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for n, b in members.items():
            z.writestr(n, b)
    return buf.getvalue()


def test_backup_and_restore_keep_the_own_targets(loaded):
    ed, eng = editor(), stored_engine(loaded)
    inds, _ = _state(loaded)
    _target(loaded, ed, eng, inds["schuldhulp_aanmeldingen"], POT, "2025-K2", 15.0, "2035-K4")
    with get_engine(loaded).connect() as conn:
        before = backup.dump(conn)
    assert before["own_targets"]["rows"]
    data = backup.backup(loaded)
    figs_before = repository.own_figures(loaded)
    with transaction(loaded) as conn:
        conn.execute(own_proposal_decisions.delete())
        conn.execute(own_targets.delete())
        conn.execute(sa.text("DELETE FROM own_figures"))  # as in a database the backup did not come from
    counts = backup.restore(loaded, data)
    assert counts["own_targets"] == len(before["own_targets"]["rows"])
    with get_engine(loaded).connect() as conn:
        after = backup.dump(conn)
    assert after["own_targets"] == before["own_targets"]
    assert after["own_proposal_decisions"] == before["own_proposal_decisions"]
    assert "doelen op eigen metingen" in backup.summary(counts)
    # a target naming an indicator version the backup does not define is refused, and nothing changes
    m = _members(data)
    body = json.loads(m["programma.json"])
    t = body["tables"]["own_targets"]
    t["rows"][0][t["columns"].index("indicator_version")] = 99
    payload = json.dumps(body).encode()
    manifest = json.loads(m["manifest.json"])
    manifest.update(payload_bytes=len(payload), payload_sha256=hashlib.sha256(payload).hexdigest())
    bad = _rezip({"manifest.json": json.dumps(manifest).encode(), "programma.json": payload})
    with pytest.raises(backup.BackupError, match="onbekende eigen meting"):
        backup.restore(loaded, bad)
    with get_engine(loaded).connect() as conn:
        assert backup.dump(conn)["own_targets"] == before["own_targets"]
    # the restore recomputed the stored figures the cards read
    assert repository.own_figures(loaded).equals(figs_before)
