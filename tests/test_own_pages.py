"""Own measurements on Successen en tegenvallers and the Buurtprofiel (models/successen.py,
models/buurtprofiel.py): only a change outside the combined interval stands with the CBS successes and setbacks,
with its period, the programme start and its provenance; inside the interval it is 'binnen de marge', a
neutral indicator is 'gestegen'/'gedaald' without judgement, a withheld figure never gives a change, and an
``intern`` indicator never reaches an anonymous visitor. Made-up uploads (tests/own_made_up.py), SQLite and
PostgreSQL."""
from __future__ import annotations

import pandas as pd
import pytest

from loaders import repository
from metrics.catalog import load
from metrics.store import engine as stored_engine
from models import successen as succ
from models.buurtprofiel import profile_model
from models.successen import successen_model
from wijkmonitor import own, statistics
from wording import own_change

from conftest import fresh_url
from own_made_up import populate

NAZARETH, POTTENBERG, OTHER = "BU09350403", "BU09350203", "BU09350101"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request, tmp_path_factory):
    """A built database (no national file) with the four made-up indicators and their uploads."""
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    url = fresh_url(request.param, tmp_path_factory.mktemp("ownpages"))
    statistics.build(url, national=False)
    populate(url)
    return url


# ------------------------------------------------------------------------------------ the words

def test_the_span_against_the_programme_start():
    assert own_change.span("2025-K2", "2025-K3") == "2025-K2 → 2025-K3"
    assert own_change.when("2023", "2024", 2025) == "vóór de start van het programma in 2025"
    assert own_change.when("2026-K1", "2026-K2", 2025) == "na de start van het programma in 2025"
    assert own_change.when("2024", "2025", 2025) == "deels vóór de start van het programma in 2025"
    assert own_change.when("2025-K2", "2025-K3", 2025) == "in het startjaar van het programma (2025)"
    assert own_change.when("2025", "2026", 2025) == "vanaf het startjaar van het programma (2025)"
    assert [own_change.after_start(a, b, 2025) for a, b in (("2023", "2024"), ("2026-K1", "2026-K2"),
                                                            ("2025-K2", "2025-K3"), ("2024", "2026"))] == \
        [False, True, None, None]
    # the start year comes from config/programme.toml
    assert own_change.when("2025-K2", "2025-K3") == "in het startjaar van het programma (2025)"


def _row(**kw) -> dict:
    base = {"indicator_id": "q", "version": 1, "area_code": NAZARETH, "lower": None, "upper": None, "shown": "",
            "base": None, "method": "", "ref_periode": None, "diff": None, "threshold": None, "meaningful": False,
            "label": "", "favourable": None}
    return {**base, **kw}


def test_the_stored_rule_decides_never_the_size_of_the_change():
    """A big change the store judged 'binnen de marge' stays there; a neutral indicator is never a success even
    if a row says favourable; the newest figure withheld gives no change although an older change exists."""
    from metrics.own import sort_number
    from models.own import OwnIndicator

    def ind(richting):
        return OwnIndicator("q", 1, "Q", "bestaanszekerheid", None, "aantal", "aantal", richting, "d", "bron b",
                            "openbaar", "kwartaal")

    def figs(*rows):
        return pd.DataFrame([{**r, "sort_key": sort_number(r["periode"])} for r in rows])

    first = _row(periode="2025-K1", value=10.0, base=10)
    big_within = _row(periode="2025-K2", value=90.0, base=90, ref_periode="2025-K1", diff=80.0, threshold=100.0,
                      meaningful=False, label="binnen de marge")
    mv = succ.own_movement(ind("hoger_beter"), figs(first, big_within), NAZARETH, "P")
    assert mv.kind == succ.WITHIN and mv.sentence.endswith(": binnen de marge") and mv.verdict == ": binnen de marge"
    neutral = {**big_within, "meaningful": True, "label": "gestegen", "favourable": True, "threshold": 20.0}
    mv = succ.own_movement(ind("neutraal"), figs(first, neutral), NAZARETH, "P")
    assert mv.kind == succ.DESCRIPTIVE and mv.sentence.endswith(": gestegen (geen richting goed/slecht)")
    assert "verbeterd" not in mv.sentence
    good = {**big_within, "meaningful": True, "label": "verbeterd", "favourable": True, "threshold": 20.0}
    assert succ.own_movement(ind("hoger_beter"), figs(first, good), NAZARETH, "P").kind == succ.SUCCESS
    hidden = _row(periode="2025-K3", value=None, shown="<10")
    mv = succ.own_movement(ind("hoger_beter"), figs(first, good, hidden), NAZARETH, "P")
    assert mv.kind == succ.WITHHELD and "(<10)" in mv.text and "+80" not in mv.text and mv.when == ""
    assert succ.own_movement(ind("hoger_beter"), figs(first), NAZARETH, "P").kind == succ.ONE
    assert succ.own_movement(ind("hoger_beter"), figs(first), POTTENBERG, "P") is None


# ------------------------------------------------------------------------------------ Successen en tegenvallers

def _areas(url, include_intern=False):
    model = successen_model(stored_engine(url), load(), own.stored(url, include_intern=include_intern))
    return model, {a.name: a for a in model.areas}


def test_own_successes_and_setbacks_stand_with_the_cbs_lines(loaded):
    model, by = _areas(loaded)
    naz, pot = by["Nazareth"], by["Pottenberg"]
    assert model.own_text.startswith("Regels met het label *eigen meting*")
    s, = naz.own_successes
    assert s.text == ("Aanmeldingen schuldhulpverlening: van 32,0 per 1.000 (2025-K2) naar 9,6 per 1.000 (2025-K3), "
                      "−22,4 per 1.000; marge ± 11,9 per 1.000; Maastricht in dezelfde periode −0,3 per 1.000 "
                      "(binnen de marge)")
    assert s.period == "2025-K2 → 2025-K3" and s.when == "in het startjaar van het programma (2025)"
    assert s.after_start is None and s.tag == "eigen meting" and s.pillar == "Bestaanszekerheid"
    assert s.provenance == ("eigen meting — bron: Gemeente Maastricht, schuldhulpverlening, "
                            "noemer 1.250 (2025-K3), 1.250 (2025-K2)")
    assert naz.n_successes == len(naz.successes) + 1
    b, = pot.own_setbacks
    assert b.text.startswith("Ervaren gezondheid (rapportcijfer): van 7,2 (2025) naar 6,5 (2026), −0,7; marge ± 0,3")
    assert b.when == "vanaf het startjaar van het programma (2025)"
    assert b.provenance.endswith("deelnemers 150 (2026), 150 (2025)")
    assert pot.n_setbacks == len(pot.setbacks) + 1
    # the CBS lines are the same with and without own measurements
    plain = {a.name: a for a in successen_model(stored_engine(loaded), load()).areas}
    for name in by:
        assert (plain[name].successes, plain[name].setbacks, plain[name].within_margin) == \
            (by[name].successes, by[name].setbacks, by[name].within_margin)
        assert plain[name].own_successes == () and plain[name].rest_label.endswith(")")


def test_within_the_margin_neutral_and_withheld_are_never_a_success_or_setback(loaded):
    _, by = _areas(loaded)
    naz, pot = by["Nazareth"], by["Pottenberg"]
    judged = {m.indicator.id for a in (naz, pot) for m in (*a.own_successes, *a.own_setbacks)}
    assert judged == {"schuldhulp_aanmeldingen", "ervaren_gezondheid"}
    w, = pot.own_within  # 25 → 28 deelnemers: inside the margin of ± 15
    assert w.indicator.id == "deelnemers_activiteiten" and w.sentence == (
        "Deelnemers aan buurtactiviteiten: van 25 (2026-K1) naar 28 (2026-K2), +3; marge ± 15. "
        "Periode 2026-K1 → 2026-K2, na de start van het programma in 2025: binnen de marge")
    assert w.after_start is True and w.when == "na de start van het programma in 2025"
    d, = naz.own_descriptive  # 20 → 60: beyond the margin, but the indicator has no direction
    assert d.text.endswith("+40; marge ± 18") and d.verdict == ": gestegen (geen richting goed/slecht)"
    hidden = next(m for m in pot.own_other if m.indicator.id == "schuldhulp_aanmeldingen")
    assert hidden.kind == succ.WITHHELD and hidden.period == "2025-K3" and hidden.sentence == hidden.text
    assert hidden.text == ("Aanmeldingen schuldhulpverlening: nieuwste meting (2025-K3) niet getoond (<10), "
                           "dus geen verandering")
    assert "1.245" not in hidden.provenance  # no noemer beside a withheld teller
    assert pot.own_note.startswith("<10: minder dan 10") and naz.own_note == ""
    one, = naz.own_other
    assert one.kind == succ.ONE and "één getoonde meting, 7,0 (2026)" in one.text
    assert pot.rest_label == (f"Binnen de marge ({len(pot.within_margin) + 1}) en beschrijvend "
                              f"({len(pot.descriptive)}), eigen metingen zonder verandering (1)")


def test_intern_indicators_only_for_signed_in_editors(loaded):
    _, anon = _areas(loaded)
    ids = {m.indicator.id for a in anon.values()
           for m in (*a.own_successes, *a.own_setbacks, *a.own_within, *a.own_descriptive, *a.own_other)}
    assert "invloed_op_buurt" not in ids and ids
    _, ed = _areas(loaded, include_intern=True)
    intern = next(m for m in ed["Nazareth"].own_successes if m.indicator.id == "invloed_op_buurt")
    assert intern.tag == "eigen meting · intern" and intern.when == "deels vóór de start van het programma in 2025"
    assert intern.provenance.endswith("respondenten 240 (2025), 240 (2024)")


# ------------------------------------------------------------------------------------ Buurtprofiel

def _profile(url, buurt, include_intern=False):
    return profile_model(stored_engine(url), load(), buurt, own.stored(url, include_intern=include_intern))


def test_the_buurtprofiel_has_the_buurts_own_measurements_with_maastricht_beside(loaded):
    sec = _profile(loaded, NAZARETH).own
    t = sec.table.set_index("Indicator")
    assert list(sec.table.columns) == ["Indicator", "Periode", "Waarde", "95%-interval", "Verandering",
                                       "Maastricht", "Herkomst"]
    r = t.loc["Aanmeldingen schuldhulpverlening"]
    assert (r["Periode"], r["Waarde"], r["95%-interval"]) == ("2025-K3", "9,6 per 1.000", "5,0 tot 16,8 per 1.000")
    assert r["Verandering"] == "verbeterd sinds 2025-K2 (−22,4 per 1.000; marge ± 11,9 per 1.000)"
    assert r["Maastricht"] == "14,7 per 1.000; 95%-interval 13,7 tot 15,7 per 1.000"
    assert r["Herkomst"] == ("Eigen meting — bron: Gemeente Maastricht, schuldhulpverlening, periode 2025-K3, "
                             "noemer 1.250")
    assert t.loc["Deelnemers aan buurtactiviteiten", "Maastricht"] == "niet aangeleverd"
    assert t.loc["Deelnemers aan buurtactiviteiten", "Verandering"].endswith("— geen richting goed/slecht")
    assert t.loc["Ervaren gezondheid (rapportcijfer)", "Verandering"] == "één meting"
    assert "invloed_op_buurt" not in " ".join(t.index) and "Ik heb invloed" not in " ".join(t.index)
    assert "Maastricht in dezelfde periode" in sec.intro and sec.note == ""
    # a signed-in editor also sees the intern indicator, marked as such
    ed = _profile(loaded, NAZARETH, include_intern=True).own.table.set_index("Indicator")
    assert ed.loc["Ik heb invloed op wat er in mijn buurt gebeurt (intern)", "Waarde"] == "45,0%"


def test_a_withheld_figure_on_the_buurtprofiel_has_no_value_interval_or_change(loaded):
    sec = _profile(loaded, POTTENBERG).own
    r = sec.table.set_index("Indicator").loc["Aanmeldingen schuldhulpverlening"]
    assert (r["Waarde"], r["95%-interval"]) == ("<10", "")
    assert r["Verandering"] == "geen verandering (cijfer niet getoond)"
    assert "noemer" not in r["Herkomst"] and "1.245" not in " ".join(map(str, r.values))
    assert sec.note.startswith("<10: minder dan 10")


def test_a_buurt_without_own_measurements_has_no_section(loaded):
    assert _profile(loaded, OTHER).own is None
    eng = stored_engine(loaded)
    assert profile_model(eng, load(), NAZARETH).own is None  # no own measurements passed
    assert not repository.own_figures(loaded).empty
